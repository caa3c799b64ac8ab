/* The case lifecycle: the one transition table, and the few effects that a
 * row cannot say as data. Read the table first; everything below it only
 * interprets it. */
#include "modules/cases/lifecycle.h"

#include <string.h>

static const char *const state_names[CASE_STATE_COUNT] = {
	"submitted", "dispatched", "signed", "returned", "resolved", "rated", "closed",
};

static const char *const action_names[CASE_ACTION_COUNT] = {
	"dispatch", "sign", "return", "rule", "request_extension", "approve_extension", "reject_extension",
	"resolve", "rate", "close", "whistle", "report_in", "reply", "supervise", "remind", "comment",
	"merge", "answer_directly", "withdraw",
};

static const char *const party_names[CASE_PARTY_COUNT] = {
	"reporter", "dispatcher", "lead_handler", "co_handler", "supervisor", "system",
};

static const char *const return_reasons[] = {"not_our_area", "not_our_duty", "overlapping_duties", NULL};
static const char *const rating_outcomes[] = {"resolved", "partly", "not", NULL};
static const char *const satisfactions[] = {"satisfied", "basically_satisfied", "unsatisfied", NULL};

#define S(x) (1u << CASE_##x)
#define P(x) (1u << CASE_##x)
/* Open states: someone still owes the case work. */
#define OPEN (S(SUBMITTED) | S(DISPATCHED) | S(SIGNED) | S(RETURNED))
#define HANDLING (S(DISPATCHED) | S(SIGNED))
#define PEOPLE (P(REPORTER) | P(DISPATCHER) | P(LEAD_HANDLER) | P(CO_HANDLER) | P(SUPERVISOR))
/* The row's state is kept: the action only adds to the timeline or facts. */
#define STAY (-1)

/* A fact of the case that must hold besides the state. */
enum guard {
	G_NONE,
	G_NO_EXTENSION, /* one extension request at a time */
	G_EXTENSION,    /* something to approve or reject */
	G_NOT_RULED,    /* a department ordered to sign may not return again */
	G_HAS_LEAD,     /* a ruling keeps the department that returned it */
};

/* Input fields a row requires; checked in this bit order, so the first
 * missing field named is stable. */
enum need {
	N_LEAD = 1u << 0,
	N_CO = 1u << 1,
	N_REASON = 1u << 2,
	N_RESULT = 1u << 3,
	N_RATING = 1u << 4,
	N_EXT_DAYS = 1u << 5,
	N_MERGE = 1u << 6,
	N_TEXT = 1u << 7,
};

/* The transition table. An (action, state) pair that no row lists is an
 * invalid transition; a listed pair with the party missing is forbidden.
 * Several rows may share an action when their parties or effects differ;
 * today one row per action suffices.
 *
 * Decisions beyond the brief, each with its reason:
 * - supervise and remind apply while someone still owes work (OPEN); after
 *   resolve the clock has stopped, so there is nothing to chase.
 * - remind is open to the system too: deadline timers 催办 automatically.
 * - comment is open to every person on the case until it closes; a closed
 *   case's record is final.
 * - whistle is the dispatcher's (staff's); a supervisor who wants a
 *   department added asks through supervise.
 * - withdraw (撤单) was added: a reporter whose problem went away must be
 *   able to say so before a department holds the case; afterwards the
 *   department resolves it with that result.
 * - rule sets `ruled`, which blocks a second return by the same department:
 *   that is what ordering it to sign means. A new dispatch clears it. */
