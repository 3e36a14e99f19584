-- Removing a host set host_id to NULL in its audit entries, which changed them and broke
-- the hash chain. The entries keep the id; nothing references hosts any more.
ALTER TABLE "audit_entries" DROP CONSTRAINT "audit_entries_host_id_fkey";
