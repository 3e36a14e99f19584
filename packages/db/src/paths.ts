import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, found from this file's place in it. */
export const repoRoot = (): string => join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const migrationsDir = (): string => join(repoRoot(), 'prisma/migrations');
export const schemaFile = (): string => join(repoRoot(), 'prisma/schema.prisma');
