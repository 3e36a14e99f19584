-- AlterTable
ALTER TABLE "hosts" ADD COLUMN "labels" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "services" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "stack" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "spec" JSONB NOT NULL,
    "previous" INTEGER,
    "update_state" TEXT,
    "update_reason" TEXT,
    "update_started_at" TIMESTAMPTZ(3),
    "update_failures" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_versions" (
    "service_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "note" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "service_versions_pkey" PRIMARY KEY ("service_id","version")
);

-- CreateTable
CREATE TABLE "stacks" (
    "name" TEXT NOT NULL,
    "networks" JSONB NOT NULL DEFAULT '[]',
    "volumes" JSONB NOT NULL DEFAULT '[]',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "stacks_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "replicas" (
    "id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "slot" INTEGER NOT NULL,
    "host_id" UUID NOT NULL,
    "template" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "container_name" TEXT NOT NULL,
    "container_id" TEXT,
    "desired" TEXT NOT NULL DEFAULT 'running',
    "state" TEXT NOT NULL DEFAULT 'new',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ready_at" TIMESTAMPTZ(3),
    CONSTRAINT "replicas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_events" (
    "id" BIGSERIAL NOT NULL,
    "service_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "host_id" UUID,
    CONSTRAINT "service_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "services_name_key" ON "services"("name");
CREATE INDEX "services_stack_idx" ON "services"("stack");
CREATE UNIQUE INDEX "replicas_container_name_key" ON "replicas"("container_name");
CREATE INDEX "replicas_service_id_idx" ON "replicas"("service_id");
CREATE INDEX "replicas_host_id_idx" ON "replicas"("host_id");
CREATE INDEX "service_events_service_id_at_idx" ON "service_events"("service_id", "at");

-- AddForeignKey
ALTER TABLE "service_versions" ADD CONSTRAINT "service_versions_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "replicas" ADD CONSTRAINT "replicas_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "service_events" ADD CONSTRAINT "service_events_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;
