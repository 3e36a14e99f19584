-- Teams own hosts; users act on a team's hosts through a membership's role (issue 7).
-- users.role stays as the site-wide role and may now be null (only memberships count then).

-- CreateEnum
CREATE TYPE "TeamRole" AS ENUM ('owner', 'admin', 'operator', 'viewer');

-- AlterTable
ALTER TABLE "users" ALTER COLUMN "role" DROP NOT NULL, ALTER COLUMN "role" DROP DEFAULT;

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN "scope" "Role";

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "user_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "role" "TeamRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memberships_pkey" PRIMARY KEY ("user_id","team_id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "role" "TeamRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_by" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- The team every host and join token existing before teams belongs to.
INSERT INTO "teams" ("id", "name") VALUES (gen_random_uuid(), 'default');

-- AlterTable
ALTER TABLE "hosts" ADD COLUMN "team_id" UUID;
UPDATE "hosts" SET "team_id" = (SELECT "id" FROM "teams" WHERE "name" = 'default');
ALTER TABLE "hosts" ALTER COLUMN "team_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "join_tokens" ADD COLUMN "team_id" UUID;
UPDATE "join_tokens" SET "team_id" = (SELECT "id" FROM "teams" WHERE "name" = 'default');
ALTER TABLE "join_tokens" ALTER COLUMN "team_id" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "teams_name_key" ON "teams"("name");

-- CreateIndex
CREATE INDEX "memberships_team_id_idx" ON "memberships"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");

-- CreateIndex
CREATE INDEX "invitations_team_id_idx" ON "invitations"("team_id");

-- CreateIndex
CREATE INDEX "hosts_team_id_idx" ON "hosts"("team_id");

-- AddForeignKey
ALTER TABLE "join_tokens" ADD CONSTRAINT "join_tokens_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hosts" ADD CONSTRAINT "hosts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
