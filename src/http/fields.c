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
