/* wangge area add|list|import: the area tree from the command line. The
 * CLI acts as a system actor over the whole tree and writes through the
 * same store functions as the API (modules/areas/areas.h), audit entries
 * included: login "cli", role "admin", address "local". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "modules/areas/areas.h"

static void area_actor(struct actor *a)
{
	*a = (struct actor){.login = "cli", .role = "admin", .address = "local", .request_id = "cli"};
}

/* Opens the store after the arguments are known good; NULL after printing. */
static struct store *area_open(const struct cli_command *cmd, const struct cli_args *args)
{
	int applied;
	return cli_open_store(cmd, args, &applied);
}

/* A transaction that failed on the database's side (the store logged why). */
static int area_db_failed(const struct cli_command *cmd, int rc)
{
	cli_error(cmd, "the database failed (%s): nothing was written",
		  rc == STORE_SOFT ? "busy, try again" : "see the log above");
	return CLI_FAILURE;
}

/* ---- add ---- */

struct area_add {
	struct areas_new in;
	struct store_scope scope;
	struct actor actor;
	struct areas_error err;
};

static int area_add_tx(struct store_conn *c, void *arg)
{
	struct area_add *a = arg;
	return areas_create(c, &a->scope, &a->actor, &a->in, NULL, &a->err);
}

static int area_add(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	struct area_add a = {.in = {.code = cli_value(&args, "code"), .name = cli_value(&args, "name"),
				    .level = cli_value(&args, "level"), .parent_code = cli_value(&args, "parent")}};
	const char *needed[] = {"code", "name", "level"};
	for (size_t i = 0; i < 3; i++)
		if (!cli_value(&args, needed[i])) {
			cli_error(cmd, "--%s is needed (see wangge %s --help)", needed[i], cmd->name);
			cli_args_free(&args);
			return CLI_USAGE;
		}
	if (!areas_check_new(&a.in, &a.err)) {
		cli_error(cmd, "--%s: %s", strcmp(a.err.field, "parent_code") ? a.err.field : "parent", a.err.message);
		cli_args_free(&args);
		return CLI_USAGE;
	}
	struct store *s = area_open(cmd, &args);
	int rc = STORE_ERROR;
	if (s) {
		areas_scope_all(&a.scope);
		area_actor(&a.actor);
		rc = store_tx(s, STORE_WRITE, area_add_tx, &a);
		if (rc == STORE_OK)
			printf("wangge: area %s added\n", a.in.code);
		else if (rc == STORE_ABORT)
			cli_error(cmd, "%s", a.err.message[0] ? a.err.message : http_error_message(a.err.code));
		else
			area_db_failed(cmd, rc);
		store_close(s);
	}
	cli_args_free(&args);
	return rc == STORE_OK ? CLI_OK : CLI_FAILURE;
}

/* ---- list ---- */

struct area_list {
	struct store_scope scope;
	const char *parent;
	json_t *items; /* all of them, page after page */
	bool missing;
};

/* The CLI lists everything: pages only bound each query's memory. */
#define AREA_LIST_PAGE 1000

static int area_list_tx(struct store_conn *c, void *arg)
{
	struct area_list *l = arg;
	int64_t parent_id = 0, after = 0, last = 0;
	if (l->parent) {
		struct areas_row row;
		int rc = areas_get(c, &l->scope, l->parent, &row);
		if (rc == STORE_DONE)
			l->missing = true;
		if (rc != STORE_OK)
			return rc == STORE_DONE ? STORE_ABORT : rc;
		parent_id = row.area.id;
	}
	json_array_clear(l->items);
	json_t *page = json_array();
	int rc;
	do {
		rc = areas_children(c, &l->scope, parent_id, after, AREA_LIST_PAGE, page, &last);
		json_array_extend(l->items, page);
		after = last;
	} while (rc == STORE_OK && json_array_size(page) == AREA_LIST_PAGE);
	json_decref(page);
	return rc;
}

