-- Areas: the tree city > county > town > community > grid > building, under
-- one root. path is the materialized path of ids ("/1/5/23/"): a subtree is
-- the range [path, path with its last '/' turned into '0'), one index scan.
CREATE TABLE areas (
	id SERIAL_PK,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	level INTEGER NOT NULL,
	parent_id BIGINT REFERENCES areas (id),
	path PATH_TEXT NOT NULL UNIQUE,
	geojson TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_id, code);

-- Departments (部门) and units stationed in an area (驻区单位).
CREATE TABLE units (
	id SERIAL_PK,
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- Names are unique within an area, not across the tree: a global rule
-- would tell one community that a unit exists in another.
CREATE UNIQUE INDEX units_area ON units (area_id, name);

CREATE TABLE users (
	id SERIAL_PK,
	login TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	phone TEXT,
	role TEXT NOT NULL,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	unit_id BIGINT REFERENCES units (id),
	active INTEGER NOT NULL DEFAULT 1,
	password_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX users_area ON users (area_id);

-- Sessions and API tokens are stored as BLAKE2b hashes of the secret only.
CREATE TABLE sessions (
	id SERIAL_PK,
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	csrf_token TEXT NOT NULL,
	address TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id SERIAL_PK,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);

-- Failed log-ins by key ("pair:<login>|<address>", "addr:<address>",
-- "login:<login>"); see docs/operations.md for the rule.
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	first_at BIGINT NOT NULL,
	locked_until BIGINT NOT NULL
);

-- Append-only: no API updates or deletes it.
CREATE TABLE audit_log (
	id SERIAL_PK,
	at BIGINT NOT NULL,
	user_id BIGINT,
	login TEXT NOT NULL,
	role TEXT NOT NULL,
	address TEXT NOT NULL,
	request_id TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	summary TEXT NOT NULL
);
CREATE INDEX audit_log_area ON audit_log (area_id, id);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
