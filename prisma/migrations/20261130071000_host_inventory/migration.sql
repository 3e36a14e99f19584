-- AlterTable
ALTER TABLE "hosts" ADD COLUMN "inventory" JSONB,
ADD COLUMN "inventory_at" TIMESTAMPTZ(3);
