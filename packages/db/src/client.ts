import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;

/** A Prisma client on the Rust-free engine, talking to Postgres through node-postgres. */
export function createDb(databaseUrl: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

let singleton: Db | undefined;

/** The process-wide client; apps call `useDatabase(url)` once at start-up (from their env.ts). */
export function useDatabase(databaseUrl: string): Db {
  singleton ??= createDb(databaseUrl);
  return singleton;
}

export function db(): Db {
  if (!singleton) throw new Error('the database is not configured: call useDatabase(DATABASE_URL) at start-up');
  return singleton;
}
