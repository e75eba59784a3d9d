-- Rectification notices (API.md, Rectification notices): numbered per district and year, naming the findings
-- they order corrected (notice_findings), answered by the unit and verified by an inspector.
CREATE TABLE notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  number VARCHAR(64) NOT NULL UNIQUE,
  district CHAR(6) NOT NULL REFERENCES districts(code),
  subject_type VARCHAR(20) NOT NULL,
  subject_id INTEGER NOT NULL,
  requirements TEXT NOT NULL,
  deadline CHAR(10) NOT NULL,
  status VARCHAR(20) NOT NULL,
  issued_by VARCHAR(64) NOT NULL,
  issued_on CHAR(10) NOT NULL,
  response_text TEXT NOT NULL,
  responded_by VARCHAR(64) NOT NULL,
  responded_at CHAR(24),
  result VARCHAR(20),
  verification_note TEXT NOT NULL,
  verified_by VARCHAR(64) NOT NULL,
  verified_at CHAR(24),
  version INTEGER NOT NULL,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL
);
CREATE INDEX notices_district ON notices(district, id);
CREATE INDEX notices_subject ON notices(subject_type, subject_id, id);
CREATE INDEX notices_open ON notices(status, deadline);
CREATE TABLE notice_findings (
  notice_id INTEGER NOT NULL REFERENCES notices(id),
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  PRIMARY KEY (notice_id, finding_id)
);
CREATE INDEX notice_findings_finding ON notice_findings(finding_id);
