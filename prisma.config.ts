import { defineConfig } from 'prisma/config';

// Only `prisma generate` is used on machines without Prisma's engines; `prisma migrate
// deploy` works with this file where they can be downloaded (DATABASE_URL must be set).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
