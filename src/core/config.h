/* Configuration: defaults < config file (key = value) < environment
 * (WANGGE_<KEY>) < command-line flags. Every key is declared once in
 * config.c with its type, default and help; a value is checked when it is
 * set, whatever its source, so a bad setting fails at start, not later. */
#ifndef WG_CORE_CONFIG_H
#define WG_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum config_source {
	CONFIG_DEFAULT,
	CONFIG_FILE,
	CONFIG_ENV,
	CONFIG_FLAG,
};

struct config;

struct config *config_new(void);
void config_free(struct config *cfg);

/* Sets key from source. Returns 0, or -1 with *err set (caller frees) when
 * the key is unknown or the value does not fit its type. */
int config_set(struct config *cfg, const char *key, const char *value,
	       enum config_source source, const char *origin, char **err);

/* Reads "key = value" lines; '#' starts a comment. A missing file is an
 * error only when must_exist. Returns 0 or -1 with *err (caller frees). */
int config_load_file(struct config *cfg, const char *path, bool must_exist, char **err);

/* Reads WANGGE_<KEY> for every declared key through lookup (getenv in the
 * program; a table in tests). Returns 0 or -1 with *err (caller frees). */
int config_load_env(struct config *cfg, const char *(*lookup)(const char *name), char **err);

/* Borrowed; valid until the key is set again or cfg is freed. */
const char *config_get(const struct config *cfg, const char *key);
int64_t config_get_int(const struct config *cfg, const char *key);
bool config_get_bool(const struct config *cfg, const char *key);
enum config_source config_source_of(const struct config *cfg, const char *key);

/* One line per key: "key = value    # source". */
void config_print(const struct config *cfg, FILE *out);
/* The declared keys with their help, for --help texts. */
void config_print_help(FILE *out);

#endif
