/* Re-keying sealed fields after a key rotation, in batches that commit on
 * their own: an interrupted rotation resumes where it stopped. */
#include <string.h>

#include "modules/register/register_internal.h"

#define REKEY_BATCH 1000

static const struct rekey_table persons_table = {
	.what = "person",
	.stale_sql = "SELECT id, id_sealed, phone_sealed, key_version FROM persons WHERE key_version <> ? AND id > ?"
		     " ORDER BY id LIMIT ?",
	.update_sql = "UPDATE persons SET id_sealed = ?, id_hash = ?, phone_sealed = ?, phone_hash = ?, key_version = ?"
		      " WHERE id = ? AND key_version = ?",
	.count_sql = "SELECT COUNT(*) FROM persons WHERE key_version <> ?",
	.fields = 2,
	.kinds = {"id", "phone"},
};

struct rekey {
	const struct vault *v;
	const struct rekey_table *t;
	int64_t after;    /* rows are walked by id, so damaged ones are passed */
	int64_t rekeyed;
	int64_t done;
	int64_t left;
	bool damaged;
};

/* Binds the re-sealed field; false when it does not open, and then the
 * row must be left as it is: a field is never destroyed by a rotation. */
static bool reseal(const struct vault *v, int version, struct store_stmt *from, int col, const char *kind,
		   struct store_stmt *to, int idx)
{
	if (store_col_null(from, col)) {
		store_bind_null(to, idx);
		store_bind_null(to, idx + 1);
		return true;
	}
	size_t n;
	const unsigned char *sealed = store_col_blob(from, col, &n);
	char plain[64];
	if (!vault_open(v, version, sealed, n, plain, sizeof plain))
		return false;
	size_t len = strlen(plain);
	unsigned char out[VAULT_SEALED_SIZE(64)];
	char hash[VAULT_HASH_HEX];
	vault_seal(v, plain, len, out);
	vault_hash(v, 0, kind, plain, hash);
	sodium_memzero(plain, sizeof plain);
	store_bind_blob(to, idx, out, VAULT_SEALED_SIZE(len));
	store_bind_text(to, idx + 1, hash);
	return true;
}

static int rekey_tx(struct store_conn *c, void *arg)
{
	struct rekey *r = arg;
	const struct rekey_table *t = r->t;
	struct store_stmt *st = store_prepare(c, t->stale_sql);
	struct store_stmt *up = store_prepare(c, t->update_sql);
	if (!st || !up)
		return STORE_ERROR;
	store_bind_int(st, 1, r->v->current);
	store_bind_int(st, 2, r->after);
	store_bind_int(st, 3, REKEY_BATCH);
	int rc;
	int64_t batch = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int version = (int)store_col_int(st, t->fields + 1);
		r->after = store_col_int(st, 0);
		batch++;
		bool opened = true;
		for (int f = 0; f < t->fields && opened; f++)
			opened = reseal(r->v, version, st, 1 + f, t->kinds[f], up, 1 + 2 * f);
		if (!opened) {
			log_error("%s %lld: a sealed field does not open with key version %d: left as it is", t->what,
				  (long long)r->after, version);
			r->damaged = true;
			store_reset(up);
			continue;
		}
		store_bind_int(up, 2 * t->fields + 1, r->v->current);
		store_bind_int(up, 2 * t->fields + 2, store_col_int(st, 0));
		store_bind_int(up, 2 * t->fields + 3, version);
		int urc = store_step(up);
		store_reset(up);
		if (urc != STORE_DONE) {
			store_reset(st);
			return urc;
		}
		r->rekeyed++;
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	r->done = batch;
	return STORE_OK;
}

static int stale_tx(struct store_conn *c, void *arg)
{
	struct rekey *r = arg;
	struct store_stmt *st = store_prepare(c, r->t->count_sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->v->current);
	int rc = store_step(st);
	r->left = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

int rekey_table_stale(struct store *s, const struct vault *v, const struct rekey_table *t, int64_t *count)
{
	struct rekey r = {.v = v, .t = t};
	int rc = store_tx(s, STORE_READ, stale_tx, &r);
	*count = r.left;
	return rc;
}

int rekey_table_run(struct store *s, const struct vault *v, const struct rekey_table *t, int64_t *rekeyed,
		    bool *damaged)
{
	*rekeyed = 0;
	*damaged = false;
	int64_t after = 0;
	for (;;) {
		struct rekey r = {.v = v, .t = t, .after = after};
		int rc = store_tx(s, STORE_WRITE, rekey_tx, &r);
		if (rc != STORE_OK)
			return rc;
		*rekeyed += r.rekeyed;
		*damaged |= r.damaged;
		after = r.after;
		if (r.done < REKEY_BATCH)
			return STORE_OK;
	}
}

int register_stale_rows(struct store *s, const struct vault *v, int64_t *count)
{
	return rekey_table_stale(s, v, &persons_table, count);
}

int register_rekey(struct store *s, const struct vault *v, int64_t *rekeyed, bool *damaged)
{
	return rekey_table_run(s, v, &persons_table, rekeyed, damaged);
}
