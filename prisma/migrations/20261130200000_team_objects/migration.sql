-- Services (with stacks' services) and secrets/configs belong to a team, as hosts do (issue 7):
-- only its members (and site roles) see them, and a service's replicas run only on its team's
-- hosts. What exists already goes to the team `default`. Names stay unique across teams.

-- The team everything made before teams belongs to (the teams migration made it; again if gone).
INSERT INTO "teams" ("id", "name") SELECT gen_random_uuid(), 'default' WHERE NOT EXISTS (SELECT 1 FROM "teams" WHERE "name" = 'default');

-- AlterTable
ALTER TABLE "services" ADD COLUMN "team_id" UUID;
UPDATE "services" SET "team_id" = (SELECT "id" FROM "teams" WHERE "name" = 'default');
ALTER TABLE "services" ALTER COLUMN "team_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "secrets" ADD COLUMN "team_id" UUID;
UPDATE "secrets" SET "team_id" = (SELECT "id" FROM "teams" WHERE "name" = 'default');
ALTER TABLE "secrets" ALTER COLUMN "team_id" SET NOT NULL;

-- AlterTable: the team an entry is about (a service's, a secret's), for who may read it;
-- not a foreign key, as host_id is not: removing a team must not rewrite the chained entries
ALTER TABLE "audit_entries" ADD COLUMN "team_id" UUID;

-- CreateIndex
CREATE INDEX "services_team_id_idx" ON "services"("team_id");

-- CreateIndex
CREATE INDEX "secrets_team_id_idx" ON "secrets"("team_id");

-- CreateIndex
CREATE INDEX "audit_entries_team_id_idx" ON "audit_entries"("team_id");

-- AddForeignKey
ALTER TABLE "services" ADD CONSTRAINT "services_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
