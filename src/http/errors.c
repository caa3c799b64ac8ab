#include "http/http.h"

static const struct {
	const char *code;
	unsigned status;
	const char *message;
} http_errors[] = {
#define HTTP_ERROR(code, status, message) {#code, status, message},
#include "http/errors.def"
#undef HTTP_ERROR
};

unsigned http_error_status(enum http_error code)
{
	return code < HTTP_ERR_COUNT ? http_errors[code].status : 500;
}

const char *http_error_code(enum http_error code)
{
	return code < HTTP_ERR_COUNT ? http_errors[code].code : "internal_error";
}

const char *http_error_message(enum http_error code)
{
	return code < HTTP_ERR_COUNT ? http_errors[code].message : "Internal error";
}

json_t *http_error_body(enum http_error code, const char *field, const char *message)
{
	return json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", http_error_code(code), "message",
			 message ? message : http_error_message(code), "field", field);
}