static int area_list(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	struct area_list l = {.parent = cli_value(&args, "parent"), .items = json_array()};
	areas_scope_all(&l.scope);
	struct store *s = area_open(cmd, &args);
	int rc = s ? store_tx(s, STORE_READ, area_list_tx, &l) : STORE_ERROR;
	if (rc == STORE_OK) {
		size_t i;
		json_t *it;
		json_array_foreach(l.items, i, it)
			printf("%s\t%s\t%s\t%lld\n", json_string_value(json_object_get(it, "code")),
			       json_string_value(json_object_get(it, "level")), json_string_value(json_object_get(it, "name")),
			       (long long)json_integer_value(json_object_get(it, "child_count")));
	} else if (l.missing) {
		cli_error(cmd, "no area '%s'", l.parent);
	} else if (s) {
		area_db_failed(cmd, rc);
	}
	json_decref(l.items);
	store_close(s);
	cli_args_free(&args);
	return rc == STORE_OK ? CLI_OK : CLI_FAILURE;
}

/* ---- import ---- */

/* One area of the file. */
struct area_in {
	char where[40]; /* "12" (a CSV line) or "features[3]" */
	char *fields[4]; /* CSV: owned code, name, level, parent_code */
	const char *code, *name, *level, *parent_code;
	const json_t *geojson; /* GeoJSON: the feature's geometry, borrowed */
	int depth;             /* ancestors within the file */
	size_t order;          /* position in the file */
};

struct area_import {
	const char *file;
	struct area_in *rows;
	size_t count;
	struct store_scope scope;
	struct actor actor;
	size_t created, updated, unchanged;
	size_t failed; /* the row that stopped the import */
	struct areas_error err;
};

/* Prints "FILE:WHERE: message" and returns CLI_FAILURE. */
__attribute__((format(printf, 4, 5)))
static int area_import_fail(const struct cli_command *cmd, const char *file, const char *where, const char *fmt, ...)
{
	char message[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	cli_error(cmd, "%s:%s: %s", file, where, message);
	return CLI_FAILURE;
}

/* Prints why row r was refused (im->err): "FILE:WHERE: field 'value': why". */
static int area_row_fail(const struct cli_command *cmd, const struct area_import *im, const struct area_in *r)
{
	const char *field = im->err.field ? im->err.field : "code";
	const char *value = strcmp(field, "code") == 0		? r->code
			    : strcmp(field, "level") == 0	? r->level
			    : strcmp(field, "parent_code") == 0 ? r->parent_code
								: NULL; /* a name may not even be UTF-8 */
	const char *why = im->err.message[0] ? im->err.message : http_error_message(im->err.code);
	if (value)
		return area_import_fail(cmd, im->file, r->where, "%s '%s': %s", field, value, why);
	return area_import_fail(cmd, im->file, r->where, "%s: %s", field, why);
}


struct area_csv {
	const char *p, *end;
	int line;
};

/* One CSV record (RFC 4180: a quoted field may hold commas, "" for a quote
 * and line breaks) into fields (owned by the caller), at most max. Returns
 * the number of fields, 0 at the end, -1 with *why on a malformed record;
 * *line gets the line the record starts on. Blank lines are skipped. */
static int area_csv_record(struct area_csv *c, char **fields, int max, int *line, const char **why)
{
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r'))
		c->line += *c->p++ == '\n';
	if (c->p >= c->end)
		return 0;
	*line = c->line;
	int n = 0;
	struct buf b = {0};
	for (;;) {
		buf_reset(&b);
		if (*c->p == '"') {
			for (c->p++;; c->p++) {
				if (c->p >= c->end) {
					*why = "a quoted field is not closed";
					goto fail;
				}
				if (*c->p == '"' && (c->p + 1 >= c->end || c->p[1] != '"'))
					break;
				if (*c->p == '"')
					c->p++;
				c->line += *c->p == '\n';
				buf_append(&b, c->p, 1);
			}
			c->p++;
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				*why = "text follows a closing quote";
				goto fail;
			}
		} else {
			const char *start = c->p;
			for (; c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r'; c->p++)
				if (*c->p == '"') {
					*why = "a quote inside an unquoted field";
					goto fail;
				}
			buf_append(&b, start, (size_t)(c->p - start));
		}
		if (n == max) {
			*why = "too many fields: code,name,level,parent_code";
			goto fail;
		}
		fields[n++] = buf_steal(&b);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n') {
			c->p++;
			c->line++;
		}
		buf_free(&b);
		return n;
	}
fail:
	while (n > 0)
		free(fields[--n]);
	buf_free(&b);
	return -1;
}

