#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING: return "a string";
	case FIELD_INT: return "an integer";
	case FIELD_BOOL: return "true or false";
	case FIELD_NUMBER: return "a number";
	case FIELD_OBJECT: return "an object";
	case FIELD_ARRAY: return "an array";
	}
	return "?";
}

__attribute__((format(printf, 4, 5)))
static int field_fail(struct field_error *err, enum http_error code, const char *field, const char *fmt, ...)
{
	err->code = code;
	err->field = field;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

static int field_one(json_t *v, const struct field_spec *f, struct field_error *err)
{
	switch (f->type) {
	case FIELD_STRING: {
		if (!json_is_string(v))
			break;
		const char *s = json_string_value(v);
		/* Jansson accepts \u0000 inside strings; C strings cannot carry it. */
		if (strlen(s) != json_string_length(v))
			return field_fail(err, HTTP_ERR_invalid_value, f->name, "'%s' contains a NUL character", f->name);
		size_t n = utf8_chars(s);
		if ((int64_t)n < f->min)
			return field_fail(err, HTTP_ERR_invalid_value, f->name, "'%s' must have at least %lld characters",
					  f->name, (long long)f->min);
		if (f->max && (int64_t)n > f->max)
			return field_fail(err, HTTP_ERR_invalid_value, f->name, "'%s' must have at most %lld characters",
					  f->name, (long long)f->max);
		*(const char **)f->dest = s;
		return 0;
	}
	case FIELD_INT: {
		if (!json_is_integer(v))
			break;
		json_int_t n = json_integer_value(v);
		if ((f->min || f->max) && (n < f->min || n > f->max))
			return field_fail(err, HTTP_ERR_invalid_value, f->name, "'%s' must be between %lld and %lld",
					  f->name, (long long)f->min, (long long)f->max);
		*(int64_t *)f->dest = n;
		return 0;
	}
	case FIELD_BOOL:
		if (!json_is_boolean(v))
			break;
		*(bool *)f->dest = json_is_true(v);
		return 0;
	case FIELD_NUMBER:
		if (!json_is_number(v))
			break;
		*(double *)f->dest = json_number_value(v);
		return 0;
	case FIELD_OBJECT:
		if (!json_is_object(v))
			break;
		*(json_t **)f->dest = v;
		return 0;
	case FIELD_ARRAY:
		if (!json_is_array(v))
			break;
		*(json_t **)f->dest = v;
		return 0;
	}
	return field_fail(err, HTTP_ERR_invalid_type, f->name, "'%s' must be %s", f->name, field_type_name(f->type));
}

int fields_parse(json_t *obj, const struct field_spec *specs, struct field_error *err)
{
	if (!json_is_object(obj))
		return field_fail(err, HTTP_ERR_invalid_body, NULL, "The body must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct field_spec *f = specs;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name)
			return field_fail(err, HTTP_ERR_unknown_field, key, "Unknown field '%.100s'", key);
	}
	for (const struct field_spec *f = specs; f->name; f++) {
		v = json_object_get(obj, f->name);
		bool given = v && !json_is_null(v);
		if (f->present)
			*f->present = given;
		if (!given) {
			if (f->optional)
				continue;
			return field_fail(err, HTTP_ERR_missing_field, f->name, "'%s' is required", f->name);
		}
		if (field_one(v, f, err))
			return -1;
	}
	return 0;
}

static bool parse_decimal(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int64_t http_param_id(const struct http_req *req, const char *name)
{
	int64_t v;
	return parse_decimal(http_param(req, name), 1, INT64_MAX / 10, &v) ? v : 0;
}

bool http_page_params(struct http_req *req, struct http_page *page)
{
	page->limit = 50;
	page->after = 0;
	page->has_cursor = false;
	const char *limit = http_query(req, "limit");
	if (limit && !parse_decimal(limit, 1, 500, &page->limit)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "limit", "limit must be a whole number from 1 to 500");
		return false;
	}
	const char *cursor = http_query(req, "cursor");
	if (cursor) {
		if (!parse_decimal(cursor, 1, INT64_MAX / 10, &page->after)) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "cursor", "cursor is not one this server gave");
			return false;
		}
		page->has_cursor = true;
	}
	return true;
}

void http_page_finish(json_t *list, const struct http_page *page, size_t count, int64_t last_id)
{
	if ((int64_t)count >= page->limit && last_id > 0)
		json_object_set_new(list, "next_cursor", json_sprintf("%lld", (long long)last_id));
	else
		json_object_set_new(list, "next_cursor", json_null());
}