static const struct transition {
	enum case_action action;
	unsigned from;    /* bit per case_state */
	unsigned parties; /* bit per case_party */
	int to;           /* a case_state or STAY */
	enum guard guard;
	unsigned needs;   /* enum need bits */
} table[] = {
	{CASE_DISPATCH, S(SUBMITTED) | S(RETURNED), P(DISPATCHER) | P(SYSTEM), CASE_DISPATCHED, G_NONE, N_LEAD},
	{CASE_SIGN, S(DISPATCHED), P(LEAD_HANDLER), CASE_SIGNED, G_NONE, 0},
	{CASE_RETURN, HANDLING, P(LEAD_HANDLER), CASE_RETURNED, G_NOT_RULED, N_REASON},
	{CASE_RULE, S(RETURNED), P(DISPATCHER), CASE_DISPATCHED, G_HAS_LEAD, 0},
	{CASE_REQUEST_EXTENSION, S(SIGNED), P(LEAD_HANDLER), STAY, G_NO_EXTENSION, N_EXT_DAYS},
	{CASE_APPROVE_EXTENSION, S(SIGNED), P(DISPATCHER), STAY, G_EXTENSION, 0},
	{CASE_REJECT_EXTENSION, S(SIGNED), P(DISPATCHER), STAY, G_EXTENSION, 0},
	{CASE_RESOLVE, S(SIGNED), P(LEAD_HANDLER), CASE_RESOLVED, G_NONE, N_RESULT},
	/* An unsatisfied first rating sends the case back to signed (effects). */
	{CASE_RATE, S(RESOLVED), P(REPORTER) | P(DISPATCHER), CASE_RATED, G_NONE, N_RATING},
	{CASE_CLOSE, S(RESOLVED) | S(RATED), P(DISPATCHER) | P(SYSTEM), CASE_CLOSED, G_NONE, 0},
	{CASE_WHISTLE, HANDLING, P(DISPATCHER), STAY, G_NONE, N_CO},
	{CASE_REPORT_IN, HANDLING, P(CO_HANDLER), STAY, G_NONE, 0},
	{CASE_REPLY, HANDLING, P(CO_HANDLER), STAY, G_NONE, N_TEXT},
	{CASE_SUPERVISE, OPEN, P(DISPATCHER) | P(SUPERVISOR), STAY, G_NONE, N_TEXT},
	{CASE_REMIND, OPEN, PEOPLE | P(SYSTEM), STAY, G_NONE, 0},
	{CASE_COMMENT, OPEN | S(RESOLVED) | S(RATED), PEOPLE, STAY, G_NONE, N_TEXT},
	{CASE_MERGE, S(SUBMITTED) | S(RETURNED), P(DISPATCHER), CASE_CLOSED, G_NONE, N_MERGE},
	{CASE_ANSWER_DIRECTLY, S(SUBMITTED), P(DISPATCHER), CASE_CLOSED, G_NONE, N_TEXT},
	{CASE_WITHDRAW, S(SUBMITTED) | S(RETURNED), P(REPORTER), CASE_CLOSED, G_NONE, 0},
};

#define NROWS (sizeof table / sizeof table[0])

static const char *name_of(const char *const *names, int count, int v)
{
	return v >= 0 && v < count ? names[v] : "none";
}

