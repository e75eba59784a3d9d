-- Mail alerts (API.md, Rectification notices, "Alerts"): a user's address, and the outbox the server's
-- sender works through. One row per event (event_key is unique), so that several instances and restarts
-- never mail the same event twice; recipients are fixed when the event is recorded.
ALTER TABLE users ADD COLUMN email VARCHAR(254);
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_key VARCHAR(200) NOT NULL UNIQUE,
  district CHAR(6),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  recipients TEXT NOT NULL,
  created_at CHAR(24) NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at CHAR(24),
  sent_at CHAR(24),
  last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);
