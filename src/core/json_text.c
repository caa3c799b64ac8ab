#include "core/json_text.h"

#include <inttypes.h>
#include <string.h>

/* Keys are the caller's constants, plain ASCII: copied as they are, with
 * the comma and the quotes, straight into the buffer. */
static void member(struct json_text *t, const char *key)
{
	size_t k = key ? strlen(key) : 0;
	buf_reserve(&t->out, k + 4);
	char *p = t->out.data + t->out.len;
	if (t->comma)
		*p++ = ',';
	t->comma = true;
	if (key) {
		*p++ = '"';
		memcpy(p, key, k);
		p += k;
		*p++ = '"';
		*p++ = ':';
	}
	*p = '\0';
	t->out.len = (size_t)(p - t->out.data);
}

static void open_with(struct json_text *t, const char *key, const char *bracket)
{
	member(t, key);
	buf_append(&t->out, bracket, 1);
	t->comma = false;
}

static void close_with(struct json_text *t, const char *bracket)
{
	buf_append(&t->out, bracket, 1);
	t->comma = true;
}

void jt_object(struct json_text *t, const char *key) { open_with(t, key, "{"); }
void jt_object_end(struct json_text *t) { close_with(t, "}"); }
void jt_array(struct json_text *t, const char *key) { open_with(t, key, "["); }
void jt_array_end(struct json_text *t) { close_with(t, "]"); }

void jt_string(struct json_text *t, const char *key, const char *value)
{
	member(t, key);
	if (!value) {
		buf_append(&t->out, "null", 4);
		return;
	}
	buf_append(&t->out, "\"", 1);
	buf_json_escape(&t->out, value);
	buf_append(&t->out, "\"", 1);
}

void jt_int(struct json_text *t, const char *key, int64_t value)
{
	member(t, key);
	buf_printf(&t->out, "%" PRId64, value);
}

void jt_bool(struct json_text *t, const char *key, bool value)
{
	member(t, key);
	buf_append(&t->out, value ? "true" : "false", value ? 4 : 5);
}

void jt_null(struct json_text *t, const char *key)
{
	member(t, key);
	buf_append(&t->out, "null", 4);
}

void jt_micros(struct json_text *t, const char *key, int64_t millionths)
{
	member(t, key);
	uint64_t magnitude = millionths < 0 ? (uint64_t)0 - (uint64_t)millionths : (uint64_t)millionths;
	buf_printf(&t->out, "%s%" PRIu64 ".%06" PRIu64, millionths < 0 ? "-" : "", magnitude / 1000000,
		   magnitude % 1000000);
}

void jt_raw(struct json_text *t, const char *key, const char *json)
{
	member(t, key);
	buf_append(&t->out, json, strlen(json));
}
