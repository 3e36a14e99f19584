-- CreateTable
CREATE TABLE "registry_credentials" (
    "id" UUID NOT NULL,
    "registry" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "registry_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "registry_credentials_registry_key" ON "registry_credentials"("registry");
