export { createDb, useDatabase, db, type Db } from './client.ts';
export { migrate, readMigrations, MigrationError, type Migration, type MigrateResult } from './migrator.ts';
export { startEmbeddedPostgres, ensureDatabase, POSTGRES_USER, type EmbeddedPostgres } from './embedded.ts';
export * from './generated/client.ts';
export { Notifier, type NotificationHandler } from './notifier.ts';
export { LeaderLease, LEADER_LOCK } from './leader.ts';
