/* The server's own endpoints: liveness, readiness, metrics, and the web
 * UI's error reports. */
#ifndef WG_MODULES_SYSTEM_H
#define WG_MODULES_SYSTEM_H

#include "http/http.h"
#include "store/store.h"

/* The module's routes; store is borrowed and must outlive the server. */
const struct http_module *system_module(struct store *store);

#endif
