/* A small XML writer for Open311's documents. Answers are built once as a
 * JSON tree and written either as JSON or, by this file, as XML; the
 * element names of list items are the specification's ("services" holds
 * "service" elements), so both formats come from one tree and cannot drift
 * apart. Pure: no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/open311/open311_internal.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* The length of the valid UTF-8 sequence at p (1..4), or 0 when there is
 * none: overlong forms, surrogates and code points past U+10FFFF count as
 * invalid. *cp gets the code point. */
static size_t utf8_sequence(const unsigned char *p, unsigned long *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t n;
	unsigned long min;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2, min = 0x80, *cp = p[0] & 0x1Fu;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3, min = 0x800, *cp = p[0] & 0x0Fu;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4, min = 0x10000, *cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3Fu);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return n;
}

void xml_escape(struct buf *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		unsigned long cp;
		size_t n = utf8_sequence(p, &cp);
		if (n == 0) {
			buf_puts(b, REPLACEMENT);
			p++;
			continue;
		}
		switch (cp) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default:
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
				buf_puts(b, REPLACEMENT);
			else
				buf_append(b, p, n);
		}
		p += n;
	}
}

static const struct {
	const char *list, *item;
} item_names[] = {
	{"service_requests", "request"},
	{"services", "service"},
	{"attributes", "attribute"},
	{"values", "value"},
	{"endpoints", "endpoint"},
	{"formats", "format"},
	{"errors", "error"},
	{"service_request_updates", "request_update"},
};

const char *xml_item_name(const char *list)
{
	for (size_t i = 0; i < sizeof item_names / sizeof item_names[0]; i++)
		if (strcmp(item_names[i].list, list) == 0)
			return item_names[i].item;
	return "item";
}

/* Element names come from our own tables and JSON keys, never from input,
 * so they are written as they are. */
void xml_element(struct buf *b, const char *name, json_t *v)
{
	if (!v || json_is_null(v)) {
		buf_printf(b, "<%s/>", name);
		return;
	}
	buf_printf(b, "<%s>", name);
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *member;
		json_object_foreach(v, key, member)
			xml_element(b, key, member);
		break;
	}
	case JSON_ARRAY: {
		const char *item = xml_item_name(name);
		size_t i;
		json_t *member;
		json_array_foreach(v, i, member)
			xml_element(b, item, member);
		break;
	}
	case JSON_STRING:
		xml_escape(b, json_string_value(v));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		buf_printf(b, "%.12g", json_real_value(v));
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_NULL:
		break;
	}
	buf_printf(b, "</%s>", name);
}

char *xml_document(const char *root, json_t *v, size_t *len)
{
	struct buf b = {0};
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xml_element(&b, root, v);
	buf_puts(&b, "\n");
	*len = b.len;
	return buf_steal(&b);
}
