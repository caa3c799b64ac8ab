#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_LISTEN,
	CONFIG_DB,
	CONFIG_URL,    /* empty, or an http:// or https:// URL */
	CONFIG_SECRET, /* a string never printed */
};

struct config_key {
	const char *name;
	enum config_type type;
	const char *default_value;
	int64_t min, max; /* for CONFIG_INT */
	const char *help;
};

/* The one list of settings. */
static const struct config_key config_keys[] = {
	{"listen", CONFIG_LISTEN, "127.0.0.1:8080", 0, 0, "address and port the HTTP server listens on (port 0 picks a free one)"},
	{"db", CONFIG_DB, "sqlite:wangge.db", 0, 0, "database: sqlite:PATH or postgres://user@host:port/dbname"},
	{"threads", CONFIG_INT, "0", 0, 256, "HTTP worker threads; 0 means 8 per core (at least 16)"},
	{"body_limit", CONFIG_INT, "1048576", 1024, 1073741824, "largest request body in bytes (413 beyond)"},
	{"access_log", CONFIG_BOOL, "on", 0, 0, "one JSON line per request on stderr"},
	{"behind_tls", CONFIG_BOOL, "off", 0, 0, "served behind a TLS proxy: cookies get the Secure flag"},
	{"shutdown_timeout", CONFIG_INT, "10", 0, 3600, "seconds to let in-flight requests finish on SIGTERM"},
	{"per_ip_connections", CONFIG_INT, "0", 0, 100000, "most open connections from one address; 0 means no limit"},
	{"trusted_proxy", CONFIG_STRING, "", 0, 0, "addresses of proxies (nginx) whose X-Real-IP / X-Forwarded-For name the client, comma-separated"},
	{"public_writes_per_minute", CONFIG_INT, "60", 0, 100000, "writes a minute one address may make without signing in (public form, ratings, photos, Open311); 0 means no limit"},
	{"public_write_burst", CONFIG_INT, "30", 1, 100000, "of those, how many may come at once"},
	{"case_autoclose_days", CONFIG_INT, "7", 1, 365, "days after which a resolved case nobody rated is closed"},
	{"key_file", CONFIG_STRING, "", 0, 0, "the data key file; empty: beside a SQLite database (PATH.key), required for PostgreSQL"},
	{"webhook_url", CONFIG_URL, "", 0, 0, "http:// or https:// URL that events are POSTed to; empty: no webhook"},
	{"webhook_secret", CONFIG_SECRET, "", 0, 0, "key of the X-Wangge-Signature HMAC (at least 16 characters when webhook_url is set)"},
	{"webhook_timeout_ms", CONFIG_INT, "5000", 100, 600000, "milliseconds a webhook delivery may take before it counts as failed"},
	{"webhook_retry_base_ms", CONFIG_INT, "1000", 1, 3600000, "first retry delay of a failed delivery in ms; doubles each attempt, at most 1 h"},
	{"webhook_max_attempts", CONFIG_INT, "10", 1, 100, "delivery attempts of one event before it is marked failed"},
	{"photo_max_bytes", CONFIG_INT, "5242880", 1024, 20971520, "largest photo upload in bytes (413 beyond)"},
	{"photo_max_count", CONFIG_INT, "9", 1, 20, "most photos on one step of a case"},
	{"blob_dir", CONFIG_STRING, "", 0, 0, "keep photos in this directory instead of the database (one machine only); empty: in the database"},
};

#define CONFIG_NKEYS (sizeof config_keys / sizeof config_keys[0])

struct config {
	char *values[CONFIG_NKEYS];
	char *origins[CONFIG_NKEYS]; /* file:line, env name or flag */
	enum config_source sources[CONFIG_NKEYS];
};

static int config_index(const char *key)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].name, key) == 0)
			return (int)i;
	return -1;
}

static bool parse_int(const char *s, int64_t *out)
{
	if (!*s)
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int parse_bool(const char *s)
{
	static const char *yes[] = {"on", "true", "yes", "1"};
	static const char *no[] = {"off", "false", "no", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static bool valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return false;
	int64_t port;
	return parse_int(colon + 1, &port) && port >= 0 && port <= 65535;
}

static const char *check_value(const struct config_key *k, const char *value)
{
	int64_t n;
	switch (k->type) {
	case CONFIG_STRING:
		return NULL;
	case CONFIG_INT:
		if (!parse_int(value, &n))
			return "is not a whole number";
		if (n < k->min || n > k->max)
			return "is out of range";
		return NULL;
	case CONFIG_BOOL:
		return parse_bool(value) < 0 ? "is not on/off" : NULL;
	case CONFIG_LISTEN:
		return valid_listen(value) ? NULL : "is not ADDRESS:PORT";
	case CONFIG_DB:
		if (strncmp(value, "sqlite:", 7) == 0 && value[7])
			return NULL;
		if (strncmp(value, "postgres://", 11) == 0 || strncmp(value, "postgresql://", 13) == 0)
			return NULL;
		return "is not sqlite:PATH or postgres://...";
	case CONFIG_URL:
		if (!*value)
			return NULL;
		if ((strncmp(value, "http://", 7) == 0 && value[7]) || (strncmp(value, "https://", 8) == 0 && value[8]))
			return strpbrk(value, " \t\r\n") ? "holds white space" : NULL;
		return "is not an http:// or https:// URL";
	case CONFIG_SECRET:
		return NULL;
	}
	return "has an unknown type";
}

struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		cfg->values[i] = xstrdup(config_keys[i].default_value);
		cfg->origins[i] = xstrdup("default");
		cfg->sources[i] = CONFIG_DEFAULT;
	}
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		free(cfg->values[i]);
		free(cfg->origins[i]);
	}
	free(cfg);
}

