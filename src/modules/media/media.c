/* Photos over HTTP: upload decided by content, download by address, and the
 * orphan sweep.
 *
 * Anyone may upload (a resident attaches photos before sending a request)
 * and anyone may download: the 256-bit address is the capability, learnt
 * only from the upload's answer or from a case the reader may see. What is
 * served is always inert: the type decided at upload (never the client's
 * word), nosniff, and a sandboxing Content-Security-Policy, so an accepted
 * polyglot (a valid JPEG header followed by HTML) is never run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/image.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "http/http.h"
#include "modules/common/reply.h"
#include "modules/media/media_internal.h"

/* An upload of bytes already stored makes the blob young again (so the
 * sweep spares it), but at most this often: the row may hold megabytes,
 * and rewriting it for every retry of a phone would be waste. */
#define MEDIA_REFRESH_SECONDS 3600
#define MEDIA_DEFAULT_MAX_BYTES (5 << 20)
#define SWEEP_BATCH 100

static struct store *media_store;
static const char *media_blob_dir; /* NULL: new bytes go to the database */
static int64_t media_max_bytes = MEDIA_DEFAULT_MAX_BYTES;

static const char sql_exists[] = "SELECT 1 FROM blobs WHERE sha256 = ?";

int media_photo_exists(struct store_conn *c, const char *sha256)
{
	if (!sha256 || !media_valid_address(sha256))
		return STORE_DONE;
	struct store_stmt *st = store_prepare(c, sql_exists);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, sha256);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* ---- upload ---- */

static const char sql_blob_state[] =
	"SELECT CASE WHEN data IS NULL THEN 1 ELSE 0 END, created_at FROM blobs WHERE sha256 = ?";
static const char sql_blob_touch[] = "UPDATE blobs SET created_at = ? WHERE sha256 = ?";
static const char sql_blob_adopt[] = "UPDATE blobs SET data = ? WHERE sha256 = ? AND data IS NULL";
static const char sql_blob_insert[] =
	"INSERT INTO blobs (sha256, mime, size, width, height, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT (sha256) DO NOTHING";

struct upload {
	const void *data; /* borrowed from the request */
	size_t len;
	const struct image_info *info;
	char sha[MEDIA_SHA256_HEX + 1];
	int64_t now;
	bool exists;        /* the row was there before */
	bool stored_in_dir; /* the row's bytes are a file of blob_dir */
	bool created;       /* this upload made the row */
};

static int upload_update(struct store_conn *c, const char *sql, struct upload *u, bool with_data)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	if (with_data)
		store_bind_blob(st, 1, u->data, u->len);
	else
		store_bind_int(st, 1, u->now);
	store_bind_text(st, 2, u->sha);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int upload_insert(struct store_conn *c, struct upload *u, bool with_data)
{
	struct store_stmt *st = store_prepare(c, sql_blob_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, u->sha);
	store_bind_text(st, 2, u->info->mime);
	store_bind_int(st, 3, (int64_t)u->len);
	store_bind_int(st, 4, u->info->width);
	store_bind_int(st, 5, u->info->height);
	if (with_data)
		store_bind_blob(st, 6, u->data, u->len);
	else
		store_bind_null(st, 6);
	store_bind_int(st, 7, u->now);
	int rc = store_step(st);
	u->created = rc == STORE_DONE && store_changes(st) == 1;
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Finds the blob and refreshes it, or (bytes in the database) makes it. In
 * blob_dir mode a new row is made later, once its file is durable, so a
 * row never names a file that is not there. */
static int upload_find_tx(struct store_conn *c, void *arg)
{
	struct upload *u = arg;
	u->exists = u->stored_in_dir = u->created = false;
	struct store_stmt *st = store_prepare(c, sql_blob_state);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, u->sha);
	int rc = store_step(st);
	bool in_dir = rc == STORE_ROW && store_col_int(st, 0) == 1;
	int64_t created_at = rc == STORE_ROW ? store_col_int(st, 1) : 0;
	store_reset(st);
	if (rc == STORE_DONE)
		return media_blob_dir ? STORE_OK : upload_insert(c, u, true);
	if (rc != STORE_ROW)
		return rc;
	u->exists = true;
	if (created_at < u->now - MEDIA_REFRESH_SECONDS && (rc = upload_update(c, sql_blob_touch, u, false)) != STORE_OK)
		return rc;
	/* Kept in a directory this server does not use: the bytes in hand move
	 * into the database, where every node sees them. */
	if (in_dir && !media_blob_dir) {
		in_dir = false;
		if ((rc = upload_update(c, sql_blob_adopt, u, true)) != STORE_OK)
			return rc;
	}
	u->stored_in_dir = in_dir;
	return STORE_OK;
}

