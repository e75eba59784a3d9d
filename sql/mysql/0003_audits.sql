-- The audit runner (core/service/AuditRunner.cpp). While an audit runs, what it finds goes to
-- audit_results, committed in small chunks so that writers are never held up; the findings table is
-- changed only at the end, in one transaction that merges audit_results into it. A run that dies half-way
-- leaves rows here (deleted when the run is marked failed) and the findings exactly as they were.
-- Collations match the findings table's, since the merge joins the two.
CREATE TABLE audit_results (
  audit_id BIGINT NOT NULL,
  plugin VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  plugin_version VARCHAR(40) NOT NULL,
  rule VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  severity VARCHAR(20) NOT NULL,
  subject_type VARCHAR(20) NOT NULL,
  subject_id BIGINT NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin,
  message TEXT NOT NULL,
  details TEXT NOT NULL,
  FOREIGN KEY (audit_id) REFERENCES audit_runs(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX audit_results_key ON audit_results(audit_id, plugin, rule, subject_type, subject_id);
CREATE INDEX audit_results_subject ON audit_results(audit_id, subject_type, subject_id);

-- The report of a finished audit (per district: records checked, findings by rule and severity, new,
-- still open and resolved), fixed when the audit ends so that later audits do not change it.
ALTER TABLE audit_runs ADD COLUMN summary MEDIUMTEXT NOT NULL DEFAULT '{}';
-- Written with the progress: a running audit whose heartbeat stopped belongs to an instance that died.
ALTER TABLE audit_runs ADD COLUMN heartbeat_at CHAR(24);
-- Set by a cancel request; the runner stops at its next batch.
ALTER TABLE audit_runs ADD COLUMN cancel_requested TINYINT NOT NULL DEFAULT 0;
