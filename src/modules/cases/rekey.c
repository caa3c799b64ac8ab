/* The reporters' phones are sealed like the register's: a key rotation
 * re-keys them with the register's engine. */
#include "modules/cases/cases.h"
#include "modules/register/register.h"

static const struct rekey_table cases_table = {
	.what = "case",
	.stale_sql = "SELECT id, reporter_phone_sealed, key_version FROM cases WHERE key_version <> ? AND id > ?"
		     " AND reporter_phone_sealed IS NOT NULL ORDER BY id LIMIT ?",
	.update_sql = "UPDATE cases SET reporter_phone_sealed = ?, reporter_phone_hash = ?, key_version = ?"
		      " WHERE id = ? AND key_version = ?",
	.count_sql = "SELECT COUNT(*) FROM cases WHERE key_version <> ? AND reporter_phone_sealed IS NOT NULL",
	.fields = 1,
	.kinds = {"phone"},
};

int cases_stale_rows(struct store *s, const struct vault *v, int64_t *count)
{
	return rekey_table_stale(s, v, &cases_table, count);
}

int cases_rekey(struct store *s, const struct vault *v, int64_t *rekeyed, bool *damaged)
{
	return rekey_table_run(s, v, &cases_table, rekeyed, damaged);
}
