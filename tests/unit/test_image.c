/* Image types by content: hand-made headers of each type, each accepted
 * with its size, and each way of being wrong refused with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/image.h"

struct bytes {
	uint8_t b[256];
	size_t n;
};

static void put(struct bytes *x, const void *p, size_t n)
{
	assert_true(x->n + n <= sizeof x->b);
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

#define PUT(x, ...) put((x), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static void put_be32(struct bytes *x, uint32_t v)
{
	PUT(x, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v);
}

static void put_le32(struct bytes *x, uint32_t v)
{
	PUT(x, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24));
}

/* ---- builders ---- */

/* SOI, APP0 (JFIF), a DHT (C4, not a frame), then the frame header
 * `sof` with three components 4:2:0, then a SOS to stand for the scan. */
static struct bytes jpeg(uint8_t sof, uint16_t width, uint16_t height)
{
	struct bytes x = {0};
	PUT(&x, 0xFF, 0xD8);
	PUT(&x, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0);
	PUT(&x, 0xFF, 0xC4, 0x00, 0x05, 0x00, 0x00, 0x00);
	PUT(&x, 0xFF, sof, 0x00, 0x11, 0x08, (uint8_t)(height >> 8), (uint8_t)height, (uint8_t)(width >> 8),
	    (uint8_t)width, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01);
	PUT(&x, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00);
	return x;
}

/* The signature and an IHDR with its CRC (from zlib, checked against a
 * known file below). */
