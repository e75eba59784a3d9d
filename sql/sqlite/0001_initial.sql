-- Initial schema (SQLite). Keep in step with sql/mysql/0001_initial.sql: same tables, columns and indexes.
-- Dates are 'YYYY-MM-DD' text and timestamps fixed-width RFC 3339 UTC text, so text order is time order.
-- Statements are separated by a line ending in ';'.

CREATE TABLE districts (
  code CHAR(6) PRIMARY KEY,
  name_zh VARCHAR(20) NOT NULL,
  name_en VARCHAR(40) NOT NULL,
  pinyin VARCHAR(40) NOT NULL UNIQUE
);

CREATE TABLE price_items (
  code VARCHAR(64) PRIMARY KEY,
  name_zh VARCHAR(50) NOT NULL,
  name_en VARCHAR(100) NOT NULL,
  category VARCHAR(20) NOT NULL,
  regime VARCHAR(20) NOT NULL,
  unit VARCHAR(32) NOT NULL
);

-- Next number of a server-assigned code per scope ('F-110108', 'B-110108').
CREATE TABLE code_sequences (
  scope VARCHAR(32) PRIMARY KEY,
  next_value INTEGER NOT NULL
);

CREATE TABLE facilities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code VARCHAR(32) NOT NULL UNIQUE,
  name VARCHAR(200) NOT NULL,
  kind VARCHAR(40) NOT NULL,
  district CHAR(6) NOT NULL REFERENCES districts(code),
  address TEXT NOT NULL DEFAULT '',
  operator TEXT NOT NULL DEFAULT '',
  approval_no TEXT NOT NULL DEFAULT '',
  status VARCHAR(20) NOT NULL,
  plan_action VARCHAR(20),
  plan_phase VARCHAR(10),
  capacity_total INTEGER,
  capacity_used INTEGER,
  area_m2 REAL,
  lat REAL,
  lon REAL,
  notes TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL,
  CHECK (capacity_used IS NULL OR capacity_total IS NULL OR capacity_used <= capacity_total)
);
CREATE INDEX facilities_district ON facilities(district, id);
CREATE INDEX facilities_kind ON facilities(kind, id);
CREATE INDEX facilities_status ON facilities(status, id);
CREATE INDEX facilities_plan_action ON facilities(plan_action, id);

CREATE TABLE burial_sites (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code VARCHAR(32) NOT NULL UNIQUE,
  kind VARCHAR(40) NOT NULL,
  district CHAR(6) NOT NULL REFERENCES districts(code),
  township VARCHAR(100) NOT NULL,
  village VARCHAR(100) NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  lat REAL,
  lon REAL,
  grave_count INTEGER NOT NULL CHECK (grave_count >= 1),
  zones VARCHAR(200) NOT NULL DEFAULT '',
  protected_relic INTEGER NOT NULL DEFAULT 0,
  measure VARCHAR(40),
  status VARCHAR(20) NOT NULL,
  target_date CHAR(10) NOT NULL,
  responsible_unit TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL
);
CREATE INDEX burial_sites_district ON burial_sites(district, id);
CREATE INDEX burial_sites_kind ON burial_sites(kind, id);
CREATE INDEX burial_sites_status ON burial_sites(status, id);
CREATE INDEX burial_sites_measure ON burial_sites(measure, id);
CREATE INDEX burial_sites_target_date ON burial_sites(target_date);

CREATE TABLE burial_site_progress (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id INTEGER NOT NULL REFERENCES burial_sites(id),
  entry_date CHAR(10) NOT NULL,
  graves_handled INTEGER NOT NULL CHECK (graves_handled >= 0),
  status VARCHAR(20),
  note TEXT NOT NULL DEFAULT '',
  recorded_by VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL
);
CREATE INDEX burial_site_progress_site ON burial_site_progress(site_id, id);

CREATE TABLE reference_prices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item VARCHAR(64) NOT NULL REFERENCES price_items(code),
  district CHAR(6) REFERENCES districts(code),
  cap_fen INTEGER NOT NULL CHECK (cap_fen >= 0),
  effective_from CHAR(10) NOT NULL,
  effective_to CHAR(10),
  basis TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL
);
CREATE INDEX reference_prices_item ON reference_prices(item, district, effective_from);

CREATE TABLE price_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  item VARCHAR(64) NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
  unit VARCHAR(32) NOT NULL,
  effective_from CHAR(10) NOT NULL,
  effective_to CHAR(10),
  displayed INTEGER NOT NULL,
  bundled INTEGER NOT NULL,
  area_m2 REAL,
  term_years INTEGER,
  source VARCHAR(20) NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  superseded_by INTEGER REFERENCES price_records(id),
  recorded_by VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX price_records_facility_item ON price_records(facility_id, item, id);
