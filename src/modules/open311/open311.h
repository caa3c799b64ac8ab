/* Open311 GeoReport v2 at /open311/v2/, with mySociety's
 * servicerequestupdates extension: integrations list the case categories as
 * services, submit cases as service requests and follow their progress. */
#ifndef WG_OPEN311_OPEN311_H
#define WG_OPEN311_OPEN311_H

#include "core/vault.h"
#include "http/http.h"
#include "store/store.h"

/* The module's routes. store and vault are borrowed for the server's life. */
const struct http_module *open311_module(struct store *store, const struct vault *vault);

#endif
