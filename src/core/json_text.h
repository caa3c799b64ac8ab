/* JSON written straight into a buffer, for answers on hot paths: building
 * a jansson tree only to encode it was most of the time of a read of one
 * case (the tree's allocations and the encoder's). Members are written in
 * order; a key of NULL writes an element of an array (or the top value).
 * Keys are written as they are: plain ASCII names, as the API's are. */
#ifndef WG_CORE_JSON_TEXT_H
#define WG_CORE_JSON_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

struct json_text {
	struct buf out;
	bool comma; /* a value was written at this level: the next needs a comma */
};

void jt_object(struct json_text *t, const char *key);
void jt_object_end(struct json_text *t);
void jt_array(struct json_text *t, const char *key);
void jt_array_end(struct json_text *t);
/* value NULL writes null. */
void jt_string(struct json_text *t, const char *key, const char *value);
void jt_int(struct json_text *t, const char *key, int64_t value);
void jt_bool(struct json_text *t, const char *key, bool value);
void jt_null(struct json_text *t, const char *key);
/* Millionths as a decimal number with six places, exactly (coordinates). */
void jt_micros(struct json_text *t, const char *key, int64_t millionths);
/* JSON text already encoded, written as it is: the caller vouches for it. */
void jt_raw(struct json_text *t, const char *key, const char *json);

#endif
