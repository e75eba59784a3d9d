-- Evidence files (API.md, Attachments): photos and scans attached to notice answers and verifications.
-- The bytes are not in the row: they live in attachments.dir, one file per distinct content, named by its
-- SHA-256 (docs/OPERATIONS.md). Until a write names it (owner_type NULL), an upload is its uploader's only.
CREATE TABLE attachments (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  sha256 CHAR(64) COLLATE utf8mb4_bin NOT NULL,
  content_type VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  bytes BIGINT NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  uploaded_by VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  uploaded_at CHAR(24) COLLATE utf8mb4_bin NOT NULL,
  owner_type VARCHAR(20) COLLATE utf8mb4_bin NULL,
  owner_id BIGINT NULL,
  purpose VARCHAR(20) COLLATE utf8mb4_bin NULL,
  district CHAR(6) COLLATE utf8mb4_bin NULL,
  INDEX attachments_owner (owner_type, owner_id, id),
  INDEX attachments_pending (owner_type, uploaded_by),
  INDEX attachments_sha256 (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
