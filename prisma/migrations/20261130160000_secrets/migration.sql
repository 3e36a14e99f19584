-- CreateEnum
CREATE TYPE "SecretKind" AS ENUM ('secret', 'config');

-- CreateTable
CREATE TABLE "secrets" (
    "id" UUID NOT NULL,
    "kind" "SecretKind" NOT NULL,
    "name" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "stack" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "secrets_kind_name_key" ON "secrets"("kind", "name");
