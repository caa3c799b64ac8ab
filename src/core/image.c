/* Image headers by content. Each reader walks only the bytes it was given,
 * with every offset checked against len before it is read; nothing here
 * decodes pixels, so the cost is a few hundred bytes read per file. */
#include "core/image.h"

#include <string.h>
#include <zlib.h>

static bool refuse(struct image_info *out, const char *reason)
{
	*out = (struct image_info){.type = IMAGE_NONE, .reason = reason};
	return false;
}

static bool accept(struct image_info *out, enum image_type type, const char *mime, uint32_t width, uint32_t height)
{
	if (width == 0 || height == 0)
		return refuse(out, "the image has a zero width or height");
	if (width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE)
		return refuse(out, "the image is wider or taller than 20000 pixels");
	*out = (struct image_info){.type = type, .mime = mime, .width = width, .height = height};
	return true;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | le24(p);
}

/* ---- JPEG (ITU T.81) ---- */

/* SOF0..SOF15 are C0..CF, except the three codes T.81 gave to other
 * segments in the same range: DHT (C4), JPG (C8) and DAC (CC). */
static bool jpeg_is_sof(uint8_t m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* The frame header after its length: P, Y, X, Nf, then Nf component specs
 * of three bytes each (id, sampling factors H and V, quantization table). */
static bool jpeg_frame(const uint8_t *s, size_t n, struct image_info *out)
{
	if (n < 6)
		return refuse(out, "the JPEG frame header is too short");
	unsigned precision = s[0], components = s[5];
	if (precision < 2 || precision > 16)
		return refuse(out, "the JPEG sample precision is out of range");
	if (components < 1 || components > 4)
		return refuse(out, "the JPEG frame has not 1 to 4 components");
	if (n != 6 + 3 * (size_t)components)
		return refuse(out, "the JPEG frame header length does not match its components");
	for (unsigned i = 0; i < components; i++) {
		const uint8_t *c = s + 6 + 3 * i;
		unsigned h = c[1] >> 4, v = c[1] & 15;
		if (h < 1 || h > 4 || v < 1 || v > 4 || c[2] > 3)
			return refuse(out, "a JPEG component has invalid sampling factors or table");
	}
	return accept(out, IMAGE_JPEG, "image/jpeg", be16(s + 3), be16(s + 1));
}

/* After SOI come marker segments (tables, APPn with EXIF, comments) up to
 * the frame header; each is FF, the marker, and a length that counts
 * itself. A scan or the end of the image before a frame header means there
 * is no picture to speak of. */
static bool sniff_jpeg(const uint8_t *p, size_t len, struct image_info *out)
{
	size_t pos = 2;
	for (;;) {
		if (pos >= len)
			return refuse(out, "truncated JPEG: it ends before the frame header");
		if (p[pos] != 0xFF)
			return refuse(out, "malformed JPEG: a marker was expected");
		while (pos < len && p[pos] == 0xFF) /* fill bytes may precede a marker */
			pos++;
		if (pos >= len)
			return refuse(out, "truncated JPEG: it ends before the frame header");
		uint8_t marker = p[pos++];
		if (marker == 0x01) /* TEM stands alone */
			continue;
		if (marker < 0xC0 || (marker >= 0xD0 && marker <= 0xDA))
			return refuse(out, "malformed JPEG: unexpected marker before the frame header");
		if (len - pos < 2)
			return refuse(out, "truncated JPEG: a segment length is cut off");
		size_t seg = be16(p + pos);
		if (seg < 2)
			return refuse(out, "malformed JPEG: a segment length is out of range");
		if (seg > len - pos)
			return refuse(out, "truncated JPEG: a segment runs past the end of the data");
		if (jpeg_is_sof(marker))
			return jpeg_frame(p + pos + 2, seg - 2, out);
		pos += seg;
	}
}

/* ---- PNG (ISO/IEC 15948) ---- */

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static bool png_depth_fits(unsigned colour, unsigned depth)
{
	switch (colour) {
	case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: case 4: case 6: return depth == 8 || depth == 16;
	default: return false;
	}
}

/* The signature, then IHDR first: length 13, the type, 13 bytes, and a
 * CRC-32 over type and data. */
static bool sniff_png(const uint8_t *p, size_t len, struct image_info *out)
{
	if (len < 8 + 8 + 13 + 4)
		return refuse(out, "truncated PNG: the header chunk is cut off");
	if (be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return refuse(out, "malformed PNG: the first chunk is not a 13-byte IHDR");
	const uint8_t *ihdr = p + 16;
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), p + 12, 4 + 13);
	if (crc != be32(ihdr + 13))
		return refuse(out, "malformed PNG: the header chunk's CRC is wrong");
	uint32_t width = be32(ihdr), height = be32(ihdr + 4);
	if (width > 0x7FFFFFFFu || height > 0x7FFFFFFFu)
		return refuse(out, "malformed PNG: a dimension is over 2^31-1");
	if (!png_depth_fits(ihdr[9], ihdr[8]))
		return refuse(out, "malformed PNG: invalid bit depth for the colour type");
	if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
		return refuse(out, "malformed PNG: unknown compression, filter or interlace method");
	return accept(out, IMAGE_PNG, "image/png", width, height);
}

