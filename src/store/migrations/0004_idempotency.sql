-- Answers to POST requests by Idempotency-Key, so a phone that resends
-- after losing its signal gets the first answer instead of a second write.
-- key_hash covers the caller and the key; request_hash the method, path
-- and body, so a key reused for another request is refused. status 0 marks
-- a request still running.
CREATE TABLE idempotency_keys (
	key_hash TEXT PRIMARY KEY,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	content_type TEXT NOT NULL DEFAULT '',
	body BLOB,
	created_at BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