static struct bytes png(uint32_t width, uint32_t height, uint8_t depth, uint8_t colour, uint8_t interlace)
{
	struct bytes x = {0};
	PUT(&x, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
	put_be32(&x, 13);
	size_t from = x.n;
	PUT(&x, 'I', 'H', 'D', 'R');
	put_be32(&x, width);
	put_be32(&x, height);
	PUT(&x, depth, colour, 0, 0, interlace);
	put_be32(&x, (uint32_t)crc32(0, x.b + from, (uInt)(x.n - from)));
	PUT(&x, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82);
	return x;
}

/* RIFF, WEBP, then chunks; the RIFF size is fixed up by webp_close. */
static struct bytes webp_open(void)
{
	struct bytes x = {0};
	PUT(&x, 'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P');
	return x;
}

static void webp_chunk(struct bytes *x, const char *fourcc, const uint8_t *payload, uint32_t n)
{
	put(x, fourcc, 4);
	put_le32(x, n);
	put(x, payload, n);
	if (n & 1)
		PUT(x, 0);
}

static struct bytes webp_close(struct bytes x)
{
	uint32_t riff = (uint32_t)x.n - 8;
	memcpy(x.b + 4, (uint8_t[]){(uint8_t)riff, (uint8_t)(riff >> 8), (uint8_t)(riff >> 16), (uint8_t)(riff >> 24)}, 4);
	return x;
}

static struct bytes webp_vp8(uint8_t tag0, uint16_t width, uint16_t height)
{
	struct bytes x = webp_open();
	const uint8_t frame[] = {tag0, 0x00, 0x00, 0x9d, 0x01, 0x2a, (uint8_t)width, (uint8_t)(width >> 8),
				 (uint8_t)height, (uint8_t)(height >> 8)};
	webp_chunk(&x, "VP8 ", frame, sizeof frame);
	return webp_close(x);
}

static struct bytes webp_vp8l(uint8_t signature, uint32_t width, uint32_t height, uint32_t version)
{
	struct bytes x = webp_open();
	uint32_t bits = (width - 1) | (height - 1) << 14 | version << 29;
	const uint8_t header[] = {signature, (uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
				  (uint8_t)(bits >> 24)};
	webp_chunk(&x, "VP8L", header, sizeof header);
	return webp_close(x);
}

static struct bytes webp_vp8x(uint32_t width, uint32_t height)
{
	struct bytes x = webp_open();
	uint32_t w = width - 1, h = height - 1;
	const uint8_t canvas[] = {0x10, 0, 0, 0, (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16),
				  (uint8_t)h, (uint8_t)(h >> 8), (uint8_t)(h >> 16)};
	webp_chunk(&x, "VP8X", canvas, sizeof canvas);
	const uint8_t lossless[] = {0x2f, 0, 0, 0, 0};
	webp_chunk(&x, "VP8L", lossless, sizeof lossless);
	return webp_close(x);
}

static struct bytes text(const char *s)
{
	struct bytes x = {0};
	put(&x, s, strlen(s));
	return x;
}

/* ---- accepted ---- */

static void expect_ok(struct bytes x, enum image_type type, const char *mime, uint32_t w, uint32_t h)
{
	struct image_info info;
	bool ok = image_sniff(x.b, x.n, &info);
	if (!ok)
		fail_msg("refused: %s", info.reason);
	assert_int_equal(info.type, type);
	assert_string_equal(info.mime, mime);
	assert_int_equal(info.width, w);
	assert_int_equal(info.height, h);
	assert_null(info.reason);
}

static void test_accepted(void **state)
{
	(void)state;
	expect_ok(jpeg(0xC0, 640, 480), IMAGE_JPEG, "image/jpeg", 640, 480);  /* baseline */
	expect_ok(jpeg(0xC2, 4000, 3000), IMAGE_JPEG, "image/jpeg", 4000, 3000); /* progressive */
	expect_ok(jpeg(0xCF, 1, 1), IMAGE_JPEG, "image/jpeg", 1, 1);
	expect_ok(jpeg(0xC0, 20000, 20000), IMAGE_JPEG, "image/jpeg", 20000, 20000);
	expect_ok(png(1, 1, 8, 6, 0), IMAGE_PNG, "image/png", 1, 1);
	expect_ok(png(1024, 768, 16, 2, 1), IMAGE_PNG, "image/png", 1024, 768);
	expect_ok(png(300, 200, 4, 3, 0), IMAGE_PNG, "image/png", 300, 200);
	expect_ok(png(300, 200, 1, 0, 0), IMAGE_PNG, "image/png", 300, 200);
	expect_ok(webp_vp8(0x10, 320, 240), IMAGE_WEBP, "image/webp", 320, 240);
	expect_ok(webp_vp8(0x10, 320 | 0x4000, 240 | 0xC000), IMAGE_WEBP, "image/webp", 320, 240); /* scale bits */
	expect_ok(webp_vp8l(0x2f, 100, 50, 0), IMAGE_WEBP, "image/webp", 100, 50);
	expect_ok(webp_vp8x(1920, 1080), IMAGE_WEBP, "image/webp", 1920, 1080);
}

/* A well-known 1x1 RGBA PNG header, CRC and all, so the builder's CRC is
 * checked against something it did not compute. */
static void test_png_known_file(void **state)
{
	(void)state;
	static const uint8_t one[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00,
				      0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
				      0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89};
	struct image_info info;
	assert_true(image_sniff(one, sizeof one, &info));
	assert_int_equal(info.width, 1);
	struct bytes built = png(1, 1, 8, 6, 0);
	assert_memory_equal(built.b, one, sizeof one);
}

/* A valid header followed by markup is accepted: the bytes after the header
 * are never looked at, and never run, because photos are served as their
 * image type with nosniff and a sandboxing CSP (see core/image.h). */
static void test_polyglot_is_accepted(void **state)
{
	(void)state;
	struct bytes x = jpeg(0xC0, 64, 64);
	const char *html = "<html><script>alert(document.cookie)</script></html>";
	put(&x, html, strlen(html));
	expect_ok(x, IMAGE_JPEG, "image/jpeg", 64, 64);
}

/* ---- refused ---- */

static void expect_refused(struct bytes x, const char *reason_part, const char *what)
{
	struct image_info info;
	if (image_sniff(x.b, x.n, &info))
		fail_msg("%s: accepted as %s %ux%u", what, info.mime, info.width, info.height);
	assert_int_equal(info.type, IMAGE_NONE);
	assert_null(info.mime);
	assert_non_null(info.reason);
	if (!strstr(info.reason, reason_part))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", what, info.reason, reason_part);
}

static struct bytes with(struct bytes x, size_t at, uint8_t value)
{
	x.b[at] = value;
	return x;
}

static struct bytes flip(struct bytes x, size_t at)
{
	x.b[at] ^= 1;
	return x;
}

static struct bytes cut(struct bytes x, size_t n)
{
	x.n = n;
	return x;
}

static struct bytes plus(struct bytes x, const char *tail)
{
	put(&x, tail, strlen(tail));
	return x;
}

/* Offsets in jpeg(): the length of APP0 at 4, the frame header's FF at 27,
 * its marker at 28, its length at 29, P at 31, Nf at 36, the first
 * component's sampling factors at 38. */
static void test_jpeg_refused(void **state)
{
	(void)state;
	const struct {
		struct bytes x;
		const char *reason, *what;
	} rows[] = {
		{jpeg(0xC0, 0, 480), "zero", "zero width"},
		{jpeg(0xC0, 640, 0), "zero", "zero height (DNL)"},
		{jpeg(0xC0, 20001, 10), "20000", "too wide"},
		{with(jpeg(0xC0, 640, 480), 28, 0xC8), "unexpected marker", "JPG (C8) is not a frame: the scan comes first"},
		{with(jpeg(0xC0, 640, 480), 28, 0xCC), "unexpected marker", "DAC (CC) is not a frame: the scan comes first"},
		{cut(with(jpeg(0xC0, 640, 480), 28, 0xC4), 46), "truncated", "DHT (C4) is not a frame: ends before one"},
		{with(jpeg(0xC0, 640, 480), 28, 0xDA), "unexpected marker", "scan before the frame"},
		{with(jpeg(0xC0, 640, 480), 28, 0xD9), "unexpected marker", "end of image before the frame"},
		{with(jpeg(0xC0, 640, 480), 28, 0x42), "unexpected marker", "reserved marker"},
		{with(jpeg(0xC0, 640, 480), 27, 0x00), "marker was expected", "garbage between segments"},
		{with(with(jpeg(0xC0, 640, 480), 4, 0), 5, 1), "length is out of range", "segment length 1"},
		{with(jpeg(0xC0, 640, 480), 4, 0xFF), "past the end", "segment length past the end"},
		{with(jpeg(0xC0, 640, 480), 36, 0), "components", "no components"},
		{with(jpeg(0xC0, 640, 480), 36, 2), "does not match", "length disagrees with components"},
		{with(jpeg(0xC0, 640, 480), 38, 0x52), "sampling", "sampling factor 5"},
		{with(jpeg(0xC0, 640, 480), 31, 1), "precision", "precision 1"},
		{with(jpeg(0xC0, 640, 480), 30, 0x07), "too short", "frame header of 5 bytes"},
		{plus(text("\xFF\xD8\xFF"), "<html>"), "unexpected marker", "HTML behind a JPEG magic"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_refused(rows[i].x, rows[i].reason, rows[i].what);
}

static void test_png_refused(void **state)
{
	(void)state;
	const struct {
		struct bytes x;
		const char *reason, *what;
	} rows[] = {
		{flip(png(10, 10, 8, 2, 0), 32), "CRC", "bad CRC"},
		{with(png(10, 10, 8, 2, 0), 19, 11), "CRC", "width changed after the CRC"},
		{with(png(10, 10, 8, 2, 0), 11, 12), "13-byte IHDR", "IHDR of 12 bytes"},
		{with(png(10, 10, 8, 2, 0), 12, 'i'), "13-byte IHDR", "another chunk first"},
		{png(0, 10, 8, 2, 0), "zero", "zero width"},
		{png(10, 0, 8, 2, 0), "zero", "zero height"},
		{png(0x80000000u, 10, 8, 2, 0), "2^31", "width over 2^31-1"},
		{png(20001, 10, 8, 2, 0), "20000", "too wide"},
		{png(10, 10, 16, 3, 0), "bit depth", "16-bit palette"},
		{png(10, 10, 4, 2, 0), "bit depth", "4-bit RGB"},
		{png(10, 10, 8, 5, 0), "bit depth", "colour type 5"},
		{png(10, 10, 8, 2, 2), "interlace", "interlace method 2"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_refused(rows[i].x, rows[i].reason, rows[i].what);
}

static void test_webp_refused(void **state)
{
	(void)state;
	struct bytes wrong_first = webp_open();
	webp_chunk(&wrong_first, "ALPH", (const uint8_t[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
	struct bytes vp8x_alone = webp_open();
	webp_chunk(&vp8x_alone, "VP8X", (const uint8_t[]){0, 0, 0, 0, 0x20, 0x4E, 0, 0, 0, 0}, 10);
	struct bytes short_vp8l = webp_open();
	webp_chunk(&short_vp8l, "VP8L", (const uint8_t[]){0x2f, 0, 0}, 3);
	const struct {
		struct bytes x;
		const char *reason, *what;
	} rows[] = {
		{cut(webp_vp8l(0x2f, 100, 50, 0), 24), "shorter than its RIFF size", "truncated"},
		{plus(webp_vp8l(0x2f, 100, 50, 0), "<svg/>"), "after the RIFF size", "bytes after the image"},
		{with(webp_vp8l(0x2f, 100, 50, 0), 4, 200), "shorter than its RIFF size", "RIFF size too large"},
		{webp_close(with(webp_vp8l(0x2f, 100, 50, 0), 16, 200)), "past the end", "chunk size past the end"},
		{webp_vp8l(0x2e, 100, 50, 0), "VP8L header", "VP8L signature"},
		{webp_vp8l(0x2f, 100, 50, 1), "VP8L header", "VP8L version 1"},
		{webp_vp8(0x11, 320, 240), "frame tag", "not a key frame"},
		{webp_vp8(0x00, 320, 240), "frame tag", "not shown"},
		{webp_vp8(0x10 | 0x08, 320, 240), "frame tag", "version 4"},
		{webp_vp8(0x30, 320, 240), "frame tag", "first partition longer than the chunk"},
		{with(webp_vp8(0x10, 320, 240), 23, 0x9c), "start code", "no start code"},
		{webp_vp8(0x10, 0, 240), "zero", "zero width"},
		{webp_vp8(0x10, 320, 0x4000), "zero", "zero height behind scale bits"},
		{webp_vp8x(20001, 100), "20000", "canvas too wide"},
		{webp_close(wrong_first), "first chunk", "ALPH first"},
		{webp_close(vp8x_alone), "20000", "canvas 20001 wide, alone"},
		{webp_close(short_vp8l), "cut off", "VP8L of 3 bytes"},
		{webp_close(webp_open()), "no chunk", "no chunk at all"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_refused(rows[i].x, rows[i].reason, rows[i].what);
}

/* Every proper prefix of a valid header is refused: an upload cut short
 * is never taken for a photo. */
static void test_every_truncation_refused(void **state)
{
	(void)state;
	const struct bytes whole[] = {jpeg(0xC0, 640, 480), png(10, 10, 8, 6, 0), webp_vp8(0x10, 320, 240),
				      webp_vp8l(0x2f, 100, 50, 0), webp_vp8x(1920, 1080)};
	/* What the header needs: up to the end of the frame header for JPEG,
	 * of the IHDR CRC for PNG, and the whole RIFF for WebP. */
	const size_t needed[] = {46, 33, whole[2].n, whole[3].n, whole[4].n};
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		for (size_t n = 0; n < needed[i]; n++) {
			char what[64];
			snprintf(what, sizeof what, "file %zu cut to %zu bytes", i, n);
			struct image_info info;
			if (image_sniff(whole[i].b, n, &info))
				fail_msg("%s: accepted", what);
		}
}

static void test_disguised_refused(void **state)
{
	(void)state;
	const struct {
		struct bytes x;
		const char *reason, *what;
	} rows[] = {
		{text("GIF89a\x01\x00\x01\x00\x80\x00\x00"), "GIF", "GIF89a"},
		{text("GIF87a\x01\x00\x01\x00"), "GIF", "GIF87a"},
		{text("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), "markup", "SVG"},
		{text("\xEF\xBB\xBF  <?xml version=\"1.0\"?><svg/>"), "markup", "SVG with a BOM"},
		{text("\r\n<!DOCTYPE html><html><script>alert(1)</script>"), "markup", "HTML"},
		{text("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "PDF", "PDF"},
		{text("BM\x36\x00\x0c\x00"), "not a JPEG, PNG or WebP", "BMP"},
		{text("RIFF\x04\x00\x00\x00WAVE"), "not a JPEG, PNG or WebP", "WAV (RIFF but not WEBP)"},
		{text("\x89PNG\r\n"), "not a JPEG, PNG or WebP", "a PNG signature cut short"},
		{text(""), "empty", "nothing"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_refused(rows[i].x, rows[i].reason, rows[i].what);
	struct image_info info;
	assert_false(image_sniff(NULL, 0, &info));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_png_known_file),
		cmocka_unit_test(test_polyglot_is_accepted),
		cmocka_unit_test(test_jpeg_refused),
		cmocka_unit_test(test_png_refused),
		cmocka_unit_test(test_webp_refused),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_disguised_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
