-- The outbound webhook (src/modules/notify/): events recorded by modules in
-- the transaction of the change they describe, and every delivery attempt.
--
-- state: pending (to be sent), delivered (a 2xx came back), failed (the
-- attempts ran out; an admin may retry), skipped (never attempted within
-- 24 hours of the event, e.g. recorded while no webhook was configured:
-- too stale to send). Retry delays can be shorter than a second, so the
-- two scheduling columns hold Unix milliseconds, as their names say.
-- claimed_until_ms: a node sending an attempt holds the row until then, so
-- two nodes sharing the database never send the same attempt at once; a
-- node that dies mid-attempt lets the claim lapse.
CREATE TABLE webhook_outbox (
	id SERIAL_PK,
	event TEXT NOT NULL,
	payload TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms BIGINT NOT NULL DEFAULT 0,
	state TEXT NOT NULL DEFAULT 'pending',
	claimed_until_ms BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);
-- The delivery thread's question: the oldest pending event that is due.
CREATE INDEX webhook_outbox_state ON webhook_outbox (state, id);

-- One row per attempt. http_status is NULL when no answer came (refused,
-- timeout); error is NULL for a 2xx.
CREATE TABLE webhook_deliveries (
	id SERIAL_PK,
	outbox_id BIGINT NOT NULL REFERENCES webhook_outbox (id),
	attempt INTEGER NOT NULL,
	at BIGINT NOT NULL,
	http_status INTEGER,
	error TEXT,
	duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_outbox ON webhook_deliveries (outbox_id);