CREATE INDEX price_records_item ON price_records(item, id);
CREATE INDEX price_records_superseded_by ON price_records(superseded_by);
-- At most one current record per facility and item: the guard behind supersession.
CREATE UNIQUE INDEX price_records_one_current ON price_records(facility_id, item) WHERE superseded_by IS NULL;

CREATE TABLE inspections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject_type VARCHAR(20) NOT NULL,
  subject_id INTEGER NOT NULL,
  district CHAR(6) NOT NULL REFERENCES districts(code),
  inspection_date CHAR(10) NOT NULL,
  result VARCHAR(20) NOT NULL,
  checklist TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  inspector VARCHAR(64) NOT NULL,
  created_at CHAR(24) NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_subject ON inspections(subject_type, subject_id, id);
CREATE INDEX inspections_subject_id ON inspections(subject_id);
CREATE INDEX inspections_district ON inspections(district, id);

CREATE TABLE audit_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trigger_kind VARCHAR(20) NOT NULL,
  district CHAR(6) REFERENCES districts(code),
  status VARCHAR(20) NOT NULL,
  scheduled_for CHAR(24),
  audit_date CHAR(10) NOT NULL,
  records_total INTEGER NOT NULL DEFAULT 0,
  records_checked INTEGER NOT NULL DEFAULT 0,
  findings_new INTEGER NOT NULL DEFAULT 0,
  findings_resolved INTEGER NOT NULL DEFAULT 0,
  plugin_errors INTEGER NOT NULL DEFAULT 0,
  requested_by VARCHAR(64) NOT NULL DEFAULT '',
  runner VARCHAR(200) NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at CHAR(24) NOT NULL,
  started_at CHAR(24),
  finished_at CHAR(24)
);
CREATE INDEX audit_runs_status ON audit_runs(status, id);
CREATE UNIQUE INDEX audit_runs_scheduled_for ON audit_runs(scheduled_for);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  plugin VARCHAR(100) NOT NULL,
  plugin_version VARCHAR(40) NOT NULL,
  rule VARCHAR(100) NOT NULL,
  severity VARCHAR(20) NOT NULL,
  subject_type VARCHAR(20) NOT NULL,
  subject_id INTEGER NOT NULL,
  district CHAR(6) REFERENCES districts(code),
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  status VARCHAR(20) NOT NULL,
  status_note TEXT NOT NULL DEFAULT '',
  status_by VARCHAR(64) NOT NULL DEFAULT '',
  first_seen_at CHAR(24) NOT NULL,
  last_seen_at CHAR(24) NOT NULL,
  audit_id INTEGER REFERENCES audit_runs(id),
  resolved_by_audit_id INTEGER REFERENCES audit_runs(id),
  version INTEGER NOT NULL DEFAULT 1,
  UNIQUE (plugin, rule, subject_type, subject_id)
);
CREATE INDEX findings_district ON findings(district, id);
CREATE INDEX findings_severity ON findings(severity, id);
CREATE INDEX findings_status ON findings(status, id);
CREATE INDEX findings_rule ON findings(rule, id);
CREATE INDEX findings_audit ON findings(audit_id, id);
CREATE INDEX findings_subject ON findings(subject_type, subject_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username VARCHAR(64) NOT NULL UNIQUE,
  display_name VARCHAR(100) NOT NULL DEFAULT '',
  role VARCHAR(20) NOT NULL,
  district CHAR(6) REFERENCES districts(code),
  active INTEGER NOT NULL DEFAULT 1,
  password_hash VARCHAR(200) NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until CHAR(24),
  version INTEGER NOT NULL DEFAULT 1,
  created_at CHAR(24) NOT NULL,
  updated_at CHAR(24) NOT NULL
);

-- Bearer tokens and browser sessions, stored only as SHA-256 hashes of the secret.
CREATE TABLE auth_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash CHAR(64) NOT NULL UNIQUE,
  kind VARCHAR(10) NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token VARCHAR(64) NOT NULL DEFAULT '',
  created_at CHAR(24) NOT NULL,
  last_used_at CHAR(24) NOT NULL,
  expires_at CHAR(24) NOT NULL,
  revoked_at CHAR(24)
);
CREATE INDEX auth_tokens_user ON auth_tokens(user_id);

-- Append-only: who did what to which record, with the record before and after, as JSON.
CREATE TABLE change_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at CHAR(24) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(20) NOT NULL,
  entity VARCHAR(40) NOT NULL,
  entity_id INTEGER NOT NULL,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX change_log_entity ON change_log(entity, entity_id, id);
CREATE INDEX change_log_entity_id ON change_log(entity_id);

-- One row per scheduled job: the instance holding it and until when.
CREATE TABLE scheduler_lease (
  name VARCHAR(64) PRIMARY KEY,
  holder VARCHAR(200) NOT NULL,
  expires_at CHAR(24) NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
