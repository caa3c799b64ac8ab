/* Open311's pure parts: the form parser and binder, the XML writer and its
 * escaping, document names and W3C times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "modules/open311/open311_internal.h"

/* body -> the decoded pairs as "k=v|k=v", or NULL for a refusal */
static const struct {
	const char *body;
	const char *pairs;
} parse_rows[] = {
	{"", ""},
	{"a=1", "a=1"},
	{"a=1&b=2", "a=1|b=2"},
	{"a=1&&b=", "a=1|b="},
	{"flag", "flag="},
	{"q=a+b%20c", "q=a b c"},
	{"%E4%BD%A0=%E5%A5%BD", "你=好"},
	{"attribute%5Bfloor%5D=3", "attribute[floor]=3"},
	{"x=%2B%26%3D", "x=+&="},
	{"x=line%0Abreak%09tab", "x=line\nbreak\ttab"},
	{"x=%zz", NULL},
	{"x=%4", NULL},
	{"x=%", NULL},
	{"x=%00", NULL},
	{"x=%07", NULL},
	{"x=%C3%28", NULL},
	{"x=%ED%A0%80", NULL},
	{"x=%C0%AF", NULL},
	{"=v", NULL},
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
		struct form f;
		const char *why = NULL;
		int rc = form_parse(parse_rows[i].body, strlen(parse_rows[i].body), &f, &why);
		if (!parse_rows[i].pairs) {
			assert_int_equal(rc, -1);
			assert_non_null(why);
			form_free(&f);
			continue;
		}
		assert_int_equal(rc, 0);
		char joined[200] = "";
		for (size_t k = 0; k < f.count; k++) {
			if (k)
				strcat(joined, "|");
			strcat(joined, f.pairs[k].key);
			strcat(joined, "=");
			strcat(joined, f.pairs[k].value);
		}
		assert_string_equal(joined, parse_rows[i].pairs);
		form_free(&f);
	}
}

/* The body is not NUL-terminated where the length ends. */
static void test_parse_length(void **state)
{
	(void)state;
	struct form f;
	const char *why;
	assert_int_equal(form_parse("a=1&b=2", 3, &f, &why), 0);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.pairs[0].value, "1");
	form_free(&f);
	assert_int_equal(form_parse("a=%4142", 5, &f, &why), 0);
	assert_string_equal(f.pairs[0].value, "A");
	form_free(&f);
}

struct bound {
	const char *code, *text;
};

/* body -> 0 and the bound values, or -1 */
static const struct {
	const char *body;
	int rc;
	const char *code, *text, *attributes;
} bind_rows[] = {
	{"code=water&text=hi", 0, "water", "hi", "{}"},
	{"code=&text=hi", 0, NULL, "hi", "{}"},
	{"code=water&attribute[floor]=3&attribute[kind][]=a&attribute[kind][]=b", 0, "water", NULL,
	 "{\"floor\":\"3\",\"kind\":[\"a\",\"b\"]}"},
	{"code=a&code=b", -1, NULL, NULL, NULL},
	{"surprise=1", -1, NULL, NULL, NULL},
	{"code=toolong", -1, NULL, NULL, NULL},
	{"text=%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD%E4%BD%A0", 0, NULL, "你好你好你", "{}"},
	{"text=%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD", -1, NULL, NULL, NULL},
	{"attribute[a]=&attribute[b][]=", 0, NULL, NULL, "{}"},
	{"attribute[a]=1&attribute[a]=2", -1, NULL, NULL, NULL},
	{"attribute[a]=1&attribute[a][]=2", -1, NULL, NULL, NULL},
	{"attribute[]=1", -1, NULL, NULL, NULL},
	{"attribute[a b]=1", -1, NULL, NULL, NULL},
	{"attribute[a]x=1", -1, NULL, NULL, NULL},
};

static void test_bind(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bind_rows / sizeof bind_rows[0]; i++) {
		struct form f;
		const char *why;
		assert_int_equal(form_parse(bind_rows[i].body, strlen(bind_rows[i].body), &f, &why), 0);
		struct bound b;
		const struct form_field fields[] = {
			{"code", &b.code, 5},
			{"text", &b.text, 5},
			{NULL, NULL, 0},
		};
		json_t *attrs = NULL;
		char err[200];
		int rc = form_bind(&f, fields, &attrs, err, sizeof err);
		assert_int_equal(rc, bind_rows[i].rc);
		if (rc == 0) {
			if (bind_rows[i].code)
				assert_string_equal(b.code, bind_rows[i].code);
			else
				assert_null(b.code);
			if (bind_rows[i].text)
				assert_string_equal(b.text, bind_rows[i].text);
			else
				assert_null(b.text);
			char *dump = json_dumps(attrs, JSON_COMPACT);
			assert_string_equal(dump, bind_rows[i].attributes);
			free(dump);
			json_decref(attrs);
		} else {
			assert_true(strlen(err) > 0);
		}
		form_free(&f);
	}
}

