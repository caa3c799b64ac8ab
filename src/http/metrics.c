#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "core/xalloc.h"

/* The statuses the server answers; anything else is counted as "other". */
static const unsigned metrics_statuses[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404,
					    405, 409, 413, 414, 415, 422, 429, 500, 503};
#define METRICS_NSTATUS (sizeof metrics_statuses / sizeof metrics_statuses[0] + 1)

/* Histogram bounds in microseconds (Prometheus shows seconds). */
static const uint64_t metrics_bounds[] = {250, 500, 1000, 2500, 5000, 10000, 25000,
					  50000, 100000, 250000, 500000, 1000000, 2500000};
#define METRICS_NBUCKET (sizeof metrics_bounds / sizeof metrics_bounds[0])

struct metrics_slot {
	_Atomic uint64_t by_status[METRICS_NSTATUS];
	_Atomic uint64_t buckets[METRICS_NBUCKET]; /* non-cumulative; summed when rendered */
	_Atomic uint64_t count;
	_Atomic uint64_t micros;
};

struct metrics {
	const char *const *labels;
	size_t count;
	struct metrics_slot *slots;
};

struct metrics *metrics_new(const char *const *labels, size_t count)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	m->labels = labels;
	m->count = count;
	m->slots = xcalloc(count, sizeof *m->slots);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

void metrics_record(struct metrics *m, size_t slot, unsigned status, uint64_t micros)
{
	if (slot >= m->count)
		return;
	struct metrics_slot *s = &m->slots[slot];
	size_t i = 0;
	while (i < METRICS_NSTATUS - 1 && metrics_statuses[i] != status)
		i++;
	atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < METRICS_NBUCKET && micros > metrics_bounds[b])
		b++;
	if (b < METRICS_NBUCKET)
		atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->micros, micros, memory_order_relaxed);
}

static void render_label(struct buf *out, const char *label)
{
	/* Route patterns hold no quotes or backslashes, but be safe. */
	for (const char *p = label; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_append(out, "\\", 1);
		buf_append(out, p, 1);
	}
}

void metrics_render(struct metrics *m, struct buf *out)
{
	buf_puts(out, "# HELP wangge_http_requests_total HTTP requests answered, by route and status.\n"
		      "# TYPE wangge_http_requests_total counter\n");
	for (size_t r = 0; r < m->count; r++) {
		for (size_t i = 0; i < METRICS_NSTATUS; i++) {
			uint64_t n = atomic_load_explicit(&m->slots[r].by_status[i], memory_order_relaxed);
			if (!n)
				continue;
			buf_puts(out, "wangge_http_requests_total{route=\"");
			render_label(out, m->labels[r]);
			if (i < METRICS_NSTATUS - 1)
				buf_printf(out, "\",status=\"%u\"} %llu\n", metrics_statuses[i], (unsigned long long)n);
			else
				buf_printf(out, "\",status=\"other\"} %llu\n", (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP wangge_http_request_duration_seconds Time from request headers to the answer queued.\n"
		      "# TYPE wangge_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r < m->count; r++) {
		struct metrics_slot *s = &m->slots[r];
		uint64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
		if (!count)
			continue;
		uint64_t cumulative = 0;
		for (size_t b = 0; b < METRICS_NBUCKET; b++) {
			cumulative += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
			buf_puts(out, "wangge_http_request_duration_seconds_bucket{route=\"");
			render_label(out, m->labels[r]);
			buf_printf(out, "\",le=\"%g\"} %llu\n", (double)metrics_bounds[b] / 1e6,
				   (unsigned long long)cumulative);
		}
		buf_puts(out, "wangge_http_request_duration_seconds_bucket{route=\"");
		render_label(out, m->labels[r]);
		buf_printf(out, "\",le=\"+Inf\"} %llu\n", (unsigned long long)count);
		buf_puts(out, "wangge_http_request_duration_seconds_sum{route=\"");
		render_label(out, m->labels[r]);
		buf_printf(out, "\"} %.6f\n",
			   (double)atomic_load_explicit(&s->micros, memory_order_relaxed) / 1e6);
		buf_puts(out, "wangge_http_request_duration_seconds_count{route=\"");
		render_label(out, m->labels[r]);
		buf_printf(out, "\"} %llu\n", (unsigned long long)count);
	}
}