/* ---- WebP (RFC 9649) ---- */

/* The first chunk decides the format: VP8 (lossy), VP8L (lossless) or VP8X
 * (extended: a canvas, then the image and metadata chunks). */
static bool webp_first_chunk(const uint8_t *fourcc, const uint8_t *s, size_t n, struct image_info *out)
{
	if (memcmp(fourcc, "VP8 ", 4) == 0) {
		/* A frame tag of 3 bytes, the start code, then 14-bit sizes (the
		 * top two bits of each are a scale hint). */
		if (n < 10)
			return refuse(out, "truncated WebP: the VP8 frame header is cut off");
		uint32_t tag = le24(s);
		bool key_frame = !(tag & 1), shown = tag >> 4 & 1;
		unsigned version = tag >> 1 & 7;
		uint32_t first_partition = tag >> 5;
		if (!key_frame || version > 3 || !shown || first_partition > n - 10)
			return refuse(out, "malformed WebP: invalid VP8 frame tag");
		if (s[3] != 0x9d || s[4] != 0x01 || s[5] != 0x2a)
			return refuse(out, "malformed WebP: missing VP8 start code");
		return accept(out, IMAGE_WEBP, "image/webp", le16(s + 6) & 0x3FFF, le16(s + 8) & 0x3FFF);
	}
	if (memcmp(fourcc, "VP8L", 4) == 0) {
		/* The signature 0x2f, then width-1 and height-1 in 14 bits each,
		 * an alpha hint and a 3-bit version that must be 0. */
		if (n < 5)
			return refuse(out, "truncated WebP: the VP8L header is cut off");
		uint32_t bits = le32(s + 1);
		if (s[0] != 0x2f || bits >> 29 != 0)
			return refuse(out, "malformed WebP: invalid VP8L header");
		return accept(out, IMAGE_WEBP, "image/webp", (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1);
	}
	if (memcmp(fourcc, "VP8X", 4) == 0) {
		/* Flags, three reserved bytes, canvas width-1 and height-1 in 24 bits. */
		if (n < 10)
			return refuse(out, "truncated WebP: the VP8X header is cut off");
		return accept(out, IMAGE_WEBP, "image/webp", le24(s + 4) + 1, le24(s + 7) + 1);
	}
	return refuse(out, "malformed WebP: the first chunk is not VP8, VP8L or VP8X");
}

static bool sniff_webp(const uint8_t *p, size_t len, struct image_info *out)
{
	/* The RIFF size counts everything after its own 8 bytes: it must match
	 * the data exactly, so a truncated upload or bytes smuggled after the
	 * image are both refused. */
	uint64_t riff = le32(p + 4);
	if (riff + 8 != len)
		return refuse(out, riff + 8 > len ? "truncated WebP: shorter than its RIFF size"
						   : "malformed WebP: bytes after the RIFF size");
	if (len < 12 + 8)
		return refuse(out, "truncated WebP: no chunk after the header");
	/* Every chunk must fit, each padded to an even size (the last pad may be
	 * missing); the first decides the format. */
	bool have_first = false;
	for (size_t pos = 12; pos < len;) {
		if (len - pos < 8)
			return refuse(out, "truncated WebP: a chunk header is cut off");
		uint32_t size = le32(p + pos + 4);
		if (size > len - pos - 8)
			return refuse(out, "truncated WebP: a chunk runs past the end of the data");
		if (!have_first && !webp_first_chunk(p + pos, p + pos + 8, size, out))
			return false;
		have_first = true;
		pos += 8 + (size_t)size;
		if (size & 1 && pos < len)
			pos++;
	}
	return true; /* out was filled by the first chunk */
}

/* ---- deciding ---- */

/* Common types people send instead of a photo, named so the refusal says
 * what was seen rather than only what was not. */
static const char *refusal_for(const uint8_t *p, size_t len)
{
	if (len == 0)
		return "the body is empty";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "GIF is not accepted: send a JPEG, PNG or WebP photo";
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "a PDF document is not a photo";
	size_t i = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < len && p[i] == '<')
		return "markup (SVG, HTML or XML) is not accepted: send a JPEG, PNG or WebP photo";
	return "not a JPEG, PNG or WebP image";
}

bool image_sniff(const void *data, size_t len, struct image_info *out)
{
	const uint8_t *p = data;
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return sniff_jpeg(p, len, out);
	if (len >= 8 && memcmp(p, png_signature, 8) == 0)
		return sniff_png(p, len, out);
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return sniff_webp(p, len, out);
	return refuse(out, refusal_for(p, len));
}
