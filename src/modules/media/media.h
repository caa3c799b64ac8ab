/* Photos: a content-addressed blob store (SHA-256 of the bytes), in the
 * database by default so every server node sees every photo, or in a
 * directory for a single machine. Types are checked by content (JPEG, PNG,
 * WebP), never by name or header. */
#ifndef WG_MEDIA_MEDIA_H
#define WG_MEDIA_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct config;
struct http_module;

#define MEDIA_SHA256_HEX 64

/* Whether a photo with this address (64 lower-case hex digits) is stored:
 * STORE_OK, STORE_DONE when not, or a failure. */
int media_photo_exists(struct store_conn *c, const char *sha256);

/* The routes (POST /api/v1/photos, GET /api/v1/photos/{sha256}). Reads the
 * settings photo_max_bytes and blob_dir from cfg (borrowed for the
 * server's life). store may be NULL when only the route table is wanted. */
const struct http_module *media_module(struct store *store, const struct config *cfg);

/* Whether dir (the setting blob_dir) is a directory this process can write
 * in; false with *err (caller frees) otherwise. serve checks it at start so
 * a typo fails there, not at the first upload. */
bool media_blob_dir_usable(const char *dir, char **err);

/* Deletes the blobs no case_photos row refers to whose created_at is before
 * older_than (Unix seconds), and their files in blob_dir mode (as set by
 * media_module). A blob uploaded again is young again (refreshed at most
 * hourly), so with older_than a day or more back a resident's photo is never
 * swept between its upload and the request that cites it. Returns how many
 * were deleted,
 * or -1 on a database failure (logged). */
int media_sweep(struct store *s, int64_t older_than);

#endif