static int parse(const char *const *names, int count, const char *name)
{
	for (int i = 0; name && i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *case_state_name(enum case_state s)
{
	return name_of(state_names, CASE_STATE_COUNT, s);
}

enum case_state case_state_parse(const char *name)
{
	return (enum case_state)parse(state_names, CASE_STATE_COUNT, name);
}

const char *case_action_name(enum case_action a)
{
	return name_of(action_names, CASE_ACTION_COUNT, a);
}

enum case_action case_action_parse(const char *name)
{
	return (enum case_action)parse(action_names, CASE_ACTION_COUNT, name);
}

const char *case_party_name(enum case_party p)
{
	return name_of(party_names, CASE_PARTY_COUNT, p);
}

enum case_party case_party_parse(const char *name)
{
	return (enum case_party)parse(party_names, CASE_PARTY_COUNT, name);
}

const char *const *case_field_values(const char *field)
{
	if (!field)
		return NULL;
	if (strcmp(field, "return_reason") == 0)
		return return_reasons;
	if (strcmp(field, "rating_outcome") == 0)
		return rating_outcomes;
	if (strcmp(field, "satisfaction") == 0)
		return satisfactions;
	return NULL;
}

static bool in_list(const char *const *list, const char *v)
{
	for (; *list; list++)
		if (strcmp(*list, v) == 0)
			return true;
	return false;
}

/* Blank counts as missing: a form of spaces is not a result. */
static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* The name of the failing fact, or NULL when the guard holds. */
static const char *guard_fails(enum guard g, const struct case_facts *f)
{
	switch (g) {
	case G_NONE:
		return NULL;
	case G_NO_EXTENSION:
		return f->extension_pending ? "extension_pending" : NULL;
	case G_EXTENSION:
		return f->extension_pending ? NULL : "extension_pending";
	case G_NOT_RULED:
		return f->ruled ? "ruled" : NULL;
	case G_HAS_LEAD:
		return f->lead_department > 0 ? NULL : "lead_department";
	}
	return "guard";
}

/* Checks the enumerated value: missing, bad or fine. */
static enum case_step_result check_value(const char *v, const char *const *list)
{
	if (blank(v))
		return CASE_STEP_MISSING_FIELD;
	return in_list(list, v) ? CASE_STEP_OK : CASE_STEP_BAD_VALUE;
}

#define FAIL(r, field)                                                                                                \
	do {                                                                                                          \
		*why = (field);                                                                                       \
		return (r);                                                                                           \
	} while (0)

static enum case_step_result check_fields(unsigned needs, const struct case_facts *now,
					  const struct case_step_input *in, const char **why)
{
	enum case_step_result r;
	if (needs & N_LEAD) {
		if (in->lead_department == 0)
			FAIL(CASE_STEP_MISSING_FIELD, "lead_department");
		if (in->lead_department < 0)
			FAIL(CASE_STEP_BAD_VALUE, "lead_department");
	}
	if (needs & N_CO) {
		if (in->co_department_count == 0 || !in->co_departments)
			FAIL(CASE_STEP_MISSING_FIELD, "co_departments");
		if (in->co_department_count > CASE_MAX_CO_DEPARTMENTS)
			FAIL(CASE_STEP_BAD_VALUE, "co_departments");
		/* The lead department cannot also co-handle: it would report to itself. */
		for (size_t i = 0; i < in->co_department_count; i++)
			if (in->co_departments[i] <= 0 || in->co_departments[i] == now->lead_department)
				FAIL(CASE_STEP_BAD_VALUE, "co_departments");
	}
	if ((needs & N_REASON) && (r = check_value(in->return_reason, return_reasons)) != CASE_STEP_OK)
		FAIL(r, "return_reason");
	if ((needs & N_RESULT) && blank(in->result))
		FAIL(CASE_STEP_MISSING_FIELD, "result");
	if (needs & N_RATING) {
		if ((r = check_value(in->rating_outcome, rating_outcomes)) != CASE_STEP_OK)
			FAIL(r, "rating_outcome");
		if ((r = check_value(in->satisfaction, satisfactions)) != CASE_STEP_OK)
			FAIL(r, "satisfaction");
	}
	if (needs & N_EXT_DAYS) {
		if (in->extension_days == 0)
			FAIL(CASE_STEP_MISSING_FIELD, "extension_days");
		if (in->extension_days < 0 || in->extension_days > CASE_MAX_EXTENSION_DAYS)
			FAIL(CASE_STEP_BAD_VALUE, "extension_days");
	}
	if (needs & N_MERGE) {
		if (in->merged_into == 0)
			FAIL(CASE_STEP_MISSING_FIELD, "merged_into");
		if (in->merged_into < 0 || in->merged_into == now->case_id)
			FAIL(CASE_STEP_BAD_VALUE, "merged_into");
	}
	if ((needs & N_TEXT) && blank(in->text))
		FAIL(CASE_STEP_MISSING_FIELD, "text");
	return CASE_STEP_OK;
}

/* What a row cannot say as data. Only rate may override the row's target. */
static void apply(const struct transition *t, const struct case_step_input *in, struct case_facts *f)
{
	if (t->to != STAY)
		f->state = (enum case_state)t->to;
	switch (t->action) {
	case CASE_DISPATCH:
		f->lead_department = in->lead_department;
		f->ruled = false;
		break;
	case CASE_RULE:
		f->ruled = true;
		break;
	case CASE_RETURN:
		f->extension_pending = false;
		f->extension_days = 0;
		break;
	case CASE_REQUEST_EXTENSION:
		f->extension_pending = true;
		f->extension_days = in->extension_days;
		break;
	case CASE_APPROVE_EXTENSION:
	case CASE_REJECT_EXTENSION:
		f->extension_pending = false;
		f->extension_days = 0;
		break;
	case CASE_RESOLVE:
		/* A request nobody answered lapses with the work it was for. */
		f->extension_pending = false;
		f->extension_days = 0;
		break;
	case CASE_RATE:
		/* One second chance: the first unsatisfied rating reopens the
		 * case with the same department; a later one stands, so a case
		 * cannot bounce forever between resident and department. */
		if (strcmp(in->satisfaction, "unsatisfied") == 0 && f->reopen_count == 0) {
			f->state = CASE_SIGNED;
			f->reopen_count++;
		}
		break;
	case CASE_MERGE:
		f->merged_into = in->merged_into;
		break;
	default:
		break;
	}
}

/* The row for (action, state, party): *row set and OK, or why not. */
static enum case_step_result find_row(enum case_state s, enum case_action a, enum case_party p,
				      const struct transition **row)
{
	bool state_ok = false;
	for (size_t i = 0; i < NROWS; i++) {
		if (table[i].action != a || !((table[i].from >> s) & 1u))
			continue;
		state_ok = true;
		if (p >= 0 && p < CASE_PARTY_COUNT && ((table[i].parties >> p) & 1u)) {
			*row = &table[i];
			return CASE_STEP_OK;
		}
	}
	return state_ok ? CASE_STEP_FORBIDDEN : CASE_STEP_INVALID_TRANSITION;
}

enum case_step_result case_step(const struct case_facts *now, const struct case_step_input *in, struct case_facts *next,
				const char **why)
{
	*why = NULL;
	if (now->state < 0 || now->state >= CASE_STATE_COUNT)
		FAIL(CASE_STEP_INVALID_TRANSITION, "state");
	if (in->action < 0 || in->action >= CASE_ACTION_COUNT)
		FAIL(CASE_STEP_INVALID_TRANSITION, "action");
	const struct transition *t = NULL;
	enum case_step_result r = find_row(now->state, in->action, in->party, &t);
	if (r == CASE_STEP_INVALID_TRANSITION)
		FAIL(r, case_state_name(now->state));
	if (r == CASE_STEP_FORBIDDEN)
		FAIL(r, in->party >= 0 && in->party < CASE_PARTY_COUNT ? case_party_name(in->party) : "party");
	const char *fact = guard_fails(t->guard, now);
	if (fact)
		FAIL(CASE_STEP_INVALID_TRANSITION, fact);
	if ((r = check_fields(t->needs, now, in, why)) != CASE_STEP_OK)
		return r;
	struct case_facts f = *now;
	apply(t, in, &f);
	*next = f;
	return CASE_STEP_OK;
}

size_t case_allowed_actions(const struct case_facts *now, enum case_party party, enum case_action *out, size_t max)
{
	size_t n = 0;
	if (now->state < 0 || now->state >= CASE_STATE_COUNT)
		return 0;
	for (int a = 0; a < CASE_ACTION_COUNT; a++) {
		const struct transition *t = NULL;
		if (find_row(now->state, (enum case_action)a, party, &t) != CASE_STEP_OK || guard_fails(t->guard, now))
			continue;
		if (n < max)
			out[n] = (enum case_action)a;
		n++;
	}
	return n;
}