/* Without a place for them, answers to questions are refused. */
static void test_bind_no_attributes(void **state)
{
	(void)state;
	struct form f;
	const char *why;
	const char *body = "attribute[a]=1";
	assert_int_equal(form_parse(body, strlen(body), &f, &why), 0);
	const char *code;
	const struct form_field fields[] = {{"code", &code, 5}, {NULL, NULL, 0}};
	char err[200];
	assert_int_equal(form_bind(&f, fields, NULL, err, sizeof err), -1);
	form_free(&f);
}

/* text -> XML character data */
static const struct {
	const char *text, *xml;
} escape_rows[] = {
	{"plain", "plain"},
	{"a & b < c > d", "a &amp; b &lt; c &gt; d"},
	{"\"q\" 'a'", "&quot;q&quot; &apos;a&apos;"},
	{"停水&断电", "停水&amp;断电"},
	{"tab\tline\ncr\r", "tab\tline\ncr\r"},
	{"bell\a", "bell\xEF\xBF\xBD"},
	{"bad \xC3\x28", "bad \xEF\xBF\xBD("},
	{"cut \xE4\xBD", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
	{"nonchar \xEF\xBF\xBE", "nonchar \xEF\xBF\xBD"},
	{"surrogate \xED\xA0\x80", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
	{"]]>", "]]&gt;"},
};

static void test_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof escape_rows / sizeof escape_rows[0]; i++) {
		struct buf b = {0};
		xml_escape(&b, escape_rows[i].text);
		assert_string_equal(b.data ? b.data : "", escape_rows[i].xml);
		buf_free(&b);
	}
}

static void test_document(void **state)
{
	(void)state;
	json_t *v = json_loads("[{\"service_code\":\"water\",\"metadata\":true,\"order\":2,\"lat\":34.265,"
			       "\"group\":null,\"values\":[{\"key\":\"a\",\"name\":\"A&B\"}],\"formats\":[]}]",
			       0, NULL);
	size_t len;
	char *doc = xml_document("services", v, &len);
	assert_string_equal(doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
				 "<services><service><service_code>water</service_code><metadata>true</metadata>"
				 "<order>2</order><lat>34.265</lat><group/><values><value><key>a</key>"
				 "<name>A&amp;B</name></value></values><formats></formats></service></services>\n");
	assert_int_equal(len, strlen(doc));
	free(doc);
	json_decref(v);
	assert_string_equal(xml_item_name("service_requests"), "request");
	assert_string_equal(xml_item_name("service_request_updates"), "request_update");
	assert_string_equal(xml_item_name("errors"), "error");
	assert_string_equal(xml_item_name("unknown"), "item");
}

static void test_names_and_times(void **state)
{
	(void)state;
	char name[16];
	enum open311_format fmt;
	assert_true(open311_split("services.json", name, sizeof name, &fmt));
	assert_string_equal(name, "services");
	assert_int_equal(fmt, OPEN311_JSON);
	assert_true(open311_split("a.b.xml", name, sizeof name, &fmt));
	assert_string_equal(name, "a.b");
	assert_int_equal(fmt, OPEN311_XML);
	assert_false(open311_split("services.csv", name, sizeof name, &fmt));
	assert_false(open311_split("services", name, sizeof name, &fmt));
	assert_false(open311_split(".json", name, sizeof name, &fmt));
	assert_false(open311_split("a-very-long-document-name.json", name, sizeof name, &fmt));
	int64_t t;
	assert_true(open311_parse_time("2026-11-01T08:00:00+08:00", &t));
	assert_int_equal(t, 1793491200);
	assert_true(open311_parse_time("2026-11-01", &t));
	assert_int_equal(t, 1793491200);
	assert_true(open311_parse_time("2026-11-01T00:00:00.5Z", &t));
	assert_int_equal(t, 1793491200);
	assert_false(open311_parse_time("yesterday", &t));
	assert_false(open311_parse_time("2026-13-01", &t));
	assert_true(open311_locale_en("en"));
	assert_true(open311_locale_en("en-GB"));
	assert_true(open311_locale_en("EN_us"));
	assert_false(open311_locale_en("zh-CN"));
	assert_false(open311_locale_en("eng"));
	assert_false(open311_locale_en(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_length),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bind_no_attributes),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_names_and_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
