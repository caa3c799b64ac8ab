/* application/x-www-form-urlencoded, the body Open311 clients POST: parsed
 * into decoded pairs, then bound to a handler's fields the way field specs
 * bind a JSON body. Pure: no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "modules/open311/open311_internal.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Well-formed UTF-8 without NUL or control characters but tab, LF, CR. */
static bool text_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return false;
			i++;
			continue;
		}
		size_t len;
		unsigned long cp, min;
		if ((c & 0xE0) == 0xC0)
			len = 2, min = 0x80, cp = c & 0x1Fu;
		else if ((c & 0xF0) == 0xE0)
			len = 3, min = 0x800, cp = c & 0x0Fu;
		else if ((c & 0xF8) == 0xF0)
			len = 4, min = 0x10000, cp = c & 0x07u;
		else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
			return false;
		i += len;
	}
	return true;
}

/* Decodes s[0..n) into a new string; NULL when an escape is broken or the
 * result is not acceptable text. */
static char *decode(const char *s, size_t n, const char **why)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
			if (lo < 0) {
				*why = "a broken %-escape";
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!text_ok((const unsigned char *)out, o)) {
		*why = "text that is not UTF-8 or holds control characters";
		free(out);
		return NULL;
	}
	return out;
}

int form_parse(const char *body, size_t len, struct form *out, const char **why)
{
	memset(out, 0, sizeof *out);
	size_t start = 0;
	while (start <= len) {
		const char *piece = body + start;
		const char *amp = memchr(piece, '&', len - start);
		size_t plen = amp ? (size_t)(amp - piece) : len - start;
		if (plen) {
			const char *eq = memchr(piece, '=', plen);
			size_t klen = eq ? (size_t)(eq - piece) : plen;
			char *key = decode(piece, klen, why);
			char *value = key ? (eq ? decode(eq + 1, plen - klen - 1, why) : xstrdup("")) : NULL;
			if (!key || !value) {
				free(key);
				return -1;
			}
			if (!*key) {
				free(key);
				free(value);
				*why = "a pair without a name";
				return -1;
			}
			out->pairs = xrealloc(out->pairs, (out->count + 1) * sizeof *out->pairs);
			out->pairs[out->count++] = (struct form_pair){.key = key, .value = value};
		}
		if (!amp)
			break;
		start += plen + 1;
	}
	return 0;
}

void form_free(struct form *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->pairs[i].key);
		free(f->pairs[i].value);
	}
	free(f->pairs);
	memset(f, 0, sizeof *f);
}

#define ATTRIBUTE_CODE_MAX 64
#define ATTRIBUTE_VALUE_MAX 1000

/* "attribute[code]" or "attribute[code][]": the code (letters, digits,
 * '_', '-', '.') into code; *list says which form. false for another key. */
static bool attribute_key(const char *key, char code[ATTRIBUTE_CODE_MAX + 1], bool *list)
{
	static const char prefix[] = "attribute[";
	if (strncmp(key, prefix, sizeof prefix - 1) != 0)
		return false;
	const char *p = key + sizeof prefix - 1;
	size_t n = 0;
	while (p[n] && p[n] != ']') {
		char c = p[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			  c == '-' || c == '.';
		if (!ok || n == ATTRIBUTE_CODE_MAX)
			return false;
		code[n] = c;
		n++;
	}
	code[n] = '\0';
	if (n == 0 || p[n] != ']')
		return false;
	const char *rest = p + n + 1;
	*list = strcmp(rest, "[]") == 0;
	return *rest == '\0' || *list;
}

size_t open311_chars(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += ((unsigned char)*text & 0xC0) != 0x80;
	return n;
}

static int bind_attribute(json_t *attrs, const char *code, bool list, const char *value, char *err, size_t size)
{
	json_t *have = json_object_get(attrs, code);
	if (open311_chars(value) > ATTRIBUTE_VALUE_MAX) {
		snprintf(err, size, "attribute[%s] is longer than %d characters", code, ATTRIBUTE_VALUE_MAX);
		return -1;
	}
	if (!list) {
		if (have) {
			snprintf(err, size, "attribute[%s] is given twice", code);
			return -1;
		}
		json_object_set_new(attrs, code, json_string(value));
		return 0;
	}
	if (have && !json_is_array(have)) {
		snprintf(err, size, "attribute[%s] is given both as one answer and as a list", code);
		return -1;
	}
	if (!have) {
		have = json_array();
		json_object_set_new(attrs, code, have);
	}
	json_array_append_new(have, json_string(value));
	return 0;
}

int form_bind(const struct form *f, const struct form_field *fields, json_t **attributes, char *err, size_t size)
{
	for (const struct form_field *fld = fields; fld->name; fld++)
		*fld->dest = NULL;
	json_t *attrs = attributes ? json_object() : NULL;
	for (size_t i = 0; i < f->count; i++) {
		const struct form_pair *p = &f->pairs[i];
		char code[ATTRIBUTE_CODE_MAX + 1];
		bool list;
		/* Clients send what they do not use empty: the same as absent. */
		if (attrs && attribute_key(p->key, code, &list)) {
			if (!*p->value)
				continue;
			if (bind_attribute(attrs, code, list, p->value, err, size))
				goto fail;
			continue;
		}
		const struct form_field *fld = fields;
		while (fld->name && strcmp(fld->name, p->key) != 0)
			fld++;
		if (!fld->name) {
			/* The name is cut at a character boundary: the message is JSON. */
			size_t n = 0;
			while (p->key[n] && n < 60)
				n++;
			while (n && p->key[n] && ((unsigned char)p->key[n] & 0xC0) == 0x80)
				n--;
			snprintf(err, size, "Unknown parameter %.*s", (int)n, p->key);
			goto fail;
		}
		if (!*p->value)
			continue;
		if (*fld->dest) {
			snprintf(err, size, "%s is given twice", fld->name);
			goto fail;
		}
		if (open311_chars(p->value) > fld->max_chars) {
			snprintf(err, size, "%s is longer than %zu characters", fld->name, fld->max_chars);
			goto fail;
		}
		*fld->dest = p->value;
	}
	if (attributes)
		*attributes = attrs;
	return 0;
fail:
	json_decref(attrs);
	return -1;
}
