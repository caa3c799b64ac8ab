/* Outbound notifications: modules record events in an outbox inside the
 * transaction of the change (so an event exists exactly when its change
 * committed); a delivery thread posts each to the configured webhook, the
 * body signed with HMAC-SHA256, retried with back-off, every attempt in a
 * delivery log. SMS and messaging gateways sit behind the webhook. */
#ifndef WG_NOTIFY_NOTIFY_H
#define WG_NOTIFY_NOTIFY_H

#include <jansson.h>

#include "http/http.h"
#include "store/store.h"

struct config;

/* Records event (e.g. "case.dispatched") with payload (borrowed) in the
 * caller's transaction. Returns a store_rc: a failure only when the
 * database failed. Events are recorded whether or not a webhook is
 * configured; one never attempted within 24 hours is skipped as stale. */
int notify_enqueue(struct store_conn *c, const char *event, json_t *payload);

/* The module's routes (the outbox and the delivery log). store is borrowed. */
const struct http_module *notify_module(struct store *store);

/* Starts the delivery thread on store (borrowed; must outlive notify_stop)
 * with the webhook_* settings of cfg. Without a webhook_url the thread only
 * keeps the outbox tidy. Returns 0, or -1 with *err (caller frees) when the
 * settings are unusable (a secret too short) or the thread cannot start. */
int notify_start(struct store *store, const struct config *cfg, char **err);
/* Stops the thread promptly (an attempt in flight is abandoned and given
 * back, not counted); idempotent. Call before the store is closed. */
void notify_stop(void);

#endif
