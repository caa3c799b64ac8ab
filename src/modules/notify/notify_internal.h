/* What the notify module's files share: the store, the delivery thread's
 * wake-up, and the pure pieces unit tests call. */
#ifndef WG_NOTIFY_NOTIFY_INTERNAL_H
#define WG_NOTIFY_NOTIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/notify/notify.h"

extern struct store *notify_store;

/* Records an event like notify_enqueue; *id gets its outbox id. */
int notify_insert(struct store_conn *c, const char *event, json_t *payload, int64_t *id);
/* Tells this process's delivery thread to look at the outbox now (a no-op
 * when it is not running). Safe from any thread. */
void notify_wake(void);
/* Whether this process delivers to a webhook (webhook_url is set). */
bool notify_configured(void);

/* An event name: 1 to 64 of [a-z0-9._-], so it is safe in a header. */
bool notify_event_name_valid(const char *event);

/* The X-Wangge-Signature value "t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">"
 * keyed with secret. out gets at least NOTIFY_SIGNATURE_SIZE bytes. */
#define NOTIFY_SIGNATURE_SIZE 96
void notify_sign(const char *secret, int64_t t, const char *body, size_t len, char *out);

/* The delay before the attempt after failed_attempts failures: base_ms
 * doubling per failure, plus up to a fifth more from random (any value),
 * never more than an hour. */
#define NOTIFY_BACKOFF_CAP_MS 3600000
int64_t notify_backoff_ms(int64_t base_ms, int64_t failed_attempts, uint32_t random);

/* The request body {"id","event","created_at","data"}; payload is the
 * stored JSON text. Caller frees with free(). */
char *notify_body(int64_t id, const char *event, int64_t created_at, const char *payload);

#endif
