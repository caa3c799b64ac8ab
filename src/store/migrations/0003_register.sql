-- The register: households and persons, tags, unit rosters.
-- Personal identifiers are stored sealed (nonce || ciphertext) with a keyed
-- hash for exact look-up and a masked form for display; key_version names
-- the key that sealed and hashed them (see src/core/vault.h).
CREATE TABLE households (
	id SERIAL_PK,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	address TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	head_person_id BIGINT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- (area_id, address): the import finds a household by its address in a grid.
CREATE INDEX households_area ON households (area_id, address);

CREATE TABLE persons (
	id SERIAL_PK,
	area_id BIGINT NOT NULL REFERENCES areas (id),
	household_id BIGINT REFERENCES households (id),
	relation TEXT NOT NULL DEFAULT '',
	name BYTE_TEXT NOT NULL,
	sex TEXT NOT NULL DEFAULT '',
	birth_date TEXT NOT NULL DEFAULT '',
	id_type TEXT NOT NULL DEFAULT '',
	id_sealed BLOB,
	id_hash TEXT,
	id_masked TEXT NOT NULL DEFAULT '',
	phone_sealed BLOB,
	phone_hash TEXT,
	phone_masked TEXT NOT NULL DEFAULT '',
	key_version INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'living',
	notes TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX persons_area ON persons (area_id, id);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_id_hash ON persons (id_hash);
CREATE INDEX persons_phone_hash ON persons (phone_hash);

CREATE TABLE person_status_history (
	id SERIAL_PK,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	at BIGINT NOT NULL,
	by_login TEXT NOT NULL
);
CREATE INDEX person_status_history_person ON person_status_history (person_id, id);

-- The configurable tag list; applies_to is "person" or "household".
CREATE TABLE tags (
	code TEXT PRIMARY KEY,
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL,
	applies_to TEXT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tags (code, name_zh, name_en, applies_to, sort) VALUES
	('party_member', '党员', 'Party member', 'person', 10),
	('volunteer', '志愿者', 'Volunteer', 'person', 20),
	('elderly_alone', '独居老人', 'Elderly living alone', 'person', 30),
	('mobility_impaired', '行动不便', 'Mobility-impaired', 'person', 40),
	('other_province', '外省来人', 'From another province', 'person', 50),
	('key_person', '重点人员', 'Key person', 'person', 60),
	('poverty_watch', '返贫监测户', 'Poverty-watch household', 'household', 70),
	('rental', '出租户', 'Rented home', 'household', 80);

CREATE TABLE person_tags (
	person_id BIGINT NOT NULL REFERENCES persons (id),
	tag TEXT NOT NULL REFERENCES tags (code),
	PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tags_tag ON person_tags (tag, person_id);

CREATE TABLE household_tags (
	household_id BIGINT NOT NULL REFERENCES households (id),
	tag TEXT NOT NULL REFERENCES tags (code),
	PRIMARY KEY (household_id, tag)
);
CREATE INDEX household_tags_tag ON household_tags (tag, household_id);

-- Stationed units: contact and roster.
ALTER TABLE units ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
CREATE TABLE unit_members (
	unit_id BIGINT NOT NULL REFERENCES units (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	position TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (unit_id, person_id)
);
CREATE INDEX unit_members_person ON unit_members (person_id);
