-- Initial schema (MySQL / MariaDB, InnoDB, utf8mb4). Keep in step with sql/sqlite/0001_initial.sql.
-- Dates are DATE; timestamps fixed-width RFC 3339 UTC text, as on SQLite, so both backends read alike.
-- TEXT columns have no DEFAULT (MySQL before 8.0.13 refuses one): the store always writes them.
-- Identifier columns (codes, usernames, items, hashes) use utf8mb4_bin: they compare byte for byte, as on
-- SQLite, so 'ADMIN' or 'admin ' never finds 'admin'.
-- Statements are separated by a line ending in ';'.

CREATE TABLE districts (
  code CHAR(6) COLLATE utf8mb4_bin PRIMARY KEY,
  name_zh VARCHAR(20) NOT NULL,
  name_en VARCHAR(40) NOT NULL,
  pinyin VARCHAR(40) COLLATE utf8mb4_bin NOT NULL UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_items (
  code VARCHAR(64) COLLATE utf8mb4_bin PRIMARY KEY,
  name_zh VARCHAR(50) NOT NULL,
  name_en VARCHAR(100) NOT NULL,
  category VARCHAR(20) NOT NULL,
  regime VARCHAR(20) NOT NULL,
  unit VARCHAR(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Next number of a server-assigned code per scope ('F-110108', 'B-110108').
CREATE TABLE code_sequences (
  scope VARCHAR(32) COLLATE utf8mb4_bin PRIMARY KEY,
  next_value BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE facilities (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  name VARCHAR(200) NOT NULL,
  kind VARCHAR(40) NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin NOT NULL,
  address TEXT NOT NULL,
  operator TEXT NOT NULL,
  approval_no TEXT NOT NULL,
  status VARCHAR(20) NOT NULL,
  plan_action VARCHAR(20),
  plan_phase VARCHAR(10),
  capacity_total BIGINT,
  capacity_used BIGINT,
  area_m2 DOUBLE,
  lat DOUBLE,
  lon DOUBLE,
  notes TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL,
  CHECK (capacity_used IS NULL OR capacity_total IS NULL OR capacity_used <= capacity_total),
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX facilities_district ON facilities(district, id);
CREATE INDEX facilities_kind ON facilities(kind, id);
CREATE INDEX facilities_status ON facilities(status, id);
CREATE INDEX facilities_plan_action ON facilities(plan_action, id);

CREATE TABLE burial_sites (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  kind VARCHAR(40) NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin NOT NULL,
  township VARCHAR(100) NOT NULL,
  village VARCHAR(100) NOT NULL DEFAULT '',
  location TEXT NOT NULL,
  lat DOUBLE,
  lon DOUBLE,
  grave_count BIGINT NOT NULL CHECK (grave_count >= 1),
  zones VARCHAR(200) NOT NULL DEFAULT '',
  protected_relic TINYINT NOT NULL DEFAULT 0,
  measure VARCHAR(40),
  status VARCHAR(20) NOT NULL,
  target_date DATE NOT NULL,
  responsible_unit TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL,
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX burial_sites_district ON burial_sites(district, id);
CREATE INDEX burial_sites_kind ON burial_sites(kind, id);
CREATE INDEX burial_sites_status ON burial_sites(status, id);
CREATE INDEX burial_sites_measure ON burial_sites(measure, id);
CREATE INDEX burial_sites_target_date ON burial_sites(target_date);

CREATE TABLE burial_site_progress (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT NOT NULL,
  entry_date DATE NOT NULL,
  graves_handled BIGINT NOT NULL CHECK (graves_handled >= 0),
  status VARCHAR(20),
  note TEXT NOT NULL,
  recorded_by VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL,
  FOREIGN KEY (site_id) REFERENCES burial_sites(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX burial_site_progress_site ON burial_site_progress(site_id, id);

CREATE TABLE reference_prices (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  item VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin,
  cap_fen BIGINT NOT NULL CHECK (cap_fen >= 0),
  effective_from DATE NOT NULL,
  effective_to DATE,
  basis TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL,
  FOREIGN KEY (item) REFERENCES price_items(code),
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX reference_prices_item ON reference_prices(item, district, effective_from);

CREATE TABLE price_records (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  facility_id BIGINT NOT NULL,
  item VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
  unit VARCHAR(32) NOT NULL,
  effective_from DATE NOT NULL,
  effective_to DATE,
  displayed TINYINT NOT NULL,
  bundled TINYINT NOT NULL,
  area_m2 DOUBLE,
  term_years BIGINT,
  source VARCHAR(20) NOT NULL,
  note TEXT NOT NULL,
  superseded_by BIGINT,
  recorded_by VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  FOREIGN KEY (facility_id) REFERENCES facilities(id),
  FOREIGN KEY (superseded_by) REFERENCES price_records(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX price_records_facility_item ON price_records(facility_id, item, id);
CREATE INDEX price_records_item ON price_records(item, id);
CREATE INDEX price_records_superseded_by ON price_records(superseded_by);
-- At most one current record per facility and item: the guard behind supersession. MySQL has no partial
-- index, so a generated column that is 1 for the current record and NULL otherwise carries the unique key.
ALTER TABLE price_records ADD COLUMN current_flag TINYINT AS (IF(superseded_by IS NULL, 1, NULL)) STORED;
CREATE UNIQUE INDEX price_records_one_current ON price_records(facility_id, item, current_flag);

CREATE TABLE inspections (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  subject_type VARCHAR(20) NOT NULL,
  subject_id BIGINT NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin NOT NULL,
  inspection_date DATE NOT NULL,
  result VARCHAR(20) NOT NULL,
  checklist MEDIUMTEXT NOT NULL,
  notes TEXT NOT NULL,
  inspector VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX inspections_subject ON inspections(subject_type, subject_id, id);
CREATE INDEX inspections_subject_id ON inspections(subject_id);
CREATE INDEX inspections_district ON inspections(district, id);

CREATE TABLE audit_runs (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  trigger_kind VARCHAR(20) NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin,
  status VARCHAR(20) NOT NULL,
  scheduled_for CHAR(24),
  audit_date DATE NOT NULL,
  records_total BIGINT NOT NULL DEFAULT 0,
  records_checked BIGINT NOT NULL DEFAULT 0,
  findings_new BIGINT NOT NULL DEFAULT 0,
  findings_resolved BIGINT NOT NULL DEFAULT 0,
  plugin_errors BIGINT NOT NULL DEFAULT 0,
  requested_by VARCHAR(64) NOT NULL DEFAULT '',
  runner VARCHAR(200) NOT NULL DEFAULT '',
  error TEXT NOT NULL,
  created_at CHAR(24) NOT NULL,
  started_at CHAR(24),
  finished_at CHAR(24),
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX audit_runs_status ON audit_runs(status, id);
CREATE UNIQUE INDEX audit_runs_scheduled_for ON audit_runs(scheduled_for);

CREATE TABLE findings (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  plugin VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  plugin_version VARCHAR(40) NOT NULL,
  rule VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  severity VARCHAR(20) NOT NULL,
  subject_type VARCHAR(20) NOT NULL,
  subject_id BIGINT NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin,
  message TEXT NOT NULL,
  details TEXT NOT NULL,
  status VARCHAR(20) NOT NULL,
  status_note TEXT NOT NULL,
  status_by VARCHAR(64) NOT NULL DEFAULT '',
  first_seen_at CHAR(24) NOT NULL,
  last_seen_at CHAR(24) NOT NULL,
  audit_id BIGINT,
  resolved_by_audit_id BIGINT,
  version BIGINT NOT NULL DEFAULT 1,
  UNIQUE (plugin, rule, subject_type, subject_id),
  FOREIGN KEY (district) REFERENCES districts(code),
  FOREIGN KEY (audit_id) REFERENCES audit_runs(id),
  FOREIGN KEY (resolved_by_audit_id) REFERENCES audit_runs(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX findings_district ON findings(district, id);
CREATE INDEX findings_severity ON findings(severity, id);
CREATE INDEX findings_status ON findings(status, id);
CREATE INDEX findings_rule ON findings(rule, id);
CREATE INDEX findings_audit ON findings(audit_id, id);
CREATE INDEX findings_subject ON findings(subject_type, subject_id);

CREATE TABLE users (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  display_name VARCHAR(100) NOT NULL DEFAULT '',
  role VARCHAR(20) NOT NULL,
  district CHAR(6) COLLATE utf8mb4_bin,
  active TINYINT NOT NULL DEFAULT 1,
  password_hash VARCHAR(200) NOT NULL,
  failed_logins BIGINT NOT NULL DEFAULT 0,
  locked_until CHAR(24),
  version BIGINT NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL,
  FOREIGN KEY (district) REFERENCES districts(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bearer tokens and browser sessions, stored only as SHA-256 hashes of the secret.
CREATE TABLE auth_tokens (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
  kind VARCHAR(10) NOT NULL,
  user_id BIGINT NOT NULL,
  csrf_token VARCHAR(64) NOT NULL DEFAULT '',
  created_at CHAR(24) NOT NULL,
  last_used_at CHAR(24) NOT NULL,
  expires_at CHAR(24) NOT NULL,
  revoked_at CHAR(24),
  FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX auth_tokens_user ON auth_tokens(user_id);

-- Append-only: who did what to which record, with the record before and after, as JSON.
CREATE TABLE change_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  at CHAR(24) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(20) NOT NULL,
  entity VARCHAR(40) NOT NULL,
  entity_id BIGINT NOT NULL,
  before_json MEDIUMTEXT,
  after_json MEDIUMTEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX change_log_entity ON change_log(entity, entity_id, id);
CREATE INDEX change_log_entity_id ON change_log(entity_id);

-- One row per scheduled job: the instance holding it and until when.
CREATE TABLE scheduler_lease (
  name VARCHAR(64) COLLATE utf8mb4_bin PRIMARY KEY,
  holder VARCHAR(200) NOT NULL,
  expires_at CHAR(24) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
