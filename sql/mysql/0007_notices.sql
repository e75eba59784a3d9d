-- Rectification notices (API.md, Rectification notices): numbered per district and year, naming the findings
-- they order corrected (notice_findings), answered by the unit and verified by an inspector.
CREATE TABLE notices (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  number VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  district CHAR(6) COLLATE utf8mb4_bin NOT NULL,
  subject_type VARCHAR(20) COLLATE utf8mb4_bin NOT NULL,
  subject_id BIGINT NOT NULL,
  requirements MEDIUMTEXT NOT NULL,
  deadline CHAR(10) COLLATE utf8mb4_bin NOT NULL,
  status VARCHAR(20) COLLATE utf8mb4_bin NOT NULL,
  issued_by VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  issued_on CHAR(10) COLLATE utf8mb4_bin NOT NULL,
  response_text MEDIUMTEXT NOT NULL,
  responded_by VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  responded_at CHAR(24) COLLATE utf8mb4_bin NULL,
  result VARCHAR(20) COLLATE utf8mb4_bin NULL,
  verification_note MEDIUMTEXT NOT NULL,
  verified_by VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  verified_at CHAR(24) COLLATE utf8mb4_bin NULL,
  version BIGINT NOT NULL,
  created_at CHAR(24) COLLATE utf8mb4_bin NOT NULL,
  updated_at CHAR(24) COLLATE utf8mb4_bin NOT NULL,
  FOREIGN KEY (district) REFERENCES districts(code),
  INDEX notices_district (district, id),
  INDEX notices_subject (subject_type, subject_id, id),
  INDEX notices_open (status, deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE notice_findings (
  notice_id BIGINT NOT NULL,
  finding_id BIGINT NOT NULL,
  PRIMARY KEY (notice_id, finding_id),
  INDEX notice_findings_finding (finding_id),
  FOREIGN KEY (notice_id) REFERENCES notices(id),
  FOREIGN KEY (finding_id) REFERENCES findings(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
