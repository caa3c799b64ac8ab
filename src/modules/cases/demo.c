/* The demo town's cases (wangge demo): routing rules for the town, then N
 * cases spread over the last 90 days, each with the whole path a real one
 * would have taken up to now: submission, dispatch by rule or by hand,
 * signing, returns and rulings, whistles with co-departments reporting in,
 * extensions, reminders and 督办, resolution, ratings (a first unsatisfied
 * one reopening the case), closing.
 *
 * Speed over ceremony: the cases are simulated in memory and written with
 * plain INSERTs (cases, case_units, case_events), about 1,000 cases per
 * transaction, on statements the connection keeps prepared. No case_act()
 * per step, no audit entry or outbox event per case (one audit entry says
 * what the demo did): the timeline is written as case_act() would have
 * written it, with the same due instants (case_sign_due/case_resolve_due on
 * the category's limits and the calendar in force), the same late flags and
 * version = number of timeline entries.
 *
 * Reproducible: every choice comes from a generator seeded by the caller;
 * only the instants move with the day the demo runs (they end at now), and
 * the follow hashes and sealed phones are random (nobody can follow a demo
 * case by link). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcheck.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/demo_case.h"
#include "modules/cases/demo_town.h"
#include "modules/cases/demo_data.h"
#include "modules/cases/tallies.h"

#define DAY 86400
#define HOUR 3600
#define TZ_OFFSET 28800 /* the town's clock: UTC+8 */
#define DEMO_DAYS 90
#define DEMO_BATCH 1000

/* ---- the generator (splitmix64, as cmd_demo.c) ---- */

