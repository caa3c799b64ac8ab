/* Shared inside the identity module only. */
#ifndef WG_IDENTITY_INTERNAL_H
#define WG_IDENTITY_INTERNAL_H

#include "modules/identity/identity.h"

extern struct store *identity_store;
extern struct identity_config identity_cfg;

/* Handlers; the route table is in identity.c. */
void session_create(struct http_req *req);
void session_read(struct http_req *req);
void session_delete(struct http_req *req);
void users_list(struct http_req *req);
void users_read(struct http_req *req);
void users_create(struct http_req *req);
void users_update(struct http_req *req);
void units_list(struct http_req *req);
void units_read(struct http_req *req);
void units_create(struct http_req *req);
void units_update(struct http_req *req);
void audit_list(struct http_req *req);

/* Reads an area row's columns starting at col: id, parent_id, level, code,
 * name, path. */
void area_ref_read(struct store_stmt *st, int col, struct area_ref *out);
#define AREA_REF_COLUMNS(a) a ".id, " a ".parent_id, " a ".level, " a ".code, " a ".name, " a ".path"

/* The id of the root area (0 when there is none yet). */
int identity_root_area(struct store_conn *c, int64_t *id);

#endif