static const char *const area_columns[4] = {"code", "name", "level", "parent_code"};

/* Reads the CSV into im->rows. Returns CLI_OK or the exit code after
 * printing why. */
static int area_parse_csv(const struct cli_command *cmd, struct area_import *im, const char *text, size_t len)
{
	struct area_csv c = {text, text + len, 1};
	char *head[4], where[16];
	int line = 1;
	const char *why = NULL;
	int n = area_csv_record(&c, head, 4, &line, &why);
	int map[4] = {-1, -1, -1, -1}; /* file column -> area_columns index: any order */
	bool header_ok = n == 4;
	for (int i = 0; i < (n > 0 ? n : 0); i++) {
		for (int k = 0; k < 4; k++)
			if (strcmp(head[i], area_columns[k]) == 0)
				map[i] = k;
		header_ok = header_ok && map[i] >= 0;
		for (int j = 0; j < i; j++)
			header_ok = header_ok && map[j] != map[i];
		free(head[i]);
	}
	snprintf(where, sizeof where, "%d", line);
	if (!header_ok)
		return area_import_fail(cmd, im->file, where, "%s", why ? why : "the header must be code,name,level,parent_code");
	size_t cap = 0;
	char *fields[4];
	while ((n = area_csv_record(&c, fields, 4, &line, &why)) > 0) {
		if (im->count == cap) {
			cap = cap ? cap * 2 : 64;
			im->rows = xrealloc(im->rows, cap * sizeof *im->rows);
		}
		struct area_in *r = &im->rows[im->count++];
		memset(r, 0, sizeof *r);
		snprintf(r->where, sizeof r->where, "%d", line);
		r->order = im->count - 1;
		for (int i = 0; i < n; i++)
			r->fields[map[i]] = fields[i];
		if (n != 4)
			return area_import_fail(cmd, im->file, r->where, "%d fields where 4 are expected", n);
		r->code = r->fields[0];
		r->name = r->fields[1];
		r->level = r->fields[2];
		r->parent_code = r->fields[3];
	}
	snprintf(where, sizeof where, "%d", line);
	return n < 0 ? area_import_fail(cmd, im->file, where, "%s", why) : CLI_OK;
}

/* Reads a FeatureCollection into im->rows; the rows borrow from doc. */
static int area_parse_geojson(const struct cli_command *cmd, struct area_import *im, const json_t *doc)
{
	const json_t *features = json_object_get(doc, "features");
	const char *type = json_string_value(json_object_get(doc, "type"));
	if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features))
		return area_import_fail(cmd, im->file, "1", "a FeatureCollection with a \"features\" list is expected");
	im->count = json_array_size(features);
	im->rows = xcalloc(im->count ? im->count : 1, sizeof *im->rows); /* calloc(0) may answer NULL */
	for (size_t i = 0; i < im->count; i++) {
		struct area_in *r = &im->rows[i];
		const json_t *f = json_array_get(features, i);
		const json_t *props = json_object_get(f, "properties");
		const json_t *geometry = json_object_get(f, "geometry");
		snprintf(r->where, sizeof r->where, "features[%zu]", i);
		r->order = i;
		r->code = json_string_value(json_object_get(props, "code"));
		r->name = json_string_value(json_object_get(props, "name"));
		r->level = json_string_value(json_object_get(props, "level"));
		r->parent_code = json_string_value(json_object_get(props, "parent_code"));
		const json_t *parent = json_object_get(props, "parent_code");
		if (!r->code || !r->name || !r->level || (parent && !json_is_null(parent) && !r->parent_code))
			return area_import_fail(cmd, im->file, r->where,
						"properties code, name and level are strings, parent_code a string or null");
		r->geojson = geometry && !json_is_null(geometry) ? geometry : NULL;
	}
	return CLI_OK;
}

static int area_by_code(const void *a, const void *b)
{
	return strcmp((*(const struct area_in *const *)a)->code, (*(const struct area_in *const *)b)->code);
}

