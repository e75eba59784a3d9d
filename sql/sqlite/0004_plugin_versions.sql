-- Managed plugins (API.md, Managed plugins): every submitted version of a plugin, kept whole. A version
-- exists only once its tests passed in the sandbox; at most one version of a name is active. Bundled
-- plugins (plugins.dir) are not stored here; an active version of the same name replaces one.
CREATE TABLE plugin_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(100) NOT NULL,
  version VARCHAR(40) NOT NULL,
  folder VARCHAR(20) NOT NULL,       -- common, or the district's pinyin: where it applies
  districts TEXT NOT NULL,           -- JSON list of district codes; [] citywide
  sha256 CHAR(64) NOT NULL,          -- of source
  source TEXT NOT NULL,
  tests_source TEXT NOT NULL,
  tests TEXT NOT NULL,               -- JSON: {"passed","failed","cases":[...]} as the sandbox ran them
  status VARCHAR(10) NOT NULL,       -- draft, active, retired
  note TEXT,
  submitted_by VARCHAR(100) NOT NULL,
  submitted_at CHAR(24) NOT NULL,
  activated_by VARCHAR(100),
  activated_at CHAR(24),
  UNIQUE (name, version)
);
CREATE INDEX plugin_versions_status ON plugin_versions(status);

-- Bumped in the transaction of every activation and deactivation; each instance reads it every
-- plugins.sync_seconds and loads the active versions again when it changed.
CREATE TABLE plugin_generation (
  id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL
);
INSERT INTO plugin_generation (id, generation) VALUES (1, 0);