static int upload_insert_tx(struct store_conn *c, void *arg)
{
	return upload_insert(c, arg, false);
}

/* POST /api/v1/photos: the raw bytes, whatever Content-Type says. */
static void photos_create(struct http_req *req)
{
	size_t len;
	const char *body = http_body(req, &len);
	if ((int64_t)len > media_max_bytes) {
		http_reply_error(req, HTTP_ERR_payload_too_large, NULL, "A photo is at most %lld bytes",
				 (long long)media_max_bytes);
		return;
	}
	struct image_info info;
	if (!image_sniff(body, len, &info)) {
		http_reply_error(req, HTTP_ERR_unsupported_media_type, NULL, "Not accepted as a photo: %s", info.reason);
		return;
	}
	struct upload u = {.data = body, .len = len, .info = &info, .now = time_now()};
	media_sha256_hex(body, len, u.sha);
	int rc = store_tx(media_store, STORE_WRITE, upload_find_tx, &u);
	if (rc == STORE_OK && media_blob_dir && !u.exists) {
		if (blob_file_write(media_blob_dir, u.sha, body, len) != BLOB_FILE_OK) {
			http_reply_error(req, HTTP_ERR_internal_error, NULL, NULL);
			return;
		}
		rc = store_tx(media_store, STORE_WRITE, upload_insert_tx, &u);
		u.stored_in_dir = true;
	}
	if (rc != STORE_OK) {
		reply_store_failure(req, rc);
		return;
	}
	/* The file may be gone though the row is there: set aside by a sweep
	 * racing this upload (see media_sweep), or lost or damaged on disk. The
	 * bytes in hand put it back. A file just written needs only to be
	 * there; an older one is read and checked, which costs a read of one
	 * photo on an upload of bytes already stored, a rare event. */
	if (u.stored_in_dir) {
		bool intact = u.exists ? blob_file_intact(media_blob_dir, u.sha)
				       : blob_file_present(media_blob_dir, u.sha, (int64_t)len);
		if (!intact && blob_file_write(media_blob_dir, u.sha, body, len) != BLOB_FILE_OK) {
			http_reply_error(req, HTTP_ERR_internal_error, NULL, NULL);
			return;
		}
	}
	char url[sizeof "/api/v1/photos/" + MEDIA_SHA256_HEX];
	snprintf(url, sizeof url, "/api/v1/photos/%s", u.sha);
	http_reply_json(req, u.created ? 201 : 200,
			json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "sha256", u.sha, "type", info.mime, "size",
				  (json_int_t)len, "width", (json_int_t)info.width, "height", (json_int_t)info.height,
				  "url", url));
}

/* ---- download ---- */

static const char sql_blob_meta[] = "SELECT mime FROM blobs WHERE sha256 = ?";
static const char sql_blob_data[] = "SELECT mime, data FROM blobs WHERE sha256 = ?";

struct download {
	const char *sha;
	bool want_data;
	bool found, in_dir;
	char mime[32];
	void *data; /* owned; NULL when in_dir */
	size_t len;
};

