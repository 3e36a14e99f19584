-- CreateEnum
CREATE TYPE "CommandStatus" AS ENUM ('pending', 'sent', 'done', 'failed', 'expired');

-- CreateTable
CREATE TABLE "commands" (
    "id" UUID NOT NULL,
    "host_id" UUID NOT NULL,
    "op" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "status" "CommandStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "commands_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "commands_host_id_status_idx" ON "commands"("host_id", "status");
CREATE INDEX "commands_status_deadline_idx" ON "commands"("status", "deadline");