int config_set(struct config *cfg, const char *key, const char *value,
	       enum config_source source, const char *origin, char **err)
{
	int i = config_index(key);
	if (i < 0) {
		*err = xasprintf("%s: unknown setting '%s'", origin, key);
		return -1;
	}
	const char *why = check_value(&config_keys[i], value);
	if (why) {
		/* A URL may carry a password: do not echo it. */
		if (config_keys[i].type == CONFIG_URL || config_keys[i].type == CONFIG_SECRET)
			*err = xasprintf("%s: %s %s", origin, key, why);
		else
			*err = xasprintf("%s: %s '%s' %s", origin, key, value, why);
		return -1;
	}
	/* A lower-precedence source never overrides a higher one, whatever the
	 * order sources are read in. */
	if (source < cfg->sources[i])
		return 0;
	free(cfg->values[i]);
	free(cfg->origins[i]);
	cfg->values[i] = xstrdup(value);
	cfg->origins[i] = xstrdup(origin);
	cfg->sources[i] = source;
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int config_load_file(struct config *cfg, const char *path, bool must_exist, char **err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		char *origin = xasprintf("%s:%d", path, lineno);
		if (!eq) {
			*err = xasprintf("%s: expected 'key = value'", origin);
			free(origin);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = config_set(cfg, trim(s), trim(eq + 1), CONFIG_FILE, origin, err);
		free(origin);
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

int config_load_env(struct config *cfg, const char *(*lookup)(const char *name), char **err)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		char name[64] = "WANGGE_";
		size_t n = strlen(name);
		for (const char *p = config_keys[i].name; *p && n < sizeof name - 1; p++)
			name[n++] = (char)toupper((unsigned char)*p);
		name[n] = '\0';
		const char *v = lookup(name);
		if (v && config_set(cfg, config_keys[i].name, v, CONFIG_ENV, name, err))
			return -1;
	}
	return 0;
}

const char *config_get(const struct config *cfg, const char *key)
{
	int i = config_index(key);
	if (i < 0)
		return NULL;
	return cfg->values[i];
}

int64_t config_get_int(const struct config *cfg, const char *key)
{
	int64_t n = 0;
	const char *v = config_get(cfg, key);
	if (v)
		parse_int(v, &n);
	return n;
}

bool config_get_bool(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, key);
	return v && parse_bool(v) == 1;
}

enum config_source config_source_of(const struct config *cfg, const char *key)
{
	int i = config_index(key);
	return i < 0 ? CONFIG_DEFAULT : cfg->sources[i];
}

static const char *source_name(enum config_source s)
{
	switch (s) {
	case CONFIG_DEFAULT: return "default";
	case CONFIG_FILE: return "file";
	case CONFIG_ENV: return "environment";
	case CONFIG_FLAG: return "flag";
	}
	return "?";
}

void config_print(const struct config *cfg, FILE *out)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const char *v = cfg->values[i];
		/* Never print a password: a secret at all, a URL's but for the
		 * user name. */
		char *shown = NULL;
		const char *at = strchr(v, '@');
		const char *scheme = strstr(v, "://");
		if (config_keys[i].type == CONFIG_SECRET && *v)
			shown = xstrdup("***");
		else if ((config_keys[i].type == CONFIG_DB || config_keys[i].type == CONFIG_URL) && at && scheme) {
			const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
			if (colon)
				shown = xasprintf("%.*s:***%s", (int)(colon - v), v, at);
		}
		fprintf(out, "%s = %s\t# %s (%s)\n", config_keys[i].name, shown ? shown : v,
			source_name(cfg->sources[i]), cfg->origins[i]);
		free(shown);
	}
}

void config_print_help(FILE *out)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		fprintf(out, "  %-20s %s (default %s)\n", config_keys[i].name, config_keys[i].help,
			config_keys[i].default_value);
}
