/* Idempotency-Key for POST: the first answer is kept for a day and given
 * again for the same key from the same caller. A key is reserved before
 * the handler runs, so two copies arriving together do not both write: the
 * second is told the first is still running (409). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "http/server.h"
#include "modules/identity/identity_internal.h"

#define IDEMPOTENCY_SECONDS (24 * 3600)

static const char sql_reserve[] =
	"INSERT INTO idempotency_keys (key_hash, request_hash, status, created_at) VALUES (?, ?, 0, ?)"
	" ON CONFLICT (key_hash) DO NOTHING";
static const char sql_stored[] =
	"SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE key_hash = ?";
static const char sql_record[] =
	"UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE key_hash = ?";
static const char sql_release[] = "DELETE FROM idempotency_keys WHERE key_hash = ?";
static const char sql_purge[] = "DELETE FROM idempotency_keys WHERE created_at < ?";

static void hex_hash(const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen, char out[65])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, a, alen);
	crypto_generichash_update(&st, (const unsigned char *)"\0", 1);
	crypto_generichash_update(&st, b, blen);
	crypto_generichash_update(&st, (const unsigned char *)"\0", 1);
	crypto_generichash_update(&st, c, clen);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The key as the database keeps it: who asks, and the key they chose. */
static void key_hash(struct http_req *req, const char *key, char out[65])
{
	const struct caller *c = identity_caller(req);
	char who[48];
	if (c && c->user_id)
		snprintf(who, sizeof who, "u%lld", (long long)c->user_id);
	else if (c)
		snprintf(who, sizeof who, "t%lld", (long long)c->token_id);
	else
		snprintf(who, sizeof who, "anonymous");
	hex_hash(who, strlen(who), key, strlen(key), "", 0, out);
}

struct idem {
	char key[65], request[65];
	bool reserved;
	/* a stored answer */
	bool mismatch;
	int64_t status;
	char content_type[96];
	void *body;
	size_t len;
	/* end */
	const void *answer;
	size_t answer_len;
	const char *answer_type;
};

static int begin_tx(struct store_conn *c, void *arg)
{
	struct idem *i = arg;
	int64_t now = time_now();
	struct store_stmt *st;
	int rc;
	/* Old keys go now and then, not on every request. */
	if (randombytes_uniform(64) == 0) {
		st = store_prepare(c, sql_purge);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, now - IDEMPOTENCY_SECONDS);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	st = store_prepare(c, sql_reserve);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, i->key);
	store_bind_text(st, 2, i->request);
	store_bind_int(st, 3, now);
	rc = store_step(st);
	i->reserved = rc == STORE_DONE && store_changes(st) == 1;
	store_reset(st);
	if (rc != STORE_DONE || i->reserved)
		return rc == STORE_DONE ? STORE_OK : rc;
	st = store_prepare(c, sql_stored);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, i->key);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		i->mismatch = strcmp(store_col_text(st, 0), i->request) != 0;
		i->status = store_col_int(st, 1);
		snprintf(i->content_type, sizeof i->content_type, "%s", store_col_text(st, 2));
		size_t n = 0;
		const void *b = store_col_null(st, 3) ? NULL : store_col_blob(st, 3, &n);
		free(i->body);
		i->body = xmalloc(n + 1);
		if (n)
			memcpy(i->body, b, n);
		i->len = n;
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_SOFT : rc;
}

static enum http_idem idem_begin(struct http_req *req, const char *key, void *ctx)
{
	struct store *s = ctx;
	struct idem i = {0};
	key_hash(req, key, i.key);
	size_t len;
	const char *body = http_body(req, &len);
	const char *url = http_url(req);
	hex_hash("POST", 4, url, strlen(url), body, len, i.request);
	int rc = store_tx(s, STORE_WRITE, begin_tx, &i);
	if (rc != STORE_OK) {
		free(i.body);
		http_reply_error(req, HTTP_ERR_unavailable, NULL, "The database is busy: try again");
		return HTTP_IDEM_REPLIED;
	}
	if (i.reserved)
		return HTTP_IDEM_PROCEED;
	if (i.mismatch) {
		free(i.body);
		http_reply_error(req, HTTP_ERR_invalid_value, "Idempotency-Key",
				 "This Idempotency-Key was used for another request");
		return HTTP_IDEM_REPLIED;
	}
	if (i.status == 0) {
		free(i.body);
		http_reply_error(req, HTTP_ERR_conflict, "Idempotency-Key", "The first request with this key is still running");
		return HTTP_IDEM_REPLIED;
	}
	http_reply_raw(req, (unsigned)i.status, i.content_type[0] ? i.content_type : NULL, i.body, i.len);
	http_add_header(req, "Idempotent-Replayed", "true");
	return HTTP_IDEM_REPLIED;
}

static int end_tx(struct store_conn *c, void *arg)
{
	struct idem *i = arg;
	struct store_stmt *st = store_prepare(c, i->status >= 500 ? sql_release : sql_record);
	if (!st)
		return STORE_ERROR;
	if (i->status >= 500) {
		store_bind_text(st, 1, i->key);
	} else {
		store_bind_int(st, 1, i->status);
		store_bind_text(st, 2, i->answer_type);
		store_bind_blob(st, 3, i->answer ? i->answer : "", i->answer_len);
		store_bind_text(st, 4, i->key);
	}
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* A server failure frees the key, so the client's retry runs again;
 * any other answer is what every retry gets. */
static void idem_end(struct http_req *req, const char *key, unsigned status, const char *content_type,
		     const void *body, size_t len, void *ctx)
{
	struct idem i = {.status = status, .answer = body, .answer_len = len, .answer_type = content_type};
	key_hash(req, key, i.key);
	if (store_tx(ctx, STORE_WRITE, end_tx, &i) != STORE_OK)
		log_error("request %s: cannot record its idempotent answer", http_request_id(req));
}

const struct http_idempotency *identity_idempotency(struct store *store)
{
	static struct http_idempotency idem = {.begin = idem_begin, .end = idem_end};
	idem.ctx = store;
	return &idem;
}
