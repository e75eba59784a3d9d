-- Dry runs (API.md, Managed plugins): an audit of one submitted plugin version in place of the active one,
-- over that plugin's districts, that writes no finding; its report says what would change. NULL for a
-- real audit.
ALTER TABLE audit_runs ADD COLUMN dry_run_plugin VARCHAR(100);
ALTER TABLE audit_runs ADD COLUMN dry_run_version VARCHAR(40);
-- The decision record: the plugin set an audit ran, JSON [{"name","version","sha256"}] in name order.
ALTER TABLE audit_runs ADD COLUMN plugins TEXT NOT NULL DEFAULT '[]';
