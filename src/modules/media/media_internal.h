/* What the media module's files share: the blob files of blob_dir mode.
 * Each blob is DIR/ab/cd/<sha256>, ab and cd being its first four hex
 * digits, so no directory grows past 65536 entries for a town's photos. */
#ifndef WG_MEDIA_MEDIA_INTERNAL_H
#define WG_MEDIA_MEDIA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/media/media.h"

/* The largest file read back: the largest photo_max_bytes. */
#define MEDIA_MAX_BYTES (20u << 20)

/* Whether text is a blob address: 64 lower-case hex digits. */
bool media_valid_address(const char *text);
/* The lower-case hex SHA-256 of data into out. */
void media_sha256_hex(const void *data, size_t len, char out[MEDIA_SHA256_HEX + 1]);

enum blob_file_rc {
	BLOB_FILE_OK,
	BLOB_FILE_MISSING, /* no such file */
	BLOB_FILE_CORRUPT, /* the bytes are not those of the address (logged) */
	BLOB_FILE_ERROR,   /* an I/O failure (logged) */
};

/* Writes data as the file of sha: a temporary file beside it, fsync,
 * rename over the final name, fsync of the directory. A crash leaves either
 * no file or the whole one (and perhaps a stray temporary). Returns
 * BLOB_FILE_OK or BLOB_FILE_ERROR. */
enum blob_file_rc blob_file_write(const char *dir, const char *sha, const void *data, size_t len);
/* Whether the file of sha exists with this size. */
bool blob_file_present(const char *dir, const char *sha, int64_t size);
/* Whether the file of sha is there and holds the bytes of its name. */
bool blob_file_intact(const char *dir, const char *sha);
/* Reads the file of sha and checks its SHA-256. On BLOB_FILE_OK *data
 * (caller frees) and *len are set. */
enum blob_file_rc blob_file_read(const char *dir, const char *sha, void **data, size_t *len);
/* The sweep's two steps: move the file aside (BLOB_FILE_OK, or MISSING when
 * there was none), then either discard it or put it back. Putting back is
 * always right, whatever was written in between: a file of that name holds
 * the same bytes. */
enum blob_file_rc blob_file_set_aside(const char *dir, const char *sha);
void blob_file_discard(const char *dir, const char *sha);
void blob_file_restore(const char *dir, const char *sha);

#endif
