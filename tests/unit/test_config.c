/* Configuration precedence: defaults < file < environment < flags, whatever
 * order the sources are read in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static const char *fake_env(const char *name)
{
	if (strcmp(name, "WANGGE_THREADS") == 0)
		return "6";
	if (strcmp(name, "WANGGE_DB") == 0)
		return "sqlite:/tmp/from-env.db";
	return NULL;
}

static const char *bad_env(const char *name)
{
	return strcmp(name, "WANGGE_BODY_LIMIT") == 0 ? "lots" : NULL;
}

static char *write_conf(const char *text)
{
	char *path = strdup("/tmp/wangge-conf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_precedence(void **state)
{
	(void)state;
	char *path = write_conf("listen = 10.0.0.1:81\nthreads = 3\ndb = sqlite:/tmp/from-file.db\naccess_log = off\n");
	struct config *cfg = config_new();
	char *err = NULL;
	/* Flags first, as the CLI reads them; lower sources must not override. */
	assert_int_equal(config_set(cfg, "db", "sqlite:/tmp/from-flag.db", CONFIG_FLAG, "--db", &err), 0);
	assert_int_equal(config_load_env(cfg, fake_env, &err), 0);
	assert_int_equal(config_load_file(cfg, path, true, &err), 0);
	assert_string_equal(config_get(cfg, "db"), "sqlite:/tmp/from-flag.db");
	assert_int_equal(config_source_of(cfg, "db"), CONFIG_FLAG);
	assert_int_equal(config_get_int(cfg, "threads"), 6);
	assert_int_equal(config_source_of(cfg, "threads"), CONFIG_ENV);
	assert_string_equal(config_get(cfg, "listen"), "10.0.0.1:81");
	assert_int_equal(config_source_of(cfg, "listen"), CONFIG_FILE);
	assert_false(config_get_bool(cfg, "access_log"));
	assert_int_equal(config_get_int(cfg, "body_limit"), 1048576);
	assert_int_equal(config_source_of(cfg, "body_limit"), CONFIG_DEFAULT);
	config_free(cfg);
	unlink(path);
	free(path);
}

/* value -> accepted or refused */
static const struct {
	const char *key, *value;
	int rc;
} values[] = {
	{"listen", "127.0.0.1:0", 0},
	{"listen", "[::1]:8080", 0},
	{"listen", "127.0.0.1", -1},
	{"listen", "127.0.0.1:70000", -1},
	{"threads", "4", 0},
	{"threads", "-1", -1},
	{"threads", "4x", -1},
	{"threads", "", -1},
	{"body_limit", "100", -1},
	{"access_log", "yes", 0},
	{"access_log", "maybe", -1},
	{"db", "sqlite:wangge.db", 0},
	{"db", "postgres://u@h:5432/d", 0},
	{"db", "sqlite:", -1},
	{"db", "mysql://x", -1},
	{"colour", "red", -1},
};

static void test_values(void **state)
{
	(void)state;
	struct config *cfg = config_new();
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char *err = NULL;
		int rc = config_set(cfg, values[i].key, values[i].value, CONFIG_FLAG, "test", &err);
		if (rc != values[i].rc)
			fail_msg("%s = %s: rc %d", values[i].key, values[i].value, rc);
		if (rc)
			assert_non_null(err);
		free(err);
	}
	config_free(cfg);
}

static void test_file_errors(void **state)
{
	(void)state;
	char *path = write_conf("# comment\n\nlisten = 127.0.0.1:1\nnonsense line\n");
	struct config *cfg = config_new();
	char *err = NULL;
	assert_int_equal(config_load_file(cfg, path, true, &err), -1);
	assert_non_null(strstr(err, ":4: expected 'key = value'"));
	free(err);
	err = NULL;
	assert_int_equal(config_load_file(cfg, "/nonexistent/wangge.conf", false, &err), 0);
	assert_int_equal(config_load_file(cfg, "/nonexistent/wangge.conf", true, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(config_load_env(cfg, bad_env, &err), -1);
	assert_non_null(strstr(err, "WANGGE_BODY_LIMIT"));
	free(err);
	config_free(cfg);
	unlink(path);
	free(path);
}

static void test_print_hides_password(void **state)
{
	(void)state;
	struct config *cfg = config_new();
	char *err = NULL;
	assert_int_equal(config_set(cfg, "db", "postgres://wg:hunter22@db:5432/wg", CONFIG_ENV, "WANGGE_DB", &err), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_print(cfg, f);
	fclose(f);
	assert_null(strstr(text, "hunter22"));
	assert_non_null(strstr(text, "db = postgres://wg:***@db:5432/wg\t# environment (WANGGE_DB)"));
	free(text);
	config_free(cfg);
}

/* key, value -> accepted? */
static const struct {
	const char *key, *value;
	bool ok;
} webhook_values[] = {
	{"webhook_url", "", true},
	{"webhook_url", "https://hooks.example.org/wangge", true},
	{"webhook_url", "http://127.0.0.1:9000/", true},
	{"webhook_url", "ftp://example.org/", false},
	{"webhook_url", "example.org", false},
	{"webhook_url", "https://", false},
	{"webhook_url", "https://a b/", false},
	{"webhook_secret", "anything at all", true},
	{"webhook_timeout_ms", "99", false},
	{"webhook_timeout_ms", "5000", true},
	{"webhook_retry_base_ms", "0", false},
	{"webhook_max_attempts", "0", false},
	{"webhook_max_attempts", "101", false},
	{"webhook_max_attempts", "3", true},
};

static void test_webhook_settings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof webhook_values / sizeof webhook_values[0]; i++) {
		struct config *cfg = config_new();
		char *err = NULL;
		int rc = config_set(cfg, webhook_values[i].key, webhook_values[i].value, CONFIG_FLAG, "--flag", &err);
		if ((rc == 0) != webhook_values[i].ok)
			fail_msg("%s = '%s': %s", webhook_values[i].key, webhook_values[i].value, err ? err : "accepted");
		free(err);
		config_free(cfg);
	}
	struct config *cfg = config_new();
	char *err = NULL;
	assert_int_equal(config_set(cfg, "webhook_secret", "s3cret-s3cret-s3cret", CONFIG_ENV, "WANGGE_WEBHOOK_SECRET", &err), 0);
	assert_int_equal(config_set(cfg, "webhook_url", "https://u:pw123@hooks.example.org/x", CONFIG_FLAG, "--webhook_url", &err), 0);
	assert_int_equal(config_set(cfg, "webhook_url", "ftp://u:pw123@x/", CONFIG_FLAG, "--webhook_url", &err), -1);
	assert_null(strstr(err, "pw123"));
	free(err);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_print(cfg, f);
	fclose(f);
	assert_null(strstr(text, "s3cret"));
	assert_null(strstr(text, "pw123"));
	assert_non_null(strstr(text, "webhook_secret = ***\t"));
	assert_non_null(strstr(text, "webhook_url = https://u:***@hooks.example.org/x\t"));
	free(text);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_print_hides_password),
		cmocka_unit_test(test_webhook_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
