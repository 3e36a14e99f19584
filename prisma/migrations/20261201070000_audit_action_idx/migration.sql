-- The audit page suggests the actions the log holds. They are read by skipping through this
-- index (one probe per distinct action, a few dozen) instead of grouping every entry.
CREATE INDEX "audit_entries_action_idx" ON "audit_entries"("action");
