-- Cases (诉求/事件): categories with routing rules and time limits, the
-- working calendar, cases, their co-handling departments, timeline and
-- photos, and what each user has read. See src/modules/cases/.

-- The category tree. Limits: sign within sign_hours working hours of the
-- dispatch; resolve within resolve_limit working hours or days
-- (resolve_unit) of the signing. An urgent case runs on the clock instead
-- (urgent_sign_hours / urgent_resolve_hours of calendar time), the way
-- Beijing's 12345 treats risk to life and property. fields: JSON array of
-- extra questions (Open311 attributes).
CREATE TABLE case_categories (
	code TEXT PRIMARY KEY,
	parent_code TEXT REFERENCES case_categories (code),
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	sign_hours INTEGER NOT NULL DEFAULT 4,
	resolve_limit INTEGER NOT NULL DEFAULT 5,
	resolve_unit TEXT NOT NULL DEFAULT 'days',
	urgent INTEGER NOT NULL DEFAULT 0,
	urgent_sign_hours INTEGER NOT NULL DEFAULT 2,
	urgent_resolve_hours INTEGER NOT NULL DEFAULT 24,
	fields TEXT NOT NULL DEFAULT '[]',
	active INTEGER NOT NULL DEFAULT 1,
	sort INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO case_categories (code, parent_code, name_zh, name_en, sign_hours, resolve_limit, resolve_unit, urgent, sort) VALUES
	('epidemic', NULL, '疫情防控', 'Epidemic control', 2, 24, 'hours', 1, 10),
	('livelihood', NULL, '民生服务', 'Public services', 4, 5, 'days', 0, 20),
	('water', 'livelihood', '供水', 'Water supply', 4, 3, 'days', 0, 21),
	('power', 'livelihood', '供电', 'Electricity', 4, 3, 'days', 0, 22),
	('gas', 'livelihood', '供气', 'Gas supply', 2, 3, 'days', 0, 23),
	('heating', 'livelihood', '供暖', 'Heating', 4, 3, 'days', 0, 24),
	('dispute', NULL, '矛盾纠纷', 'Disputes', 4, 10, 'days', 0, 30),
	('sanitation', NULL, '环境卫生', 'Environment and sanitation', 4, 5, 'days', 0, 40),
	('hazard', NULL, '安全隐患', 'Safety hazards', 2, 3, 'days', 0, 50),
	('poverty', NULL, '返贫监测', 'Poverty-relapse watch', 8, 10, 'days', 0, 60),
	('forest_fire', NULL, '森林防火', 'Forest fire prevention', 1, 24, 'hours', 1, 70),
	('inquiry', NULL, '咨询', 'Inquiry', 4, 3, 'days', 0, 80),
	('help', NULL, '求助', 'Request for help', 4, 5, 'days', 0, 90),
	('complaint', NULL, '投诉', 'Complaint', 4, 10, 'days', 0, 100),
	('report', NULL, '举报', 'Report of wrongdoing', 4, 10, 'days', 0, 110),
	('suggestion', NULL, '建议', 'Suggestion', 8, 15, 'days', 0, 120);

-- Routing: category × area subtree → lead department and co-handlers. The
-- rule of the deepest area that holds the case wins; among rules of one
-- area, the deepest category (a rule for 供水 beats one for 民生服务).
-- auto: dispatch at intake without a person; otherwise the rule only
-- pre-selects the department in the dispatch queue.
CREATE TABLE case_routes (
	id SERIAL_PK,
	category_code TEXT NOT NULL REFERENCES case_categories (code),
	area_id BIGINT NOT NULL REFERENCES areas (id),
	lead_unit_id BIGINT NOT NULL REFERENCES units (id),
	auto INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_routes_key ON case_routes (category_code, area_id);
CREATE TABLE case_route_co_units (
	route_id BIGINT NOT NULL REFERENCES case_routes (id),
	unit_id BIGINT NOT NULL REFERENCES units (id),
	PRIMARY KEY (route_id, unit_id)
);

-- The working calendar as admins edited it (the file format of
-- data/calendar/cn.conf); no row means the built-in calendar.
CREATE TABLE work_calendar (
	id INTEGER PRIMARY KEY,
	text TEXT NOT NULL,
	version INTEGER NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
);

-- A case. The reporter's phone is sealed like the register's (nonce ||
-- ciphertext, keyed hash, masked form). follow_hash: BLAKE2b of the code
-- in the resident's follow link; the code itself is never stored.
-- Coordinates are micro-degrees (WGS-84), exact in every backend.
-- *_due_at are absolute instants computed on the working calendar when the
-- clock starts, so "overdue" is one comparison with an index.
CREATE TABLE cases (
	id SERIAL_PK,
	follow_hash TEXT NOT NULL UNIQUE,
	category_code TEXT NOT NULL REFERENCES case_categories (code),
	area_id BIGINT NOT NULL REFERENCES areas (id),
	source TEXT NOT NULL,
	state TEXT NOT NULL,
	urgent INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	lat_e6 BIGINT,
	lon_e6 BIGINT,
	attributes TEXT NOT NULL DEFAULT '{}',
	reporter_user_id BIGINT REFERENCES users (id),
	reporter_name TEXT NOT NULL DEFAULT '',
	reporter_phone_sealed BLOB,
	reporter_phone_hash TEXT,
	reporter_phone_masked TEXT NOT NULL DEFAULT '',
	key_version INTEGER NOT NULL DEFAULT 0,
	call_notes TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	suggested_unit_id BIGINT REFERENCES units (id),
	lead_unit_id BIGINT REFERENCES units (id),
	reopen_count INTEGER NOT NULL DEFAULT 0,
	extension_pending INTEGER NOT NULL DEFAULT 0,
	extension_days INTEGER NOT NULL DEFAULT 0,
	ruled INTEGER NOT NULL DEFAULT 0,
	merged_into BIGINT,
	supervised INTEGER NOT NULL DEFAULT 0,
	reminders INTEGER NOT NULL DEFAULT 0,
	reminded_at BIGINT,
	result TEXT NOT NULL DEFAULT '',
	rating_outcome TEXT,
	satisfaction TEXT,
	rating_comment TEXT NOT NULL DEFAULT '',
	submitted_at BIGINT NOT NULL,
	dispatched_at BIGINT,
	signed_at BIGINT,
	resolved_at BIGINT,
	rated_at BIGINT,
	closed_at BIGINT,
	sign_due_at BIGINT,
	resolve_due_at BIGINT,
	signed_late INTEGER,
	resolved_late INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at BIGINT NOT NULL
);
CREATE INDEX cases_area ON cases (area_id, state, id);
CREATE INDEX cases_lead ON cases (lead_unit_id, state, id);
CREATE INDEX cases_reporter ON cases (reporter_user_id, id);
CREATE INDEX cases_state_sign_due ON cases (state, sign_due_at);
CREATE INDEX cases_state_resolve_due ON cases (state, resolve_due_at);
CREATE INDEX cases_submitted ON cases (submitted_at);
CREATE INDEX cases_category ON cases (category_code, state, submitted_at);

-- Departments added by a whistle (吹哨); each reports in and replies.
CREATE TABLE case_units (
	case_id BIGINT NOT NULL REFERENCES cases (id),
	unit_id BIGINT NOT NULL REFERENCES units (id),
	added_at BIGINT NOT NULL,
	reported_at BIGINT,
	replied_at BIGINT,
	reply TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (case_id, unit_id)
);
CREATE INDEX case_units_unit ON case_units (unit_id, case_id);

-- The timeline: every step, who, when, from → to. public: shown on the
-- resident's follow page (internal notes are not).
CREATE TABLE case_events (
	id SERIAL_PK,
	case_id BIGINT NOT NULL REFERENCES cases (id),
	at BIGINT NOT NULL,
	action TEXT NOT NULL,
	party TEXT NOT NULL,
	actor_login TEXT NOT NULL,
	actor_name TEXT NOT NULL DEFAULT '',
	actor_unit_id BIGINT,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}',
	public INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX case_events_case ON case_events (case_id, id);
-- Open311 servicerequestupdates lists steps by time.
CREATE INDEX case_events_at ON case_events (at, id);

-- Photos of a case or of one of its steps (event_id NULL: at intake), by
-- the content address of the blob (see src/modules/media).
CREATE TABLE case_photos (
	id SERIAL_PK,
	case_id BIGINT NOT NULL REFERENCES cases (id),
	event_id BIGINT,
	sha256 TEXT NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id, id);
CREATE INDEX case_photos_sha ON case_photos (sha256);

-- What each user has seen of each case: unread = the case's version moved on.
CREATE TABLE case_reads (
	user_id BIGINT NOT NULL REFERENCES users (id),
	case_id BIGINT NOT NULL REFERENCES cases (id),
	version INTEGER NOT NULL,
	PRIMARY KEY (user_id, case_id)
);
