/* Image types decided by content: JPEG, PNG and WebP, recognised by their
 * magic bytes and accepted only when the header checks out in full, without
 * decoding a pixel. Pure: no I/O, no allocation.
 *
 * What is accepted may still carry anything after a valid header (a "JPEG
 * then HTML" polyglot, say). That is harmless because of how photos are
 * served (src/modules/media): always with the image type decided here,
 * X-Content-Type-Options: nosniff, a Content-Security-Policy of
 * "default-src 'none'; sandbox" and Content-Disposition: inline, so no
 * browser renders the bytes as a document or runs them as script. */
#ifndef WG_CORE_IMAGE_H
#define WG_CORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A side longer than this is refused: phones take 4000 x 3000 photos, and
 * a huge canvas in a tiny file is the mark of a decompression bomb. */
#define IMAGE_MAX_SIDE 20000u

enum image_type {
	IMAGE_NONE,
	IMAGE_JPEG,
	IMAGE_PNG,
	IMAGE_WEBP,
};

struct image_info {
	enum image_type type;  /* IMAGE_NONE when refused */
	const char *mime;      /* "image/jpeg", "image/png", "image/webp"; static; NULL when refused */
	uint32_t width, height;
	const char *reason;    /* static English text when refused; NULL when accepted */
};

/* Decides the type of data[0..len) by content and checks its header.
 * Returns true with out's type, mime and dimensions filled, or false with
 * out->reason saying why the bytes are refused. */
bool image_sniff(const void *data, size_t len, struct image_info *out);

#endif
