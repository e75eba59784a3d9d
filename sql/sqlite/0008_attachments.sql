-- Evidence files (API.md, Attachments): photos and scans attached to notice answers and verifications.
-- The bytes are not in the row: they live in attachments.dir, one file per distinct content, named by its
-- SHA-256 (docs/OPERATIONS.md). Until a write names it (owner_type NULL), an upload is its uploader's only.
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 CHAR(64) NOT NULL,
  content_type VARCHAR(40) NOT NULL,
  bytes INTEGER NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  uploaded_by VARCHAR(64) NOT NULL,
  uploaded_at CHAR(24) NOT NULL,
  owner_type VARCHAR(20),
  owner_id INTEGER,
  purpose VARCHAR(20),
  district CHAR(6)
);
CREATE INDEX attachments_owner ON attachments(owner_type, owner_id, id);
CREATE INDEX attachments_pending ON attachments(owner_type, uploaded_by);
CREATE INDEX attachments_sha256 ON attachments(sha256);
