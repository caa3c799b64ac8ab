/* Replies every module shares: how a failed transaction is answered. */
#ifndef WG_MODULES_REPLY_H
#define WG_MODULES_REPLY_H

#include "http/http.h"
#include "store/store.h"

/* Answers a transaction that did not commit and was not a client error
 * already answered: 503 when the database stayed busy, 409 for a
 * constraint, 500 otherwise (logged by the store). */
static inline void reply_store_failure(struct http_req *req, int rc)
{
	if (http_replied(req))
		return;
	if (rc == STORE_SOFT)
		http_reply_error(req, HTTP_ERR_unavailable, NULL, "The database is busy: try again");
	else if (rc == STORE_CONSTRAINT)
		http_reply_error(req, HTTP_ERR_conflict, NULL, "The change conflicts with existing data");
	else
		http_reply_error(req, HTTP_ERR_internal_error, NULL, NULL);
}

#endif