static int download_tx(struct store_conn *c, void *arg)
{
	struct download *d = arg;
	d->found = d->in_dir = false;
	free(d->data);
	d->data = NULL;
	d->len = 0;
	struct store_stmt *st = store_prepare(c, d->want_data ? sql_blob_data : sql_blob_meta);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, d->sha);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		d->found = true;
		snprintf(d->mime, sizeof d->mime, "%s", store_col_text(st, 0));
		if (d->want_data && store_col_null(st, 1)) {
			d->in_dir = true;
		} else if (d->want_data) {
			size_t n;
			const void *bytes = store_col_blob(st, 1, &n);
			d->data = xmalloc(n ? n : 1);
			if (n)
				memcpy(d->data, bytes, n);
			d->len = n;
		}
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* If-None-Match holds "*" or a list of entity tags, each perhaps weak. */
static bool etag_listed(const char *list, const char *etag)
{
	if (!list)
		return false;
	size_t n = strlen(etag);
	for (const char *p = list; *p;) {
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		size_t len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if ((len == 1 && *p == '*') || (len == n && strncmp(p, etag, n) == 0))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

/* The address names the bytes forever, so caches may keep them for a
 * year; "private" keeps them out of shared caches, since a photo may show
 * a resident's home. The policy replaces the server's: nothing in the
 * bytes may load or run anything. */
static void photo_headers(struct http_req *req, const char *etag)
{
	http_add_header(req, "ETag", etag);
	http_add_header(req, "Cache-Control", "private, max-age=31536000, immutable");
	http_add_header(req, "Content-Security-Policy", "default-src 'none'; sandbox");
	http_add_header(req, "Content-Disposition", "inline");
}

static void photos_read(struct http_req *req)
{
	const char *sha = http_param(req, "sha256");
	if (!sha || !media_valid_address(sha)) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	char etag[MEDIA_SHA256_HEX + 3];
	snprintf(etag, sizeof etag, "\"%s\"", sha);
	/* A client holding the tag needs no bytes: only whether the blob is
	 * still there. */
	struct download d = {.sha = sha, .want_data = !etag_listed(http_header(req, "If-None-Match"), etag)};
	int rc = store_tx(media_store, STORE_READ, download_tx, &d);
	if (rc != STORE_OK || !d.found) {
		free(d.data);
		if (rc != STORE_OK)
			reply_store_failure(req, rc);
		else
			http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	if (!d.want_data) {
		http_reply_raw(req, 304, NULL, NULL, 0);
		photo_headers(req, etag);
		return;
	}
	if (d.in_dir) {
		enum blob_file_rc frc = BLOB_FILE_ERROR;
		if (!media_blob_dir)
			log_error("photo %s is kept in a blob_dir, but blob_dir is not set", sha);
		else
			frc = blob_file_read(media_blob_dir, sha, &d.data, &d.len);
		if (frc == BLOB_FILE_MISSING) {
			/* Swept a moment ago, or lost: only the row can tell. */
			d.want_data = false;
			rc = store_tx(media_store, STORE_READ, download_tx, &d);
			if (rc == STORE_OK && !d.found) {
				http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
				return;
			}
			log_error("blob_dir: the file of photo %s is missing", sha);
		}
		if (frc != BLOB_FILE_OK) {
			http_reply_error(req, HTTP_ERR_internal_error, NULL, NULL);
			return;
		}
	}
	http_reply_raw(req, 200, d.mime, d.data, d.len);
	photo_headers(req, etag);
}

/* ---- the orphan sweep ---- */

static const char sql_orphans[] =
	"SELECT b.sha256 FROM blobs b WHERE b.created_at < ? AND b.sha256 > ?"
	" AND NOT EXISTS (SELECT 1 FROM case_photos p WHERE p.sha256 = b.sha256) ORDER BY b.sha256 LIMIT 100";
/* The conditions again: a case may have cited the blob since it was listed. */
static const char sql_orphan_delete[] =
	"DELETE FROM blobs WHERE sha256 = ? AND created_at < ?"
	" AND NOT EXISTS (SELECT 1 FROM case_photos p WHERE p.sha256 = blobs.sha256)";

struct sweep_batch {
	int64_t older_than;
	char after[MEDIA_SHA256_HEX + 1];
	size_t count;
	char sha[SWEEP_BATCH][MEDIA_SHA256_HEX + 1];
};

static int sweep_list_tx(struct store_conn *c, void *arg)
{
	struct sweep_batch *b = arg;
	b->count = 0;
	struct store_stmt *st = store_prepare(c, sql_orphans);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, b->older_than);
	store_bind_text(st, 2, b->after);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW && b->count < SWEEP_BATCH)
		snprintf(b->sha[b->count++], sizeof b->sha[0], "%s", store_col_text(st, 0));
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

struct sweep_one {
	const char *sha;
	int64_t older_than;
	bool deleted;
};

static int sweep_delete_tx(struct store_conn *c, void *arg)
{
	struct sweep_one *o = arg;
	struct store_stmt *st = store_prepare(c, sql_orphan_delete);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, o->sha);
	store_bind_int(st, 2, o->older_than);
	int rc = store_step(st);
	o->deleted = rc == STORE_DONE && store_changes(st) == 1;
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* One transaction per blob: the sweep runs beside live traffic and must
 * never hold the write lock for long. A file is removed in two steps:
 * moved aside, then discarded only if no upload made the row again in the
 * meantime. An upload that wrote its file before the move finds the file
 * gone after its commit and writes it again (photos_create), so a row
 * never outlives its file. */
int media_sweep(struct store *s, int64_t older_than)
{
	struct sweep_batch *b = xcalloc(1, sizeof *b);
	b->older_than = older_than;
	int deleted = 0;
	for (;;) {
		int rc = store_tx(s, STORE_READ, sweep_list_tx, b);
		for (size_t i = 0; rc == STORE_OK && i < b->count; i++) {
			struct sweep_one one = {.sha = b->sha[i], .older_than = older_than};
			rc = store_tx(s, STORE_WRITE, sweep_delete_tx, &one);
			if (rc != STORE_OK || !one.deleted)
				continue;
			deleted++;
			if (!media_blob_dir || blob_file_set_aside(media_blob_dir, one.sha) != BLOB_FILE_OK)
				continue;
			struct download d = {.sha = one.sha};
			if (store_tx(s, STORE_READ, download_tx, &d) != STORE_OK || d.found)
				blob_file_restore(media_blob_dir, one.sha);
			else
				blob_file_discard(media_blob_dir, one.sha);
		}
		if (rc != STORE_OK) {
			log_error("media sweep: the database failed (%d) after %d blobs", rc, deleted);
			deleted = -1;
			break;
		}
		if (b->count < SWEEP_BATCH)
			break;
		memcpy(b->after, b->sha[b->count - 1], sizeof b->after);
	}
	free(b);
	return deleted;
}

/* ---- the module ---- */

bool media_blob_dir_usable(const char *dir, char **err)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		*err = xasprintf("blob_dir %s is not a directory", dir);
		return false;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		*err = xasprintf("blob_dir %s is not writable", dir);
		return false;
	}
	return true;
}

static const struct http_route media_routes[] = {
	/* The largest photo_max_bytes; the setting itself is checked in the
	 * handler, since a route's limit is fixed at build time. */
	{HTTP_POST, "/api/v1/photos", photos_create, "public", NULL, HTTP_BODY_RAW, MEDIA_MAX_BYTES},
	{HTTP_GET, "/api/v1/photos/{sha256}", photos_read, "public", NULL, HTTP_BODY_NONE, 0},
};

static const struct http_module media_http = {
	.name = "media",
	.routes = media_routes,
	.count = sizeof media_routes / sizeof media_routes[0],
};

const struct http_module *media_module(struct store *store, const struct config *cfg)
{
	media_store = store;
	const char *dir = cfg ? config_get(cfg, "blob_dir") : NULL;
	media_blob_dir = dir && *dir ? dir : NULL;
	media_max_bytes = cfg ? config_get_int(cfg, "photo_max_bytes") : MEDIA_DEFAULT_MAX_BYTES;
	return &media_http;
}
