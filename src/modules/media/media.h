/* Photos: a content-addressed blob store (SHA-256 of the bytes), in the
 * database by default so every server node sees every photo, or in a
 * directory for a single machine. Types are checked by content (JPEG, PNG,
 * WebP), never by name or header. */
#ifndef WG_MEDIA_MEDIA_H
#define WG_MEDIA_MEDIA_H

#include <stdbool.h>

#include "store/store.h"

#define MEDIA_SHA256_HEX 64

/* Whether a photo with this address (64 lower-case hex digits) is stored:
 * STORE_OK, STORE_DONE when not, or a failure. */
int media_photo_exists(struct store_conn *c, const char *sha256);

#endif
