/* What the Open311 module's files share. */
#ifndef WG_OPEN311_INTERNAL_H
#define WG_OPEN311_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/http.h"
#include "modules/identity/identity.h"
#include "store/store.h"

extern struct store *open311_store;

/* Most requests one GET answers, and the span it covers by default
 * (GeoReport v2: "90 days or first 1000 requests, whichever is smallest"). */
#define OPEN311_MAX_RECORDS_SQL "1000"
#define OPEN311_DEFAULT_SPAN (90 * 86400)

enum open311_format {
	OPEN311_XML, /* the format the specification requires */
	OPEN311_JSON,
};

/* ---- documents and replies (open311.c) ---- */

/* Splits "services.json" into "services" and the format. false when the
 * extension names no format we serve (or there is none). */
bool open311_split(const char *document, char *name, size_t size, enum open311_format *fmt);
/* Answers body (taken) as JSON, or as XML under <root> (see xml_document). */
void open311_reply(struct http_req *req, enum open311_format fmt, unsigned status, const char *root, json_t *body);
/* The specification's error list: [{"code": status, "description": ...}],
 * <errors><error>... in XML. Never the wangge error envelope. */
void open311_error(struct http_req *req, enum open311_format fmt, unsigned status, const char *message, ...)
	__attribute__((format(printf, 4, 5)));
/* A transaction that neither committed nor refused: 503 or 500. */
void open311_store_failure(struct http_req *req, enum open311_format fmt, int rc);

/* What an API key must allow. */
enum open311_need {
	OPEN311_SUBMIT, /* cases.submit: post requests and comments */
	OPEN311_READ,   /* cases.read by area: read requests and updates */
};
/* The caller of the request's API key: api_key (a parameter of the query
 * or the form; NULL when absent) or else "Authorization: Bearer". A
 * signed-in browser's cookie does not count: Open311 is for integrations.
 * false after answering 403 (or a store failure). */
bool open311_caller(struct http_req *req, enum open311_format fmt, const char *api_key, enum open311_need need,
		    struct caller *out);
/* The actor for the audit log of a token caller (strings borrowed from
 * caller and req). */
void open311_actor(struct http_req *req, const struct caller *caller, struct actor *out);
/* Narrows scope to the area jurisdiction_id names inside it (NULL: the
 * scope as it is). STORE_OK, STORE_DONE when there is no such area in the
 * scope, or a failure. */
int open311_jurisdiction(struct store_conn *c, const char *jurisdiction_id, struct store_scope *scope);
/* "http://host" of this request, for absolute URLs; out >= 300 bytes. */
void open311_base_url(struct http_req *req, char *out, size_t size);
/* Whether ?locale= asks for English (else names are Chinese). */
bool open311_locale_en(const char *locale);
/* A W3C date-time (RFC 3339; a bare date is midnight UTC) in seconds. */
bool open311_parse_time(const char *text, int64_t *seconds);
/* The time window of a GET: [*from, *to] from start_date and end_date with
 * the default span; false after answering 400. */
bool open311_window(struct http_req *req, enum open311_format fmt, int64_t *from, int64_t *to);

struct form;
/* The body as an application/x-www-form-urlencoded form (the only body
 * Open311 defines). false after answering 400; either way the caller frees
 * the form with form_free. */
bool open311_read_form(struct http_req *req, enum open311_format fmt, struct form *form);

/* ---- the documents (requests.c, updates.c) ---- */

void open311_requests_post(struct http_req *req, enum open311_format fmt);
void open311_requests_get(struct http_req *req, enum open311_format fmt);
void open311_request_get(struct http_req *req, enum open311_format fmt, const char *id);
void open311_updates_get(struct http_req *req, enum open311_format fmt);
void open311_updates_post(struct http_req *req, enum open311_format fmt);

/* ---- XML (open311_xml.c, pure) ---- */

/* Appends text as XML character data: & < > " ' escaped; what XML 1.0
 * cannot hold (C0 controls but tab, LF and CR; invalid UTF-8; U+FFFE and
 * U+FFFF) becomes U+FFFD, so any stored text yields a well-formed document. */
void xml_escape(struct buf *b, const char *text);
/* Appends v as the element <name>: an object's members as child elements
 * in order, an array's items each as an element named for the array
 * (xml_item_name), true/false as text, null as an empty element. */
void xml_element(struct buf *b, const char *name, json_t *v);
/* The element name of an item of the list named list ("services" →
 * "service"); "item" for a list it does not know. */
const char *xml_item_name(const char *list);
/* A whole document: the XML declaration and <root>. Caller frees; *len
 * gets its length. */
char *xml_document(const char *root, json_t *v, size_t *len);

/* ---- forms (form.c, pure) ---- */

/* An application/x-www-form-urlencoded body, decoded. */
struct form_pair {
	char *key, *value; /* owned */
};
struct form {
	struct form_pair *pairs;
	size_t count;
};
/* Parses body (len bytes; need not end in NUL): '&'-separated pairs, '+'
 * as space, %XX escapes. Refuses a broken escape, invalid UTF-8 and control
 * characters other than tab, LF and CR (so nothing stored later breaks an
 * XML answer). 0, or -1 with *why (static text). Caller frees with
 * form_free, even after a failure. */
int form_parse(const char *body, size_t len, struct form *out, const char **why);
void form_free(struct form *f);

/* A form field as a handler expects it. */
struct form_field {
	const char *name;
	const char **dest; /* borrowed from the form; NULL when absent or empty */
	size_t max_chars;
};
/* Fills every field's dest. Answers to extra questions, attribute[code]=v
 * (one answer) and attribute[code][]=v (a list), go into *attributes (a
 * new object, code → string or array of strings; caller owns it) when
 * attributes is not NULL, and are refused otherwise. Refuses unknown keys,
 * a field given twice and a value over its length. 0, or -1 with err. */
int form_bind(const struct form *f, const struct form_field *fields, json_t **attributes, char *err, size_t size);
/* The characters of UTF-8 text. */
size_t open311_chars(const char *text);

#endif
