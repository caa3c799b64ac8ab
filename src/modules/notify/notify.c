/* The outbox and its delivery thread.
 *
 * An event is a row of webhook_outbox written in the transaction of the
 * change it describes. One thread per server process sends the due rows,
 * lowest id first, one at a time: it claims a row (an UPDATE that succeeds
 * only while the row is unclaimed or its claim lapsed, so nodes sharing the
 * database never send one attempt twice at once), POSTs it with libcurl,
 * then records the attempt and the row's next state in one transaction.
 * Delivery is at least once: a receiver dedupes by X-Wangge-Delivery.
 *
 * The thread sleeps on a condition variable between polls: at most a
 * second, less when a retry falls due sooner; notify_enqueue wakes it. The
 * wake-up may come before the enqueuing transaction commits, so a wake that
 * finds nothing looks again shortly after. */
#include "modules/notify/notify_internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#define NOTIFY_SECRET_MIN 16
/* An event not attempted within a day of happening is news no longer. */
#define NOTIFY_STALE_S (24 * 3600)
/* Finished events and their attempts are kept this long. */
#define NOTIFY_RETAIN_S (30 * 24 * 3600)
#define NOTIFY_MAINTAIN_EVERY_MS 60000
#define NOTIFY_POLL_MS 1000
/* A claim outlives the attempt's timeout by this much, so a slow commit
 * after the answer does not let another node send the attempt again. */
#define NOTIFY_CLAIM_MARGIN_MS 60000

struct store *notify_store;

static struct {
	pthread_mutex_t lock; /* guards running, wake and cond */
	pthread_cond_t cond;
	bool running;
	bool wake;
	atomic_bool stopping;
	pthread_t thread;
	struct store *store;
	char *url;    /* NULL: no webhook */
	char *secret; /* wiped at stop */
	int64_t timeout_ms, base_ms, max_attempts;
	CURLM *multi; /* woken by notify_stop to end an attempt at once */
	CURL *easy;
} notifier = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- pure pieces ---- */

