/* The statement behind GET /api/v1/cases without an inbox, one per shape:
 * whose cases the caller sees (list_base) and which filters are present.
 * A filter that is absent is left out of the text rather than written as
 * "? IS NULL OR column = ?", which no planner can match to an index. Each
 * shape records the order of its parameters, so that the caller binds by
 * walking that list and cannot get the order of a shape wrong. */
#ifndef WG_CASES_LIST_SHAPE_H
#define WG_CASES_LIST_SHAPE_H

/* The columns of every list and inbox row, item_json() in inbox.c reads them. */
#define DUE_EXPR "(CASE c.state WHEN 'dispatched' THEN c.sign_due_at WHEN 'signed' THEN c.resolve_due_at END)"
#define UNREAD_EXPR "(CASE WHEN r.version IS NULL OR r.version < c.version THEN 1 ELSE 0 END)"
#define LIST_COLS                                                                                                    \
	"SELECT c.id, c.state, c.title, c.category_code, k.name_zh, a.code, a.name, c.source, c.urgent, c.address,"  \
	" COALESCE(c.lead_unit_id, 0), u.name, c.submitted_at, COALESCE(" DUE_EXPR ", 0), c.version, " UNREAD_EXPR \
	", c.extension_pending, c.supervised"
/* What a row names besides the case; after cases c and areas a are in the
 * FROM clause. Binds: 1 = the user, for what they have read. */
#define LIST_JOINS                                                                                                   \
	" JOIN case_categories k ON k.code = c.category_code LEFT JOIN units u ON u.id = c.lead_unit_id"              \
	" LEFT JOIN case_reads r ON r.case_id = c.id AND r.user_id = ?"

enum list_base {
	LIST_BY_AREA,     /* staff, commanders, admins, grid workers: their scope */
	LIST_BY_UNIT,     /* a handler: the department's cases, lead or co-handled */
	LIST_BY_REPORTER, /* a resident: what they reported */
	LIST_BASES,
};

/* The filters present, as bits. */
enum {
	LIST_STATE = 1,
	LIST_CATEGORY = 2,
	LIST_SOURCE = 4,
	LIST_TEXT = 8, /* q: title, description or address */
	LIST_FILTERS = 16,
};

/* What each parameter is, in the order of the text. SCOPE and RANGE take
 * two (store_bind_scope), TEXT one (the same LIKE pattern each time). */
enum list_bind {
	LIST_BIND_USER,  /* the caller's user id, for their read marks */
	LIST_BIND_SCOPE, /* the caller's scope */
	LIST_BIND_RANGE, /* the area asked for, or the scope (staff) or the whole tree */
	LIST_BIND_UNIT,
	LIST_BIND_STATE,
	LIST_BIND_CATEGORY,
	LIST_BIND_SOURCE,
	LIST_BIND_TEXT,
	LIST_BIND_CURSOR, /* ids below it: the last id of the previous page, or INT64_MAX */
	LIST_BIND_LIMIT,
};

#define LIST_SQL_MAX 3072
#define LIST_BINDS_MAX 32

struct list_shape {
	char sql[LIST_SQL_MAX]; /* static storage: store_prepare caches by its address */
	unsigned char binds[LIST_BINDS_MAX];
	int nbinds;
};

/* The shape for base and filters (LIST_* bits): LIST_COLS, newest first;
 * borrowed, lives as long as the process. Every shape is made on the first
 * call. */
const struct list_shape *list_shape_get(enum list_base base, unsigned filters);

#endif
