/* Request counters and latency histograms per route, lock-free (atomics),
 * rendered in the Prometheus text format. */
#ifndef WG_HTTP_METRICS_H
#define WG_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct metrics;

/* labels: one per slot (route patterns plus the server's own slots);
 * borrowed, must outlive the metrics. */
struct metrics *metrics_new(const char *const *labels, size_t count);
void metrics_free(struct metrics *m);
void metrics_record(struct metrics *m, size_t slot, unsigned status, uint64_t micros);
/* Appends the Prometheus text of the HTTP metrics. */
void metrics_render(struct metrics *m, struct buf *out);

#endif