static uint64_t rng_next(struct demo_rng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static unsigned rng_below(struct demo_rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int64_t rng_range(struct demo_rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_permille(struct demo_rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

static double rng_real(struct demo_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static size_t rng_weighted(struct demo_rng *r, const unsigned *w, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	unsigned x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* Who acts for a party on this case. */
struct demo_who {
	const char *login, *name;
	int64_t unit;
};

static struct demo_who dispatcher_of(const struct demo_ctx *x, const struct demo_case *k)
{
	if (x->staff.id && k->grid->focus)
		return (struct demo_who){"staff", x->staff.name, 0};
	return (struct demo_who){x->commander.id ? "commander" : "system", x->commander.name, 0};
}

static struct demo_who handler_of(const struct demo_ctx *x, int64_t unit)
{
	if (x->handler.id && unit == x->handler_unit)
		return (struct demo_who){x->o->handler_login, x->handler.name, unit};
	const struct demo_unit_row *u = demo_unit_row_of(x, unit);
	return (struct demo_who){"demo", u ? u->contact : "", unit};
}

static struct demo_who reporter_of(const struct demo_ctx *x, const struct demo_case *k)
{
	if (k->reporter_user == x->grid.id && x->grid.id)
		return (struct demo_who){x->o->grid_login, x->grid.name, 0};
	if (k->reporter_user == x->resident.id && x->resident.id)
		return (struct demo_who){x->o->resident_login, x->resident.name, 0};
	return (struct demo_who){strcmp(k->source, "grid_worker") == 0 ? "demo" : "resident", "", 0};
}

/* Appends a step if it happened by now; a step that moves the state also
 * moves the case's version and updated_at (every step does: version counts
 * the timeline, as case_act() keeps it). false: not yet happened. */
static bool step(const struct demo_ctx *x, struct demo_case *k, int64_t at, const char *action, const char *party,
		 struct demo_who who, const char *to, const char *note, bool pub)
{
	if (at > x->now || k->nevents == DEMO_MAX_EVENTS)
		return false;
	struct demo_event *e = &k->events[k->nevents];
	*e = (struct demo_event){.at = at, .seq = (int)k->nevents, .action = action, .party = party, .login = who.login,
				 .name = who.name ? who.name : "", .from = k->nevents ? k->state : "", .to = to ? to : k->state,
				 .note = note ? note : "", .unit = who.unit, .pub = pub};
	snprintf(e->data, sizeof e->data, "{}");
	k->nevents++;
	k->state = e->to;
	k->version = (int)k->nevents;
	if (at > k->updated_at)
		k->updated_at = at;
	return true;
}

static const struct demo_who SYSTEM = {"system", "", 0};

/* A reminder by the timers a minute past a due instant, when that came
 * before the step that met it, and sometimes 督办 by the dispatcher. */
static void chase(struct demo_ctx *x, struct demo_case *k, int64_t due, int64_t done)
{
	int64_t at = due + 60;
	if (at >= done || !step(x, k, at, "remind", "system", SYSTEM, NULL, NULL, false))
		return;
	k->reminders++;
	k->reminded_at = at;
	int64_t later = at + rng_range(&x->rng, HOUR, 8 * HOUR);
	if (rng_permille(&x->rng, 350) && later < done &&
	    step(x, k, later, "supervise", "dispatcher", dispatcher_of(x, k), NULL, "请加快办理，按时反馈", false))
		k->supervised = true;
}

static bool dispatch(struct demo_ctx *x, struct demo_case *k, int64_t at, int64_t lead, bool by_rule,
		     const char *action)
{
	const struct demo_who who = by_rule ? SYSTEM : dispatcher_of(x, k);
	if (!step(x, k, at, action, by_rule ? "system" : "dispatcher", who, "dispatched", NULL, true))
		return false;
	struct demo_event *e = &k->events[k->nevents - 1];
	if (strcmp(action, "dispatch") == 0)
		snprintf(e->data, sizeof e->data, by_rule ? "{\"lead_department\":%lld,\"automatic\":true}"
							  : "{\"lead_department\":%lld}", (long long)lead);
	k->lead = lead;
	k->dispatched_at = at;
	k->signed_at = k->resolve_due_at = 0;
	k->sign_due_at = case_sign_due(&x->limits[k->category], x->cal, at, k->urgent);
	return true;
}

/* How long a step takes: a share of its window, now and then past it
 * (late), rarely far past it (stalled: what supervision is for). */
static int64_t take(struct demo_rng *r, int64_t window, unsigned late_permille)
{
	double f = rng_permille(r, 15) ? rng_real(r, 4.0, 15.0)
		   : rng_permille(r, late_permille) ? rng_real(r, 1.05, 2.5)
						    : rng_real(r, 0.03, 0.9);
	int64_t d = (int64_t)((double)window * f);
	return d < 120 ? 120 : d;
}

static void whistle(struct demo_ctx *x, struct demo_case *k, int64_t at, int64_t until)
{
	size_t n = 1 + rng_below(&x->rng, 2);
	char list[64] = "";
	size_t first = k->nco;
	for (size_t i = 0; i < n && k->nco < DEMO_MAX_CO + 2; i++) {
		int64_t unit = x->units[rng_below(&x->rng, (unsigned)x->nunits)].id;
		bool dup = unit == k->lead;
		for (size_t j = 0; j < k->nco; j++)
			dup |= k->co[j].unit == unit;
		if (dup)
			continue;
		k->co[k->nco++] = (struct demo_co){.unit = unit, .added_at = at};
		size_t len = strlen(list);
		snprintf(list + len, sizeof list - len, "%s%lld", len ? "," : "", (long long)unit);
	}
	if (k->nco == first || !step(x, k, at, "whistle", "dispatcher", dispatcher_of(x, k), NULL, "吹哨：请相关部门协同处置", true)) {
		k->nco = first;
		return;
	}
	snprintf(k->events[k->nevents - 1].data, sizeof k->events[0].data, "{\"co_departments\":[%s]}", list);
	for (size_t i = first; i < k->nco; i++) {
		struct demo_co *co = &k->co[i];
		int64_t rep = at + rng_range(&x->rng, 20 * 60, 6 * HOUR);
		if (rep >= until || !step(x, k, rep, "report_in", "co_handler", handler_of(x, co->unit), NULL, NULL, false))
			continue;
		co->reported_at = rep;
		int64_t reply = rep + rng_range(&x->rng, HOUR, 2 * DAY);
		co->reply = demo_co_replies[rng_below(&x->rng, (unsigned)demo_co_reply_count)];
		if (reply < until && step(x, k, reply, "reply", "co_handler", handler_of(x, co->unit), NULL, co->reply, false))
			co->replied_at = reply;
	}
}

/* From signing to the end of the case's path (or to now). */
static void handle(struct demo_ctx *x, struct demo_case *k)
{
	const struct case_limits *l = &x->limits[k->category];
	const struct demo_category *cat = &demo_categories[k->category];
	for (;;) {
		int64_t window = k->resolve_due_at - k->signed_at;
		int64_t resolve_at = k->signed_at + take(&x->rng, window, 110);
		if (k->nco == 0 && rng_permille(&x->rng, 70))
			whistle(x, k, k->signed_at + rng_range(&x->rng, 30 * 60, 5 * HOUR), resolve_at);
		for (size_t i = 0; i < k->nco; i++)
			if (!k->co[i].reported_at) { /* a rule's co-departments report in once signed */
				int64_t rep = k->signed_at + rng_range(&x->rng, 30 * 60, 8 * HOUR);
				if (rep < resolve_at &&
				    step(x, k, rep, "report_in", "co_handler", handler_of(x, k->co[i].unit), NULL, NULL, false))
					k->co[i].reported_at = rep;
			}
		if (rng_permille(&x->rng, 40)) {
			int64_t ask = k->signed_at + window / 2;
			int days = 1 + (int)rng_below(&x->rng, 5);
			if (ask >= resolve_at ||
			    !step(x, k, ask, "request_extension", "lead_handler", handler_of(x, k->lead), NULL, "需协调施工队，申请延期", false))
				goto resolve;
			snprintf(k->events[k->nevents - 1].data, sizeof k->events[0].data, "{\"extension_days\":%d}", days);
			k->extension_pending = true;
			k->extension_days = days;
			int64_t ok = ask + rng_range(&x->rng, HOUR, DAY);
			if (!step(x, k, ok, "approve_extension", "dispatcher", dispatcher_of(x, k), NULL, NULL, true))
				return; /* waits for the dispatcher */
			k->resolve_due_at = k->urgent ? k->resolve_due_at + (int64_t)days * DAY
						      : workcal_add_days(x->cal, k->resolve_due_at, days);
			k->extension_pending = false;
			k->extension_days = 0;
			if (resolve_at <= ok)
				resolve_at = ok + rng_range(&x->rng, HOUR, DAY);
		}
resolve:
		chase(x, k, k->resolve_due_at, resolve_at);
		const char *result = cat->results[rng_below(&x->rng, DEMO_TEXTS)];
		if (!step(x, k, resolve_at, "resolve", "lead_handler", handler_of(x, k->lead), "resolved", result, true))
			return;
		k->resolved_at = resolve_at;
		k->result = result;
		k->resolved_late = resolve_at > k->resolve_due_at;
		/* Rated mostly within a few days; nobody rates the rest, and the
		 * timers close them after the configured days. */
		bool reporter_rates = strcmp(k->source, "resident") == 0 || strcmp(k->source, "grid_worker") == 0;
		if (!rng_permille(&x->rng, 820)) {
			int64_t at = resolve_at + (int64_t)cases_autoclose_days * DAY + rng_range(&x->rng, 1, 60);
			if (step(x, k, at, "close", "system", SYSTEM, "closed", NULL, true))
				k->closed_at = at;
			return;
		}
		int64_t at = resolve_at + rng_range(&x->rng, 20 * 60, 3 * DAY);
		static const unsigned satisfaction_w[] = {740, 190, 70};
		static const char *const satisfactions[] = {"satisfied", "basically_satisfied", "unsatisfied"};
		size_t s = rng_weighted(&x->rng, satisfaction_w, 3);
		const char *outcome = s == 0 ? (rng_permille(&x->rng, 950) ? "resolved" : "partly")
				      : s == 1 ? (rng_permille(&x->rng, 700) ? "resolved" : "partly")
					       : (rng_permille(&x->rng, 600) ? "not" : "partly");
		bool reopen = s == 2 && k->reopen_count == 0;
		struct demo_who who = reporter_rates ? reporter_of(x, k) : dispatcher_of(x, k);
		if (!step(x, k, at, "rate", reporter_rates ? "reporter" : "dispatcher", who, reopen ? "signed" : "rated",
			  NULL, true))
			return;
		snprintf(k->events[k->nevents - 1].data, sizeof k->events[0].data,
			 "{\"rating\":{\"outcome\":\"%s\",\"satisfaction\":\"%s\",\"reopened\":%s}}", outcome,
			 satisfactions[s], reopen ? "true" : "false");
		if (reopen) {
			/* One second chance: handled again on a fresh clock. */
			k->reopen_count = 1;
			k->signed_at = at;
			k->resolved_at = 0;
			k->resolved_late = -1;
			k->resolve_due_at = case_resolve_due(l, x->cal, at, k->urgent, 0);
			continue;
		}
		k->outcome = outcome;
		k->satisfaction = satisfactions[s];
		k->rated_at = at;
		int64_t close = at + rng_range(&x->rng, 5, 60); /* the timers' next minute */
		if (step(x, k, close, "close", "system", SYSTEM, "closed", NULL, true))
			k->closed_at = close;
		return;
	}
}

/* The path after submission; stops wherever now falls. */
static void simulate(struct demo_ctx *x, struct demo_case *k, bool backlog)
{
	struct demo_rng *r = &x->rng;
	const struct demo_rule *rule = &x->rules[k->category];
	int64_t t = k->submitted_at;
	bool staff_intake = strcmp(k->source, "hotline") == 0 || strcmp(k->source, "window") == 0;
	struct demo_who submitter = staff_intake ? dispatcher_of(x, k) : reporter_of(x, k);
	if (strcmp(k->source, "api") == 0)
		submitter = (struct demo_who){"api", "", 0};
	step(x, k, t, "submit", staff_intake ? "dispatcher" : "reporter", submitter, "submitted", NULL, true);
	snprintf(k->events[0].data, sizeof k->events[0].data, "{\"source\":\"%s\"}", k->source);
	if (backlog)
		return; /* the morning's new requests, waiting for the dispatcher */
	if (staff_intake && rng_permille(r, 80)) {
		const char *answer = demo_categories[k->category].results[0];
		int64_t at = t + rng_range(r, 60, 600);
		if (step(x, k, at, "answer_directly", "dispatcher", dispatcher_of(x, k), "closed", "已电话解答政策，来电人表示满意", true)) {
			k->closed_at = at;
			k->result = answer;
		}
		return;
	}
	if (!staff_intake && rng_permille(r, 10)) {
		int64_t at = t + rng_range(r, 600, 6 * HOUR);
		if (step(x, k, at, "withdraw", "reporter", reporter_of(x, k), "closed", "问题已自行解决", true))
			k->closed_at = at;
		return;
	}
	long target = x->last_of[k->category];
	int64_t merge_at = t + rng_range(r, 300, 2 * HOUR);
	if (target >= 0 && rng_permille(r, 20) && x->last_closed[k->category] > merge_at) {
		if (step(x, k, merge_at, "merge", "dispatcher", dispatcher_of(x, k), "closed", "重复诉求，合并办理", true)) {
			k->closed_at = merge_at;
			k->merged_into = target;
		}
		return;
	}
	bool by_rule = rule->present && rule->automatic;
	int64_t lead = rule->present ? rule->lead : x->fallback_unit;
	if (!lead)
		return; /* no department to send it to: waits */
	int64_t at = by_rule ? t + rng_range(r, 1, 3)
		     : t + (rng_permille(r, 30) ? rng_range(r, DAY, 4 * DAY) : rng_range(r, 5 * 60, 5 * HOUR));
	if (!dispatch(x, k, at, lead, by_rule, "dispatch"))
		return;
	for (size_t i = 0; by_rule && i < rule->nco && k->nco < DEMO_MAX_CO; i++)
		k->co[k->nco++] = (struct demo_co){.unit = rule->co[i], .added_at = at};
	/* Now and then the department sends it back; the dispatcher sends it
	 * elsewhere or rules that it must sign. */
	if (rng_permille(r, 40)) {
		int64_t back = k->dispatched_at + take(r, k->sign_due_at - k->dispatched_at, 0);
		static const char *const reasons[] = {"not_our_duty", "not_our_area", "overlapping_duties"};
		const char *reason = reasons[rng_below(r, 3)];
		if (!step(x, k, back, "return", "lead_handler", handler_of(x, k->lead), "returned", "不属于本单位职责", false))
			goto sign;
		snprintf(k->events[k->nevents - 1].data, sizeof k->events[0].data, "{\"return_reason\":\"%s\"}", reason);
		int64_t again = back + rng_range(r, 20 * 60, DAY);
		int64_t other = k->lead == x->fallback_unit ? demo_unit_by_name(x, demo_second_unit) : x->fallback_unit;
		bool rule_it = rng_permille(r, 400) || !other;
		if (rule_it) {
			if (!dispatch(x, k, again, k->lead, false, "rule"))
				return;
			k->ruled = true;
		} else if (!dispatch(x, k, again, other, false, "dispatch")) {
			return;
		}
	}
sign:;
	int64_t sign_at = k->dispatched_at + take(r, k->sign_due_at - k->dispatched_at, 90);
	chase(x, k, k->sign_due_at, sign_at);
	if (!step(x, k, sign_at, "sign", "lead_handler", handler_of(x, k->lead), "signed", NULL, true))
		return;
	k->signed_at = sign_at;
	k->signed_late = sign_at > k->sign_due_at;
	k->resolve_due_at = case_resolve_due(&x->limits[k->category], x->cal, sign_at, k->urgent, 0);
	handle(x, k);
}

/* ---- the cases' basics ---- */

/* Submission instants over the last 90 days, ascending: office hours on
 * working days mostly, some evenings, few nights and weekends. */
static int64_t submission_time(struct demo_ctx *x)
{
	struct demo_rng *r = &x->rng;
	int64_t today = (x->now + TZ_OFFSET) / DAY * DAY - TZ_OFFSET; /* local midnight */
	for (;;) {
		int64_t day = today - (int64_t)rng_below(r, DEMO_DAYS) * DAY;
		if (!workcal_is_workday(x->cal, day + 12 * HOUR) && !rng_permille(r, 350))
			continue;
		unsigned kind = rng_below(r, 100);
		int64_t sec = kind < 82 ? rng_range(r, 8 * HOUR + 1800, 18 * HOUR)
			      : kind < 96 ? rng_range(r, 18 * HOUR, 22 * HOUR)
					  : rng_range(r, 0, DAY - 1);
		int64_t t = day + sec;
		if (t < x->now - 60)
			return t;
	}
}

static int cmp_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void random_phone(struct demo_rng *r, char out[12])
{
	static const char *const prefixes[] = {"133", "135", "136", "138", "139", "150", "151", "158", "177", "187", "189"};
	snprintf(out, 12, "%s%04u%04u", prefixes[rng_below(r, 11)], rng_below(r, 10000), rng_below(r, 10000));
}

static const char *const demo_surnames = "马李王张刘韩杨陈赵祁冶鲁沙喇星";

static const unsigned source_weights[] = {450, 250, 180, 80, 40};
static const char *const sources[] = {"resident", "grid_worker", "hotline", "window", "api"};

/* A new case at submission. backlog: one of the last few, in the demo
 * staff's community and of a category dispatched by hand. */
static void make_case(struct demo_ctx *x, struct demo_case *k, int64_t at, bool backlog)
{
	struct demo_rng *r = &x->rng;
	memset(k, 0, sizeof *k);
	k->merged_into = -1;
	k->signed_late = k->resolved_late = -1;
	k->submitted_at = k->updated_at = at;
	unsigned weights[DEMO_CATEGORY_COUNT];
	for (size_t i = 0; i < DEMO_CATEGORY_COUNT; i++)
		weights[i] = backlog && x->rules[i].present && x->rules[i].automatic ? 0 : demo_categories[i].weight;
	k->category = rng_weighted(r, weights, DEMO_CATEGORY_COUNT);
	const struct demo_category *cat = &demo_categories[k->category];
	/* The demo staff's community gets a fuller share (a sixth), so the
	 * logins of the demo users have work in their inboxes at any size. */
	size_t g;
	if (x->nfocus && (backlog || rng_permille(r, 160))) {
		size_t n = rng_below(r, (unsigned)x->nfocus);
		for (g = 0; g < x->ngrids && !(x->grids[g].focus && n-- == 0); g++)
			;
	} else {
		g = rng_below(r, (unsigned)x->ngrids);
	}
	k->grid = &x->grids[g];
	k->area_id = k->grid->id;
	k->source = sources[rng_weighted(r, source_weights, 5)];
	k->urgent = x->limits[k->category].urgent || rng_permille(r, cat->urgent_permille);
	size_t text = rng_below(r, DEMO_TEXTS);
	k->title = cat->titles[text];
	k->description = cat->details[text];
	snprintf(k->address, sizeof k->address, "%s", k->grid->name);
	k->state = "submitted";
	if (strcmp(k->source, "hotline") == 0 || strcmp(k->source, "window") == 0)
		k->created_by = dispatcher_of(x, k).login;
	else if (strcmp(k->source, "api") == 0)
		k->created_by = "api";
	bool grid_worker = strcmp(k->source, "grid_worker") == 0;
	if (grid_worker && k->grid->own && x->grid.id) {
		k->reporter_user = x->grid.id;
		snprintf(k->reporter_name, sizeof k->reporter_name, "%s", x->grid.name);
	} else if (grid_worker) {
		unsigned s = rng_below(r, (unsigned)(strlen(demo_surnames) / 3));
		snprintf(k->reporter_name, sizeof k->reporter_name, "网格员%.3s", demo_surnames + 3 * s);
	} else if (strcmp(k->source, "resident") == 0 && k->grid->own && x->resident.id && rng_permille(r, 500)) {
		k->reporter_user = x->resident.id;
		snprintf(k->reporter_name, sizeof k->reporter_name, "%s", x->resident.name);
	} else {
		unsigned s = rng_below(r, (unsigned)(strlen(demo_surnames) / 3));
		snprintf(k->reporter_name, sizeof k->reporter_name, "%.3s%s", demo_surnames + 3 * s,
			 demo_reporter_titles[rng_below(r, 2)]);
		/* Sealed, hashed and masked as intake does: the same vault
		 * calls, so reveal and look-up by phone work on demo cases. */
		char phone[12];
		random_phone(r, phone);
		size_t len = strlen(phone);
		vault_seal(x->vault, phone, len, k->sealed);
		vault_hash(x->vault, 0, "phone", phone, k->phone_hash);
		idcheck_mask_phone(phone, k->masked, sizeof k->masked);
		k->sealed_len = VAULT_SEALED_SIZE(len);
	}
	if (!k->created_by)
		k->created_by = reporter_of(x, k).login;
	if (x->rules[k->category].present)
		k->suggested = x->rules[k->category].lead;
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(k->follow_hash, sizeof k->follow_hash, raw, sizeof raw);
}

/* ---- writing ---- */

struct demo_batch {
	struct demo_ctx *x;
	struct demo_case *cases;
	size_t n;
	long first; /* index of cases[0] */
};

static int batch_tx(struct store_conn *c, void *arg)
{
	struct demo_batch *b = arg;
	/* The batch's cases in the figures: one upsert per tally row, not
	 * per case. Made afresh should the transaction run again. */
	struct case_tally_batch tallies = {0};
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < b->n; i++) {
		const struct demo_case *k = &b->cases[i];
		int64_t merged = k->merged_into >= 0 ? b->x->ids[k->merged_into] : 0;
		rc = demo_case_write(c, k, b->x->vault->current, merged, b->x->now, &tallies,
				     &b->x->ids[b->first + (long)i]);
	}
	if (rc == STORE_OK)
		rc = case_tally_batch_flush(c, &tallies);
	case_tally_batch_free(&tallies);
	return rc;
}

static int event_cmp(const void *a, const void *b)
{
	const struct demo_event *x = a, *y = b;
	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	return x->seq - y->seq;
}

static void tally(struct cases_demo_report *out, const struct demo_case *k, int64_t now)
{
	out->cases_created++;
	out->events += k->nevents;
	out->co_units += k->nco;
	if (strcmp(k->state, "closed") == 0)
		out->closed++;
	else if (strcmp(k->state, "resolved") == 0 || strcmp(k->state, "rated") == 0)
		out->resolved++;
	else
		out->open++;
	if ((strcmp(k->state, "dispatched") == 0 && k->sign_due_at < now) ||
	    (strcmp(k->state, "signed") == 0 && k->resolve_due_at < now))
		out->overdue++;
	out->reopened += k->reopen_count > 0;
	out->merged += k->merged_into >= 0;
}

static int generate(struct store *s, struct demo_ctx *x, long n)
{
	int64_t *times = xcalloc((size_t)n, sizeof *times);
	for (long i = 0; i < n; i++)
		times[i] = submission_time(x);
	qsort(times, (size_t)n, sizeof *times, cmp_time);
	x->ids = xcalloc((size_t)n, sizeof *x->ids);
	for (size_t k = 0; k < DEMO_CATEGORY_COUNT; k++)
		x->last_of[k] = -1;
	long backlog = n / 200 < 3 ? (n < 3 ? n : 3) : n / 200;
	struct demo_batch b = {.x = x, .cases = xcalloc(DEMO_BATCH, sizeof *b.cases)};
	int rc = STORE_OK;
	for (long i = 0; i < n && rc == STORE_OK; i++) {
		struct demo_case *k = &b.cases[b.n++];
		bool late_one = i >= n - backlog && x->nfocus;
		if (late_one && times[i] < x->now - DAY)
			times[i] = x->now - (int64_t)rng_below(&x->rng, DAY / 2);
		make_case(x, k, times[i], late_one);
		simulate(x, k, late_one);
		qsort(k->events, k->nevents, sizeof k->events[0], event_cmp);
		if (k->merged_into < 0) {
			x->last_of[k->category] = i;
			x->last_closed[k->category] = k->closed_at ? k->closed_at : INT64_MAX;
		}
		tally(x->out, k, x->now);
		if (b.n == DEMO_BATCH || i + 1 == n) {
			rc = store_tx(s, STORE_WRITE, batch_tx, &b);
			b.first += (long)b.n;
			b.n = 0;
		}
	}
	free(b.cases);
	free(times);
	free(x->ids);
	x->ids = NULL;
	return rc;
}

static int audit_tx(struct store_conn *c, void *arg)
{
	struct demo_ctx *x = arg;
	json_t *summary = json_pack("{s:I, s:I, s:I}", "cases", (json_int_t)x->out->cases_created, "events",
				    (json_int_t)x->out->events, "rules_created", (json_int_t)x->out->rules_created);
	int rc = audit_append(c, x->o->actor, "demo.cases", "area", x->o->town_code, x->town.area_id, summary);
	json_decref(summary);
	return rc;
}

int cases_demo(struct store *s, const struct vault *v, const struct cases_demo_options *o,
	       struct cases_demo_report *out)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof *out);
	struct demo_ctx *x = xcalloc(1, sizeof *x);
	x->vault = v;
	x->o = o;
	x->out = out;
	x->rng.state = o->seed;
	x->now = o->now ? o->now : time_now();
	x->grids = xcalloc(DEMO_MAX_GRIDS, sizeof *x->grids);
	int rc = store_tx(s, STORE_WRITE, demo_prepare_tx, x);
	if (rc == STORE_OK && !x->ngrids)
		rc = STORE_ABORT; /* no grids: not the demo town */
	if (rc == STORE_OK) {
		/* Tops the town up to o->cases: a second run with the same
		 * count adds none, a larger one adds the difference (make
		 * bench measures at 100,000 cases, then at 1,000,000). */
		out->cases_skipped = out->cases_before > 0 && (long)out->cases_before >= o->cases;
		if ((long)out->cases_before < o->cases)
			rc = generate(s, x, o->cases - (long)out->cases_before);
		if (rc == STORE_OK && (out->cases_created || out->rules_created))
			rc = store_tx(s, STORE_WRITE, audit_tx, x);
	}
	out->cases = out->cases_before + out->cases_created;
	cases_calendar_close();
	free(x->grids);
	free(x);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}
