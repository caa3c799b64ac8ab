/* The configuration half of the cases module as an HTTP module of its own
 * ("case-config"): categories with their time limits and extra fields,
 * routing rules, and the working calendar. The cases themselves are served
 * by the main cases module; both share cases_internal.h. */
#ifndef WG_CASES_CASE_CONFIG_H
#define WG_CASES_CASE_CONFIG_H

#include "http/http.h"
#include "store/store.h"

/* The routes; store is borrowed (NULL when only the table is wanted, as by
 * `wangge routes`). */
const struct http_module *case_config_module(struct store *store);

/* Frees every working calendar the module loaded; serve calls it at
 * shutdown, once no request runs. (Also declared in cases_internal.h, which
 * is not for code outside the module.) */
void cases_calendar_close(void);

/* The store the configuration handlers use, set by case_config_module.
 * For the files of this half only (categories.c, case_routes.c,
 * calendar.c): the main cases module keeps its own cases_store. */
extern struct store *case_config_store;

#endif