static int area_by_depth(const void *a, const void *b)
{
	const struct area_in *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Checks every row alone, then orders them so that a parent given in the
 * file comes before its children: by the number of ancestors within the
 * file, which is below AREA_LEVELS (levels strictly increase), so a longer
 * chain is a cycle. */
static int area_check_and_order(const struct cli_command *cmd, struct area_import *im)
{
	if (im->count == 0) {
		cli_error(cmd, "%s: no areas to import", im->file);
		return CLI_FAILURE;
	}
	for (size_t i = 0; i < im->count; i++) {
		struct area_in *r = &im->rows[i];
		struct areas_new n = {r->code, r->name, r->level, r->parent_code, r->geojson};
		if (!areas_check_new(&n, &im->err))
			return area_row_fail(cmd, im, r);
	}
	struct area_in **index = xmalloc(im->count * sizeof *index);
	for (size_t i = 0; i < im->count; i++)
		index[i] = &im->rows[i];
	qsort(index, im->count, sizeof *index, area_by_code);
	int exit_code = CLI_OK;
	for (size_t i = 1; i < im->count && exit_code == CLI_OK; i++)
		if (strcmp(index[i - 1]->code, index[i]->code) == 0) {
			struct area_in *later = index[i]->order > index[i - 1]->order ? index[i] : index[i - 1];
			exit_code = area_import_fail(cmd, im->file, later->where, "code '%s' appears twice", later->code);
		}
	for (size_t i = 0; i < im->count && exit_code == CLI_OK; i++) {
		struct area_in *r = &im->rows[i];
		struct area_in key = {.code = r->parent_code}, *kp = &key, **up;
		r->depth = 0;
		while (kp->code && *kp->code && (up = bsearch(&kp, index, im->count, sizeof *index, area_by_code))) {
			if (++r->depth >= AREA_LEVELS) {
				exit_code = area_import_fail(cmd, im->file, r->where, "parent_code '%s' leads round in a cycle",
							     r->parent_code);
				break;
			}
			key.code = (*up)->parent_code;
		}
	}
	free(index);
	if (exit_code == CLI_OK)
		qsort(im->rows, im->count, sizeof *im->rows, area_by_depth);
	return exit_code;
}

static int area_import_tx(struct store_conn *c, void *arg)
{
	struct area_import *im = arg;
	im->created = im->updated = im->unchanged = 0;
	for (size_t i = 0; i < im->count; i++) {
		const struct area_in *r = &im->rows[i];
		im->failed = i;
		struct areas_row old;
		int rc = areas_get(c, &im->scope, r->code, &old);
		if (rc == STORE_OK) {
			/* An existing area: its name (and outline) only. */
			struct areas_change change = {.name = r->name, .geojson = r->geojson};
			bool same = strcmp(old.area.name, r->name) == 0 && !r->geojson;
			rc = areas_update(c, &im->scope, &im->actor, r->code, &change, NULL, &im->err);
			*(same ? &im->unchanged : &im->updated) += rc == STORE_OK;
		} else if (rc == STORE_DONE) {
			struct areas_new n = {r->code, r->name, r->level, r->parent_code, r->geojson};
			rc = areas_create(c, &im->scope, &im->actor, &n, NULL, &im->err);
			im->created += rc == STORE_OK;
		}
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static bool area_is_geojson(const char *file, const char *text, size_t len)
{
	size_t n = strlen(file);
	if ((n > 8 && strcmp(file + n - 8, ".geojson") == 0) || (n > 5 && strcmp(file + n - 5, ".json") == 0))
		return true;
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return text[i] == '{';
	return false;
}

/* Reads, checks and orders the file, then writes it in one transaction. */
static int area_import_file(const struct cli_command *cmd, const struct cli_args *args, struct area_import *im)
{
	size_t len = 0;
	char *text = cli_read_file(im->file, &len);
	if (!text) {
		cli_error(cmd, "cannot read %s: %s", im->file, strerror(errno));
		return CLI_FAILURE;
	}
	const char *body = text;
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) { /* a spreadsheet's byte-order mark */
		body += 3;
		len -= 3;
	}
	json_t *doc = NULL;
	int exit_code;
	if (memchr(body, '\0', len)) {
		exit_code = area_import_fail(cmd, im->file, "1", "the file holds NUL bytes: it is not UTF-8 text");
	} else if (area_is_geojson(im->file, body, len)) {
		json_error_t jerr;
		doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
		char where[16];
		snprintf(where, sizeof where, "%d", jerr.line);
		exit_code = doc ? area_parse_geojson(cmd, im, doc) : area_import_fail(cmd, im->file, where, "%s", jerr.text);
	} else {
		exit_code = area_parse_csv(cmd, im, body, len);
	}
	if (exit_code == CLI_OK)
		exit_code = area_check_and_order(cmd, im);
	struct store *s = exit_code == CLI_OK ? area_open(cmd, args) : NULL;
	if (s) {
		areas_scope_all(&im->scope);
		area_actor(&im->actor);
		int rc = store_tx(s, STORE_WRITE, area_import_tx, im);
		if (rc == STORE_OK) {
			printf("wangge: imported %s: %zu created, %zu updated, %zu unchanged\n", im->file, im->created,
			       im->updated, im->unchanged);
		} else {
			exit_code = rc == STORE_ABORT ? area_row_fail(cmd, im, &im->rows[im->failed]) : area_db_failed(cmd, rc);
		}
		store_close(s);
	} else if (exit_code == CLI_OK) {
		exit_code = CLI_FAILURE;
	}
	for (size_t i = 0; i < im->count; i++)
		for (int k = 0; k < 4; k++)
			free(im->rows[i].fields[k]);
	free(im->rows);
	json_decref(doc);
	free(text);
	return exit_code;
}

static int area_import(const struct cli_command *cmd, int argc, char **argv)
{
	/* FILE comes first; cli_parse reads options only. */
	const char *file = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++)
		if (i != 1 || !file)
			rest[n++] = argv[i];
	struct cli_args args;
	int code;
	if (cli_parse(cmd, n, rest, &args, &code)) {
		free(rest);
		return code;
	}
	free(rest);
	if (!file) {
		cli_error(cmd, "a FILE to import is needed (see wangge %s --help)", cmd->name);
		cli_args_free(&args);
		return CLI_USAGE;
	}
	struct area_import im = {.file = file};
	int exit_code = area_import_file(cmd, &args, &im);
	cli_args_free(&args);
	return exit_code;
}

/* ---- the subcommands ---- */

static const struct cli_option area_add_options[] = {
	{"code", CLI_VALUE, "the new area's code (letters, digits, _ or -)"},
	{"name", CLI_VALUE, "its name"},
	{"level", CLI_VALUE, "city, county, town, community, grid or building (or 市 县 镇 村 网格 楼栋)"},
	{"parent", CLI_VALUE, "the parent's code; without it, the root (level root) while there is none"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_option area_list_options[] = {
	{"parent", CLI_VALUE, "whose children to show (default: the root)"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_option area_import_options[] = {
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_command area_verbs[] = {
	{"area add", "Add one area.", "--code CODE --name NAME --level LEVEL [--parent CODE] [--db URL]",
	 area_add_options, area_add},
	{"area list", "Print the children of an area (default: the root) as code, level, name, children.",
	 "[--parent CODE] [--db URL]", area_list_options, area_list},
	{"area import", "Add areas, or rename existing ones, from a CSV or GeoJSON file: all or nothing.",
	 "FILE [--db URL]\n\nFILE is CSV with the header code,name,level,parent_code (parents anywhere in the file),\n"
	 "or a GeoJSON FeatureCollection whose features carry those properties and the outline as geometry.",
	 area_import_options, area_import},
};

int cmd_area(const struct cli_command *cmd, int argc, char **argv)
{
	if (argc < 2) {
		cli_error(cmd, "a subcommand is needed: add, list or import (see wangge area --help)");
		return CLI_USAGE;
	}
	for (size_t i = 0; i < sizeof area_verbs / sizeof area_verbs[0]; i++)
		if (strcmp(argv[1], area_verbs[i].name + 5) == 0)
			return area_verbs[i].run(&area_verbs[i], argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		/* As `wangge user --help` prints its verbs. */
		printf("usage: wangge %s VERB [options]\n\n%s\n\nverbs:\n", cmd->name, cmd->summary);
		for (size_t i = 0; i < sizeof area_verbs / sizeof area_verbs[0]; i++)
			printf("  %-14s %s\n", area_verbs[i].name + 5, area_verbs[i].summary);
		return CLI_OK;
	}
	cli_error(cmd, "unknown subcommand '%s': add, list or import", argv[1]);
	return CLI_USAGE;
}