bool notify_event_name_valid(const char *event)
{
	if (!event || !*event || strlen(event) > 64)
		return false;
	for (const char *p = event; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

void notify_sign(const char *secret, int64_t t, const char *body, size_t len, char *out)
{
	char prefix[32];
	int n = snprintf(prefix, sizeof prefix, "%lld.", (long long)t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	snprintf(out, NOTIFY_SIGNATURE_SIZE, "t=%lld,v1=%s", (long long)t, hex);
}

int64_t notify_backoff_ms(int64_t base_ms, int64_t failed_attempts, uint32_t random)
{
	int64_t delay = base_ms < 1 ? 1 : base_ms;
	for (int64_t i = 1; i < failed_attempts && delay < NOTIFY_BACKOFF_CAP_MS; i++)
		delay *= 2;
	if (delay > NOTIFY_BACKOFF_CAP_MS)
		delay = NOTIFY_BACKOFF_CAP_MS;
	/* Jitter spreads the retries of many events failing together. */
	delay += (int64_t)(random % (uint32_t)(delay / 5 + 1));
	return delay > NOTIFY_BACKOFF_CAP_MS ? NOTIFY_BACKOFF_CAP_MS : delay;
}

char *notify_body(int64_t id, const char *event, int64_t created_at, const char *payload)
{
	char at[32];
	time_format(created_at, at);
	json_t *data = json_loads(payload, JSON_DECODE_ANY, NULL);
	json_t *body = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id, "event", event, "created_at", at,
				 "data", data ? data : json_null());
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/* ---- recording ---- */

static const char sql_insert[] =
	"INSERT INTO webhook_outbox (event, payload, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id";

int notify_insert(struct store_conn *c, const char *event, json_t *payload, int64_t *id)
{
	*id = 0;
	if (!notify_event_name_valid(event)) {
		/* Our bug; the caller's change still deserves to commit. */
		WG_BUG("notify: invalid event name '%s'", event ? event : "(null)");
		return STORE_OK;
	}
	char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	struct store_stmt *st = store_prepare(c, sql_insert);
	if (!st) {
		free(text);
		return STORE_ERROR;
	}
	int64_t now = time_now();
	store_bind_text(st, 1, event);
	store_bind_text(st, 2, text ? text : "{}");
	store_bind_int(st, 3, now);
	store_bind_int(st, 4, now);
	free(text);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	notify_wake();
	return STORE_OK;
}

int notify_enqueue(struct store_conn *c, const char *event, json_t *payload)
{
	int64_t id;
	return notify_insert(c, event, payload, &id);
}

void notify_wake(void)
{
	pthread_mutex_lock(&notifier.lock);
	/* Without a webhook the thread only keeps the outbox tidy on its own
	 * schedule: waking it for every event was a context switch per write. */
	if (notifier.running && notifier.url) {
		notifier.wake = true;
		pthread_cond_signal(&notifier.cond);
	}
	pthread_mutex_unlock(&notifier.lock);
}

bool notify_configured(void)
{
	pthread_mutex_lock(&notifier.lock);
	bool on = notifier.running && notifier.url;
	pthread_mutex_unlock(&notifier.lock);
	return on;
}

/* ---- the delivery thread: choosing and claiming ---- */

static const char sql_due[] =
	"SELECT id FROM webhook_outbox WHERE state = 'pending' AND next_attempt_ms <= ? AND claimed_until_ms <= ?"
	" AND attempts < ? ORDER BY id LIMIT 1";
static const char sql_next_due[] =
	"SELECT MIN(next_attempt_ms) FROM webhook_outbox WHERE state = 'pending' AND claimed_until_ms <= ?"
	" AND attempts < ?";
static const char sql_claim[] =
	"UPDATE webhook_outbox SET attempts = attempts + 1, claimed_until_ms = ?, updated_at = ?"
	" WHERE id = ? AND state = 'pending' AND next_attempt_ms <= ? AND claimed_until_ms <= ? AND attempts < ?"
	" RETURNING attempts, event, payload, created_at";

struct attempt {
	int64_t id;
	int64_t number;        /* 1 for the first attempt */
	int64_t claimed_until; /* the claim we hold: the finishing UPDATE checks it */
	char *event, *payload;
	int64_t created_at;
	int64_t next_due_ms; /* when nothing is due: the earliest next attempt, 0 for none */
};

static int due_tx(struct store_conn *c, void *arg)
{
	struct attempt *a = arg;
	int64_t now = time_now_ms();
	struct store_stmt *st = store_prepare(c, sql_due);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, notifier.max_attempts);
	int rc = store_step(st);
	a->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (a->id)
		return STORE_OK;
	st = store_prepare(c, sql_next_due);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, notifier.max_attempts);
	rc = store_step(st);
	a->next_due_ms = rc == STORE_ROW && !store_col_null(st, 0) ? store_col_int(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int claim_tx(struct store_conn *c, void *arg)
{
	struct attempt *a = arg;
	int64_t now = time_now_ms();
	a->claimed_until = now + notifier.timeout_ms + NOTIFY_CLAIM_MARGIN_MS;
	struct store_stmt *st = store_prepare(c, sql_claim);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, a->claimed_until);
	store_bind_int(st, 2, now / 1000);
	store_bind_int(st, 3, a->id);
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, now);
	store_bind_int(st, 6, notifier.max_attempts);
	int rc = store_step(st);
	free(a->event);
	free(a->payload);
	a->event = a->payload = NULL;
	if (rc == STORE_ROW) {
		a->number = store_col_int(st, 0);
		a->event = xstrdup(store_col_text(st, 1));
		a->payload = xstrdup(store_col_text(st, 2));
		a->created_at = store_col_int(st, 3);
	}
	store_reset(st);
	if (rc == STORE_DONE)
		a->id = 0; /* another node was quicker */
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* Claims the oldest due event into *a. Returns true with a->id set, or
 * false with a->next_due_ms telling when to look again (0: nothing). */
static bool claim_next(struct attempt *a)
{
	for (int tries = 0; tries < 8; tries++) {
		a->id = 0;
		a->next_due_ms = 0;
		if (store_tx(notifier.store, STORE_READ, due_tx, a) != STORE_OK || !a->id)
			return false;
		if (store_tx(notifier.store, STORE_WRITE, claim_tx, a) != STORE_OK)
			return false;
		if (a->id)
			return true;
	}
	return false;
}

/* ---- the delivery thread: sending ---- */

struct outcome {
	long http_status;  /* 0: no answer */
	bool delivered;
	bool interrupted;  /* abandoned for shutdown */
	char error[CURL_ERROR_SIZE];
	int64_t duration_ms;
};

static size_t discard_body(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

/* Error texts go into a TEXT column (PostgreSQL wants UTF-8) and the API. */
static void plain_ascii(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void send_attempt(const struct attempt *a, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	char *body = notify_body(a->id, a->event, a->created_at, a->payload);
	size_t len = strlen(body);
	char signature[NOTIFY_SIGNATURE_SIZE], line[NOTIFY_SIGNATURE_SIZE + 64];
	notify_sign(notifier.secret, time_now(), body, len, signature);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Wangge-Event: %s", a->event);
	headers = curl_slist_append(headers, line);
	snprintf(line, sizeof line, "X-Wangge-Delivery: %lld", (long long)a->id);
	headers = curl_slist_append(headers, line);
	snprintf(line, sizeof line, "X-Wangge-Signature: %s", signature);
	headers = curl_slist_append(headers, line);
	/* No "Expect: 100-continue" round trip for bodies over a kilobyte. */
	headers = curl_slist_append(headers, "Expect:");

	char curl_error[CURL_ERROR_SIZE] = "";
	CURL *h = notifier.easy;
	curl_easy_reset(h); /* keeps the open connections */
	curl_easy_setopt(h, CURLOPT_URL, notifier.url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "wangge/" WANGGE_VERSION);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)notifier.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)notifier.timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);

	int64_t started = time_now_ms();
	CURLcode result = CURLE_OK;
	CURLMcode mc = curl_multi_add_handle(notifier.multi, h);
	int running = 1;
	while (mc == CURLM_OK && running) {
		mc = curl_multi_perform(notifier.multi, &running);
		if (mc != CURLM_OK || !running)
			break;
		if (atomic_load(&notifier.stopping)) {
			o->interrupted = true;
			break;
		}
		mc = curl_multi_poll(notifier.multi, NULL, 0, NOTIFY_POLL_MS, NULL);
	}
	int left;
	CURLMsg *msg;
	while ((msg = curl_multi_info_read(notifier.multi, &left)))
		if (msg->msg == CURLMSG_DONE)
			result = msg->data.result;
	curl_multi_remove_handle(notifier.multi, h);
	o->duration_ms = time_now_ms() - started;

	if (mc != CURLM_OK)
		snprintf(o->error, sizeof o->error, "%s", curl_multi_strerror(mc));
	else if (result != CURLE_OK)
		snprintf(o->error, sizeof o->error, "%s", curl_error[0] ? curl_error : curl_easy_strerror(result));
	else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->http_status);
		o->delivered = o->http_status >= 200 && o->http_status < 300;
		if (!o->delivered)
			snprintf(o->error, sizeof o->error, "HTTP %ld", o->http_status);
	}
	plain_ascii(o->error);
	curl_slist_free_all(headers);
	free(body);
}

