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

/* Records event (e.g. "case.dispatched") with payload (borrowed) in the
 * caller's transaction. Returns a store_rc. */
int notify_enqueue(struct store_conn *c, const char *event, json_t *payload);

#endif
