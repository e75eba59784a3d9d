-- Mail alerts (API.md, Rectification notices, "Alerts"): a user's address, and the outbox the server's
-- sender works through. One row per event (event_key is unique), so that several instances and restarts
-- never mail the same event twice; recipients are fixed when the event is recorded.
ALTER TABLE users ADD COLUMN email VARCHAR(254) NULL;
CREATE TABLE mail_outbox (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  event_key VARCHAR(200) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  district CHAR(6) COLLATE utf8mb4_bin NULL,
  subject TEXT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  recipients MEDIUMTEXT NOT NULL,
  created_at CHAR(24) COLLATE utf8mb4_bin NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at CHAR(24) COLLATE utf8mb4_bin NULL,
  sent_at CHAR(24) COLLATE utf8mb4_bin NULL,
  last_error TEXT NULL,
  INDEX mail_outbox_due (next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