/* ---- the delivery thread: recording the outcome ---- */

static const char sql_log[] =
	"INSERT INTO webhook_deliveries (outbox_id, attempt, at, http_status, error, duration_ms)"
	" VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_finish[] =
	"UPDATE webhook_outbox SET state = ?, next_attempt_ms = ?, claimed_until_ms = 0, updated_at = ?"
	" WHERE id = ? AND claimed_until_ms = ?";
/* An attempt abandoned for shutdown is given back uncounted. */
static const char sql_give_back[] =
	"UPDATE webhook_outbox SET attempts = attempts - 1, claimed_until_ms = 0 WHERE id = ? AND claimed_until_ms = ?";

struct finish {
	const struct attempt *a;
	const struct outcome *o;
	const char *state;
	int64_t next_ms;
};

static int finish_tx(struct store_conn *c, void *arg)
{
	struct finish *f = arg;
	struct store_stmt *st;
	int rc;
	if (f->o->interrupted) {
		if (!(st = store_prepare(c, sql_give_back)))
			return STORE_ERROR;
		store_bind_int(st, 1, f->a->id);
		store_bind_int(st, 2, f->a->claimed_until);
		rc = store_step(st);
		store_reset(st);
		return rc == STORE_DONE ? STORE_OK : rc;
	}
	int64_t now = time_now();
	if (!(st = store_prepare(c, sql_log)))
		return STORE_ERROR;
	store_bind_int(st, 1, f->a->id);
	store_bind_int(st, 2, f->a->number);
	store_bind_int(st, 3, now);
	if (f->o->http_status)
		store_bind_int(st, 4, f->o->http_status);
	else
		store_bind_null(st, 4);
	store_bind_text(st, 5, f->o->delivered ? NULL : f->o->error);
	store_bind_int(st, 6, f->o->duration_ms);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	/* Should our claim have lapsed and another node taken the row, its
	 * outcome is the one that counts: this UPDATE then changes nothing. */
	if (!(st = store_prepare(c, sql_finish)))
		return STORE_ERROR;
	store_bind_text(st, 1, f->state);
	store_bind_int(st, 2, f->next_ms);
	store_bind_int(st, 3, now);
	store_bind_int(st, 4, f->a->id);
	store_bind_int(st, 5, f->a->claimed_until);
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void record_outcome(const struct attempt *a, const struct outcome *o)
{
	struct finish f = {.a = a, .o = o, .state = "pending"};
	if (o->delivered)
		f.state = "delivered";
	else if (a->number >= notifier.max_attempts)
		f.state = "failed";
	else
		f.next_ms = time_now_ms() + notify_backoff_ms(notifier.base_ms, a->number, randombytes_random());
	if (!o->interrupted && !o->delivered)
		log_warn("webhook: event %lld (%s) attempt %lld failed: %s%s", (long long)a->id, a->event,
			 (long long)a->number, o->error, strcmp(f.state, "failed") ? "" : "; giving up");
	/* When this fails the claim lapses and the attempt is made again. */
	int rc = store_tx(notifier.store, STORE_WRITE, finish_tx, &f);
	if (rc != STORE_OK)
		log_error("webhook: cannot record attempt %lld of event %lld", (long long)a->number, (long long)a->id);
}

/* ---- the delivery thread: upkeep ---- */

static const char sql_skip_stale[] =
	"UPDATE webhook_outbox SET state = 'skipped', updated_at = ?"
	" WHERE state = 'pending' AND attempts = 0 AND created_at < ? AND claimed_until_ms <= ?";
/* A node that died mid-attempt may leave a row whose last attempt was
 * counted but never recorded. */
static const char sql_fail_spent[] =
	"UPDATE webhook_outbox SET state = 'failed', updated_at = ?"
	" WHERE state = 'pending' AND attempts >= ? AND claimed_until_ms <= ?";
static const char sql_prune_log[] =
	"DELETE FROM webhook_deliveries WHERE outbox_id IN (SELECT id FROM webhook_outbox"
	" WHERE state IN ('delivered', 'skipped', 'failed') AND updated_at < ?)";
static const char sql_prune_outbox[] =
	"DELETE FROM webhook_outbox WHERE state IN ('delivered', 'skipped', 'failed') AND updated_at < ?";

static int maintain_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	int64_t now = time_now(), now_ms = time_now_ms();
	const char *const sqls[] = {sql_skip_stale, sql_fail_spent, sql_prune_log, sql_prune_outbox};
	for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
		struct store_stmt *st = store_prepare(c, sqls[i]);
		if (!st)
			return STORE_ERROR;
		if (sqls[i] == sql_skip_stale) {
			store_bind_int(st, 1, now);
			store_bind_int(st, 2, now - NOTIFY_STALE_S);
			store_bind_int(st, 3, now_ms);
		} else if (sqls[i] == sql_fail_spent) {
			store_bind_int(st, 1, now);
			store_bind_int(st, 2, notifier.max_attempts);
			store_bind_int(st, 3, now_ms);
		} else {
			store_bind_int(st, 1, now - NOTIFY_RETAIN_S);
		}
		int rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* ---- the thread ---- */

static void wait_for(int64_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&notifier.lock);
	while (!notifier.wake && !atomic_load(&notifier.stopping))
		if (pthread_cond_timedwait(&notifier.cond, &notifier.lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&notifier.lock);
}

static bool take_wake(void)
{
	pthread_mutex_lock(&notifier.lock);
	bool woken = notifier.wake;
	notifier.wake = false;
	pthread_mutex_unlock(&notifier.lock);
	return woken;
}

static void *notify_thread(void *arg)
{
	(void)arg;
	int64_t next_upkeep = 0;
	bool look_again = false;
	struct attempt a = {0};
	while (!atomic_load(&notifier.stopping)) {
		bool woken = take_wake();
		if (time_now_ms() >= next_upkeep) {
			if (store_tx(notifier.store, STORE_WRITE, maintain_tx, NULL) != STORE_OK)
				log_warn("webhook: outbox upkeep failed; trying again later");
			next_upkeep = time_now_ms() + NOTIFY_MAINTAIN_EVERY_MS;
		}
		int64_t wait_ms = NOTIFY_POLL_MS;
		if (notifier.url) {
			bool sent = false;
			while (!atomic_load(&notifier.stopping) && claim_next(&a)) {
				struct outcome o;
				send_attempt(&a, &o);
				record_outcome(&a, &o);
				sent = true;
			}
			if (a.next_due_ms) {
				int64_t until = a.next_due_ms - time_now_ms();
				wait_ms = until < 10 ? 10 : until < wait_ms ? until : wait_ms;
			}
			/* A wake that found nothing may have come before its commit. */
			if (woken && !sent && !look_again) {
				wait_ms = 50;
				look_again = true;
			} else {
				look_again = false;
			}
		}
		wait_for(wait_ms);
	}
	free(a.event);
	free(a.payload);
	return NULL;
}

int notify_start(struct store *store, const struct config *cfg, char **err)
{
	notify_store = store;
	if (notifier.running)
		return 0;
	const char *url = config_get(cfg, "webhook_url");
	const char *secret = config_get(cfg, "webhook_secret");
	if (url && *url && (!secret || strlen(secret) < NOTIFY_SECRET_MIN)) {
		*err = xasprintf("webhook_secret must be at least %d characters when webhook_url is set", NOTIFY_SECRET_MIN);
		return -1;
	}
	notifier.store = store;
	notifier.timeout_ms = config_get_int(cfg, "webhook_timeout_ms");
	notifier.base_ms = config_get_int(cfg, "webhook_retry_base_ms");
	notifier.max_attempts = config_get_int(cfg, "webhook_max_attempts");
	atomic_store(&notifier.stopping, false);
	if (url && *url) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			*err = xstrdup("libcurl failed to start");
			return -1;
		}
		notifier.url = xstrdup(url);
		notifier.secret = xstrdup(secret);
		notifier.multi = curl_multi_init();
		notifier.easy = curl_easy_init();
		if (!notifier.multi || !notifier.easy) {
			*err = xstrdup("libcurl failed to start");
			notify_stop();
			return -1;
		}
	}
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&notifier.cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_lock(&notifier.lock);
	notifier.running = true;
	notifier.wake = true; /* look at the outbox at once */
	int rc = pthread_create(&notifier.thread, NULL, notify_thread, NULL);
	if (rc)
		notifier.running = false;
	pthread_mutex_unlock(&notifier.lock);
	if (rc) {
		pthread_cond_destroy(&notifier.cond);
		*err = xasprintf("cannot start the webhook thread: %s", strerror(rc));
		notify_stop();
		return -1;
	}
	if (notifier.url)
		log_info("webhook: delivering events (timeout %lld ms, %lld attempts at most)",
			 (long long)notifier.timeout_ms, (long long)notifier.max_attempts);
	return 0;
}

void notify_stop(void)
{
	pthread_mutex_lock(&notifier.lock);
	bool was_running = notifier.running;
	atomic_store(&notifier.stopping, true);
	if (was_running) {
		pthread_cond_signal(&notifier.cond);
		if (notifier.multi)
			curl_multi_wakeup(notifier.multi);
	}
	pthread_mutex_unlock(&notifier.lock);
	if (was_running) {
		pthread_join(notifier.thread, NULL);
		pthread_mutex_lock(&notifier.lock);
		notifier.running = false;
		pthread_mutex_unlock(&notifier.lock);
		pthread_cond_destroy(&notifier.cond);
	}
	bool had_curl = notifier.url != NULL;
	if (notifier.easy)
		curl_easy_cleanup(notifier.easy);
	if (notifier.multi)
		curl_multi_cleanup(notifier.multi);
	notifier.easy = NULL;
	notifier.multi = NULL;
	if (notifier.secret) {
		sodium_memzero(notifier.secret, strlen(notifier.secret));
		free(notifier.secret);
		notifier.secret = NULL;
	}
	free(notifier.url);
	notifier.url = NULL;
	if (had_curl)
		curl_global_cleanup();
}
