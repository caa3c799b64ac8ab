/* The case lifecycle, against an expectation list written by hand from the
 * rules, independent of the table in lifecycle.c: every (state, action,
 * party) triple is tried, so a row added to the table without a matching
 * line here fails the test, and so does a line here the table lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "modules/cases/lifecycle.h"

#define C(x) CASE_##x

/* The legal (from, action, party, to) quadruples. */
static const struct quad {
	enum case_state from;
	enum case_action action;
	enum case_party party;
	enum case_state to;
} expected[] = {
	/* 派单 and re-dispatch, by a person or a routing rule */
	{C(SUBMITTED), C(DISPATCH), C(DISPATCHER), C(DISPATCHED)}, {C(SUBMITTED), C(DISPATCH), C(SYSTEM), C(DISPATCHED)},
	{C(RETURNED), C(DISPATCH), C(DISPATCHER), C(DISPATCHED)}, {C(RETURNED), C(DISPATCH), C(SYSTEM), C(DISPATCHED)},
	{C(DISPATCHED), C(SIGN), C(LEAD_HANDLER), C(SIGNED)},
	{C(DISPATCHED), C(RETURN), C(LEAD_HANDLER), C(RETURNED)}, {C(SIGNED), C(RETURN), C(LEAD_HANDLER), C(RETURNED)},
	{C(RETURNED), C(RULE), C(DISPATCHER), C(DISPATCHED)},
	{C(SIGNED), C(REQUEST_EXTENSION), C(LEAD_HANDLER), C(SIGNED)},
	{C(SIGNED), C(APPROVE_EXTENSION), C(DISPATCHER), C(SIGNED)},
	{C(SIGNED), C(REJECT_EXTENSION), C(DISPATCHER), C(SIGNED)},
	{C(SIGNED), C(RESOLVE), C(LEAD_HANDLER), C(RESOLVED)},
	/* rated with "satisfied" here; the reopen is in the scenarios */
	{C(RESOLVED), C(RATE), C(REPORTER), C(RATED)}, {C(RESOLVED), C(RATE), C(DISPATCHER), C(RATED)},
	{C(RESOLVED), C(CLOSE), C(DISPATCHER), C(CLOSED)}, {C(RESOLVED), C(CLOSE), C(SYSTEM), C(CLOSED)},
	{C(RATED), C(CLOSE), C(DISPATCHER), C(CLOSED)}, {C(RATED), C(CLOSE), C(SYSTEM), C(CLOSED)},
	/* 吹哨报到 */
	{C(DISPATCHED), C(WHISTLE), C(DISPATCHER), C(DISPATCHED)}, {C(SIGNED), C(WHISTLE), C(DISPATCHER), C(SIGNED)},
	{C(DISPATCHED), C(REPORT_IN), C(CO_HANDLER), C(DISPATCHED)}, {C(SIGNED), C(REPORT_IN), C(CO_HANDLER), C(SIGNED)},
	{C(DISPATCHED), C(REPLY), C(CO_HANDLER), C(DISPATCHED)}, {C(SIGNED), C(REPLY), C(CO_HANDLER), C(SIGNED)},
	/* 督办 while work is owed */
	{C(SUBMITTED), C(SUPERVISE), C(DISPATCHER), C(SUBMITTED)}, {C(SUBMITTED), C(SUPERVISE), C(SUPERVISOR), C(SUBMITTED)},
	{C(DISPATCHED), C(SUPERVISE), C(DISPATCHER), C(DISPATCHED)}, {C(DISPATCHED), C(SUPERVISE), C(SUPERVISOR), C(DISPATCHED)},
	{C(SIGNED), C(SUPERVISE), C(DISPATCHER), C(SIGNED)}, {C(SIGNED), C(SUPERVISE), C(SUPERVISOR), C(SIGNED)},
	{C(RETURNED), C(SUPERVISE), C(DISPATCHER), C(RETURNED)}, {C(RETURNED), C(SUPERVISE), C(SUPERVISOR), C(RETURNED)},
	/* 催办 while work is owed, by anyone on the case and by deadline timers */
	{C(SUBMITTED), C(REMIND), C(REPORTER), C(SUBMITTED)}, {C(SUBMITTED), C(REMIND), C(DISPATCHER), C(SUBMITTED)},
	{C(SUBMITTED), C(REMIND), C(LEAD_HANDLER), C(SUBMITTED)}, {C(SUBMITTED), C(REMIND), C(CO_HANDLER), C(SUBMITTED)},
	{C(SUBMITTED), C(REMIND), C(SUPERVISOR), C(SUBMITTED)}, {C(SUBMITTED), C(REMIND), C(SYSTEM), C(SUBMITTED)},
	{C(DISPATCHED), C(REMIND), C(REPORTER), C(DISPATCHED)}, {C(DISPATCHED), C(REMIND), C(DISPATCHER), C(DISPATCHED)},
	{C(DISPATCHED), C(REMIND), C(LEAD_HANDLER), C(DISPATCHED)}, {C(DISPATCHED), C(REMIND), C(CO_HANDLER), C(DISPATCHED)},
	{C(DISPATCHED), C(REMIND), C(SUPERVISOR), C(DISPATCHED)}, {C(DISPATCHED), C(REMIND), C(SYSTEM), C(DISPATCHED)},
	{C(SIGNED), C(REMIND), C(REPORTER), C(SIGNED)}, {C(SIGNED), C(REMIND), C(DISPATCHER), C(SIGNED)},
	{C(SIGNED), C(REMIND), C(LEAD_HANDLER), C(SIGNED)}, {C(SIGNED), C(REMIND), C(CO_HANDLER), C(SIGNED)},
	{C(SIGNED), C(REMIND), C(SUPERVISOR), C(SIGNED)}, {C(SIGNED), C(REMIND), C(SYSTEM), C(SIGNED)},
	{C(RETURNED), C(REMIND), C(REPORTER), C(RETURNED)}, {C(RETURNED), C(REMIND), C(DISPATCHER), C(RETURNED)},
	{C(RETURNED), C(REMIND), C(LEAD_HANDLER), C(RETURNED)}, {C(RETURNED), C(REMIND), C(CO_HANDLER), C(RETURNED)},
	{C(RETURNED), C(REMIND), C(SUPERVISOR), C(RETURNED)}, {C(RETURNED), C(REMIND), C(SYSTEM), C(RETURNED)},
	/* comments by every person on the case until it closes */
	{C(SUBMITTED), C(COMMENT), C(REPORTER), C(SUBMITTED)}, {C(SUBMITTED), C(COMMENT), C(DISPATCHER), C(SUBMITTED)},
	{C(SUBMITTED), C(COMMENT), C(LEAD_HANDLER), C(SUBMITTED)}, {C(SUBMITTED), C(COMMENT), C(CO_HANDLER), C(SUBMITTED)},
	{C(SUBMITTED), C(COMMENT), C(SUPERVISOR), C(SUBMITTED)},
	{C(DISPATCHED), C(COMMENT), C(REPORTER), C(DISPATCHED)}, {C(DISPATCHED), C(COMMENT), C(DISPATCHER), C(DISPATCHED)},
	{C(DISPATCHED), C(COMMENT), C(LEAD_HANDLER), C(DISPATCHED)}, {C(DISPATCHED), C(COMMENT), C(CO_HANDLER), C(DISPATCHED)},
	{C(DISPATCHED), C(COMMENT), C(SUPERVISOR), C(DISPATCHED)},
	{C(SIGNED), C(COMMENT), C(REPORTER), C(SIGNED)}, {C(SIGNED), C(COMMENT), C(DISPATCHER), C(SIGNED)},
	{C(SIGNED), C(COMMENT), C(LEAD_HANDLER), C(SIGNED)}, {C(SIGNED), C(COMMENT), C(CO_HANDLER), C(SIGNED)},
	{C(SIGNED), C(COMMENT), C(SUPERVISOR), C(SIGNED)},
	{C(RETURNED), C(COMMENT), C(REPORTER), C(RETURNED)}, {C(RETURNED), C(COMMENT), C(DISPATCHER), C(RETURNED)},
	{C(RETURNED), C(COMMENT), C(LEAD_HANDLER), C(RETURNED)}, {C(RETURNED), C(COMMENT), C(CO_HANDLER), C(RETURNED)},
	{C(RETURNED), C(COMMENT), C(SUPERVISOR), C(RETURNED)},
	{C(RESOLVED), C(COMMENT), C(REPORTER), C(RESOLVED)}, {C(RESOLVED), C(COMMENT), C(DISPATCHER), C(RESOLVED)},
	{C(RESOLVED), C(COMMENT), C(LEAD_HANDLER), C(RESOLVED)}, {C(RESOLVED), C(COMMENT), C(CO_HANDLER), C(RESOLVED)},
	{C(RESOLVED), C(COMMENT), C(SUPERVISOR), C(RESOLVED)},
	{C(RATED), C(COMMENT), C(REPORTER), C(RATED)}, {C(RATED), C(COMMENT), C(DISPATCHER), C(RATED)},
	{C(RATED), C(COMMENT), C(LEAD_HANDLER), C(RATED)}, {C(RATED), C(COMMENT), C(CO_HANDLER), C(RATED)},
	{C(RATED), C(COMMENT), C(SUPERVISOR), C(RATED)},
	/* endings at intake */
	{C(SUBMITTED), C(MERGE), C(DISPATCHER), C(CLOSED)}, {C(RETURNED), C(MERGE), C(DISPATCHER), C(CLOSED)},
	{C(SUBMITTED), C(ANSWER_DIRECTLY), C(DISPATCHER), C(CLOSED)},
	{C(SUBMITTED), C(WITHDRAW), C(REPORTER), C(CLOSED)}, {C(RETURNED), C(WITHDRAW), C(REPORTER), C(CLOSED)},
};

#define NEXPECTED (sizeof expected / sizeof expected[0])

static const int64_t co_ok[] = {11, 12};

/* An input carrying a valid value for every field any action needs. */
static struct case_step_input full_input(enum case_action a, enum case_party p)
{
	return (struct case_step_input){
		.action = a, .party = p, .lead_department = 9, .co_departments = co_ok, .co_department_count = 2,
		.return_reason = "not_our_area", .result = "已修复", .rating_outcome = "resolved",
		.satisfaction = "satisfied", .extension_days = 3, .merged_into = 42, .text = "请尽快处理",
	};
}

/* Facts under which a's guard holds, so only state and party decide. */
static struct case_facts facts_for(enum case_state s, enum case_action a)
{
	bool pending = a == C(APPROVE_EXTENSION) || a == C(REJECT_EXTENSION);
	return (struct case_facts){.case_id = 1, .state = s, .lead_department = 7, .extension_pending = pending,
				   .extension_days = pending ? 3 : 0};
}

static const struct quad *lookup(int s, int a, int p)
{
	for (size_t i = 0; i < NEXPECTED; i++)
		if ((int)expected[i].from == s && (int)expected[i].action == a && (int)expected[i].party == p)
			return &expected[i];
	return NULL;
}

static bool state_listed(int s, int a)
{
	for (size_t i = 0; i < NEXPECTED; i++)
		if ((int)expected[i].from == s && (int)expected[i].action == a)
			return true;
	return false;
}

static void test_every_triple(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXPECTED; i++)
		for (size_t j = i + 1; j < NEXPECTED; j++)
			if (expected[i].from == expected[j].from && expected[i].action == expected[j].action &&
			    expected[i].party == expected[j].party)
				fail_msg("expectation %zu repeats %zu", j, i);
	size_t legal = 0, tried = 0;
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		for (int a = 0; a < CASE_ACTION_COUNT; a++)
			for (int p = 0; p < CASE_PARTY_COUNT; p++) {
				struct case_facts now = facts_for((enum case_state)s, (enum case_action)a);
				struct case_step_input in = full_input((enum case_action)a, (enum case_party)p);
				struct case_facts next = {.case_id = -5, .state = CASE_STATE_NONE};
				const char *why = "unset";
				enum case_step_result got = case_step(&now, &in, &next, &why);
				const struct quad *q = lookup(s, a, p);
				enum case_step_result want = q ? CASE_STEP_OK
							   : state_listed(s, a) ? CASE_STEP_FORBIDDEN
										: CASE_STEP_INVALID_TRANSITION;
				tried++;
				if (got != want)
					fail_msg("%s --%s/%s-->: got %d (%s), want %d", case_state_name(s),
						 case_action_name(a), case_party_name(p), got, why ? why : "", want);
				if (q) {
					legal++;
					assert_null(why);
					if (next.state != q->to)
						fail_msg("%s --%s/%s--> %s, want %s", case_state_name(s),
							 case_action_name(a), case_party_name(p),
							 case_state_name(next.state), case_state_name(q->to));
					assert_int_equal(next.case_id, 1);
				} else {
					assert_non_null(why);
					/* Refusals leave *next alone. */
					assert_int_equal(next.case_id, -5);
					assert_string_equal(why, got == CASE_STEP_FORBIDDEN ? case_party_name(p)
											   : case_state_name(s));
				}
			}
	assert_int_equal(legal, NEXPECTED);
	assert_int_equal(tried, (size_t)CASE_STATE_COUNT * CASE_ACTION_COUNT * CASE_PARTY_COUNT);
}

/* case_allowed_actions agrees with the list, guards included. */
static void test_allowed_actions(void **state)
{
	(void)state;
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		for (int p = 0; p < CASE_PARTY_COUNT; p++)
			for (int pending = 0; pending <= 1; pending++) {
				struct case_facts now = {.case_id = 1, .state = (enum case_state)s, .lead_department = 7,
							 .extension_pending = pending, .extension_days = pending ? 3 : 0};
				enum case_action got[CASE_ACTION_COUNT], want[CASE_ACTION_COUNT];
				size_t nwant = 0;
				for (int a = 0; a < CASE_ACTION_COUNT; a++) {
					bool needs_pending = a == C(APPROVE_EXTENSION) || a == C(REJECT_EXTENSION);
					if (lookup(s, a, p) && (a != C(REQUEST_EXTENSION) || !pending) &&
					    (!needs_pending || pending))
						want[nwant++] = (enum case_action)a;
				}
				size_t n = case_allowed_actions(&now, (enum case_party)p, got, CASE_ACTION_COUNT);
				if (n != nwant)
					fail_msg("%s/%s pending=%d: %zu actions, want %zu", case_state_name(s),
						 case_party_name(p), pending, n, nwant);
				assert_memory_equal(got, want, n * sizeof got[0]);
				assert_int_equal(case_allowed_actions(&now, (enum case_party)p, NULL, 0), nwant);
			}
	struct case_facts ruled = {.case_id = 1, .state = C(SIGNED), .lead_department = 7, .ruled = true};
	enum case_action out[CASE_ACTION_COUNT];
	size_t n = case_allowed_actions(&ruled, C(LEAD_HANDLER), out, CASE_ACTION_COUNT);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(out[i], C(RETURN));
	assert_int_equal(case_allowed_actions(&ruled, C(PARTY_NONE), out, CASE_ACTION_COUNT), 0);
}

/* One step of a scenario: the action and its fields, then what must follow.
 * lead and merged are checked when non-zero. */
struct step {
	struct case_step_input in;
	enum case_step_result want;
	enum case_state state;
	const char *why;
	int reopen;
	int64_t lead, merged;
};

#define OK CASE_STEP_OK
#define INVALID CASE_STEP_INVALID_TRANSITION
#define FORBIDDEN CASE_STEP_FORBIDDEN
#define MISSING CASE_STEP_MISSING_FIELD
#define BAD CASE_STEP_BAD_VALUE
#define DO(act, par) .action = C(act), .party = C(par)
#define END {{.action = C(ACTION_NONE)}, OK, C(STATE_NONE), NULL, 0, 0, 0}

static const int64_t co_11[] = {11};

static const struct step happy[] = {
	{{DO(DISPATCH, SYSTEM), .lead_department = 9}, OK, C(DISPATCHED), NULL, 0, 9, 0},
	{{DO(SIGN, LEAD_HANDLER)}, OK, C(SIGNED), NULL, 0, 9, 0},
	{{DO(WHISTLE, DISPATCHER), .co_departments = co_11, .co_department_count = 1}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REPORT_IN, CO_HANDLER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REPLY, CO_HANDLER), .text = "已派人配合"}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REMIND, REPORTER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(SUPERVISE, SUPERVISOR), .text = "今日办结"}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(RESOLVE, LEAD_HANDLER), .result = "路灯已修复"}, OK, C(RESOLVED), NULL, 0, 0, 0},
	{{DO(REMIND, REPORTER)}, INVALID, C(RESOLVED), "resolved", 0, 0, 0},
	{{DO(RATE, REPORTER), .rating_outcome = "resolved", .satisfaction = "satisfied"}, OK, C(RATED), NULL, 0, 0, 0},
	{{DO(CLOSE, SYSTEM)}, OK, C(CLOSED), NULL, 0, 9, 0},
	{{DO(COMMENT, REPORTER), .text = "谢谢"}, INVALID, C(CLOSED), "closed", 0, 0, 0},
	END,
};

static const struct step return_redispatch[] = {
	{{DO(DISPATCH, DISPATCHER), .lead_department = 9}, OK, C(DISPATCHED), NULL, 0, 9, 0},
	{{DO(RETURN, LEAD_HANDLER), .return_reason = "not_our_duty"}, OK, C(RETURNED), NULL, 0, 9, 0},
	{{DO(SIGN, LEAD_HANDLER)}, INVALID, C(RETURNED), "returned", 0, 0, 0},
	{{DO(DISPATCH, DISPATCHER), .lead_department = 12}, OK, C(DISPATCHED), NULL, 0, 12, 0},
	{{DO(SIGN, LEAD_HANDLER)}, OK, C(SIGNED), NULL, 0, 12, 0},
	{{DO(RETURN, LEAD_HANDLER), .return_reason = "overlapping_duties"}, OK, C(RETURNED), NULL, 0, 12, 0},
	{{DO(RULE, LEAD_HANDLER)}, FORBIDDEN, C(RETURNED), "lead_handler", 0, 0, 0},
	{{DO(RULE, DISPATCHER)}, OK, C(DISPATCHED), NULL, 0, 12, 0},
	{{DO(RETURN, LEAD_HANDLER), .return_reason = "not_our_area"}, INVALID, C(DISPATCHED), "ruled", 0, 0, 0},
	{{DO(SIGN, LEAD_HANDLER)}, OK, C(SIGNED), NULL, 0, 12, 0},
	{{DO(RETURN, LEAD_HANDLER), .return_reason = "not_our_area"}, INVALID, C(SIGNED), "ruled", 0, 0, 0},
	{{DO(RESOLVE, LEAD_HANDLER), .result = "已清理"}, OK, C(RESOLVED), NULL, 0, 12, 0},
	END,
};

static const struct step reopen_once[] = {
	{{DO(DISPATCH, DISPATCHER), .lead_department = 9}, OK, C(DISPATCHED), NULL, 0, 0, 0},
	{{DO(SIGN, LEAD_HANDLER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(RESOLVE, LEAD_HANDLER), .result = "已处理"}, OK, C(RESOLVED), NULL, 0, 0, 0},
	{{DO(RATE, REPORTER), .rating_outcome = "not", .satisfaction = "unsatisfied"}, OK, C(SIGNED), NULL, 1, 9, 0},
	{{DO(RESOLVE, LEAD_HANDLER), .result = "再次处理"}, OK, C(RESOLVED), NULL, 1, 0, 0},
	{{DO(RATE, DISPATCHER), .rating_outcome = "partly", .satisfaction = "unsatisfied"}, OK, C(RATED), NULL, 1, 0, 0},
	{{DO(CLOSE, DISPATCHER)}, OK, C(CLOSED), NULL, 1, 0, 0},
	END,
};

static const struct step extension[] = {
	{{DO(DISPATCH, DISPATCHER), .lead_department = 9}, OK, C(DISPATCHED), NULL, 0, 0, 0},
	{{DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 5}, INVALID, C(DISPATCHED), "dispatched", 0, 0, 0},
	{{DO(SIGN, LEAD_HANDLER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(APPROVE_EXTENSION, DISPATCHER)}, INVALID, C(SIGNED), "extension_pending", 0, 0, 0},
	{{DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 5}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 2}, INVALID, C(SIGNED), "extension_pending", 0, 0, 0},
	{{DO(APPROVE_EXTENSION, LEAD_HANDLER)}, FORBIDDEN, C(SIGNED), "lead_handler", 0, 0, 0},
	{{DO(APPROVE_EXTENSION, DISPATCHER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REJECT_EXTENSION, DISPATCHER)}, INVALID, C(SIGNED), "extension_pending", 0, 0, 0},
	{{DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 3}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REJECT_EXTENSION, DISPATCHER)}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 3}, OK, C(SIGNED), NULL, 0, 0, 0},
	{{DO(RESOLVE, LEAD_HANDLER), .result = "已办结"}, OK, C(RESOLVED), NULL, 0, 0, 0},
	END,
};

static const struct step merge[] = {
	{{DO(MERGE, DISPATCHER)}, MISSING, C(SUBMITTED), "merged_into", 0, 0, 0},
	{{DO(MERGE, DISPATCHER), .merged_into = 1}, BAD, C(SUBMITTED), "merged_into", 0, 0, 0},
	{{DO(MERGE, REPORTER), .merged_into = 42}, FORBIDDEN, C(SUBMITTED), "reporter", 0, 0, 0},
	{{DO(MERGE, DISPATCHER), .merged_into = 42}, OK, C(CLOSED), NULL, 0, 0, 42},
	{{DO(DISPATCH, DISPATCHER), .lead_department = 9}, INVALID, C(CLOSED), "closed", 0, 0, 0},
	END,
};

static const struct step answer_directly[] = {
	{{DO(ANSWER_DIRECTLY, DISPATCHER), .text = " "}, MISSING, C(SUBMITTED), "text", 0, 0, 0},
	{{DO(ANSWER_DIRECTLY, DISPATCHER), .text = "已电话答复政策"}, OK, C(CLOSED), NULL, 0, 0, 0},
	{{DO(RATE, REPORTER), .rating_outcome = "resolved", .satisfaction = "satisfied"}, INVALID, C(CLOSED), "closed", 0, 0, 0},
	END,
};

static const struct step withdraw[] = {
	{{DO(DISPATCH, DISPATCHER), .lead_department = 9}, OK, C(DISPATCHED), NULL, 0, 0, 0},
	{{DO(WITHDRAW, REPORTER)}, INVALID, C(DISPATCHED), "dispatched", 0, 0, 0},
	{{DO(RETURN, LEAD_HANDLER), .return_reason = "not_our_area"}, OK, C(RETURNED), NULL, 0, 0, 0},
	{{DO(WITHDRAW, REPORTER)}, OK, C(CLOSED), NULL, 0, 0, 0},
	END,
};

static void run(const char *name, const struct step *steps)
{
	struct case_facts f = {.case_id = 1, .state = C(SUBMITTED)};
	for (size_t i = 0; steps[i].in.action != C(ACTION_NONE); i++) {
		const struct step *st = &steps[i];
		struct case_facts before = f;
		const char *why = NULL;
		enum case_step_result got = case_step(&f, &st->in, &f, &why);
		if (got != st->want)
			fail_msg("%s step %zu (%s): got %d (%s), want %d", name, i, case_action_name(st->in.action), got,
				 why ? why : "", st->want);
		if (st->why ? !why || strcmp(why, st->why) : why != NULL)
			fail_msg("%s step %zu: why %s, want %s", name, i, why ? why : "NULL", st->why ? st->why : "NULL");
		if (got != OK)
			assert_memory_equal(&f, &before, sizeof f);
		if (f.state != st->state)
			fail_msg("%s step %zu: state %s, want %s", name, i, case_state_name(f.state),
				 case_state_name(st->state));
		assert_int_equal(f.reopen_count, st->reopen);
		if (st->lead)
			assert_int_equal(f.lead_department, st->lead);
		if (st->merged)
			assert_int_equal(f.merged_into, st->merged);
	}
}

static void test_scenarios(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const struct step *steps;
	} scenarios[] = {
		{"happy", happy},       {"return_redispatch", return_redispatch}, {"reopen_once", reopen_once},
		{"extension", extension}, {"merge", merge},                      {"answer_directly", answer_directly},
		{"withdraw", withdraw},
	};
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		run(scenarios[i].name, scenarios[i].steps);
}

static void test_extension_days_kept(void **state)
{
	(void)state;
	struct case_facts f = {.case_id = 1, .state = C(SIGNED), .lead_department = 9}, g;
	const char *why;
	struct case_step_input in = {DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = 7};
	assert_int_equal(case_step(&f, &in, &g, &why), OK);
	assert_true(g.extension_pending);
	assert_int_equal(g.extension_days, 7);
	in = (struct case_step_input){DO(APPROVE_EXTENSION, DISPATCHER)};
	assert_int_equal(case_step(&g, &in, &f, &why), OK);
	assert_false(f.extension_pending);
	assert_int_equal(f.extension_days, 0);
}

/* Fields: each row from a state where the action is legal for the party. */
static void test_fields(void **state)
{
	(void)state;
	static const int64_t co_lead[] = {11, 7}, co_zero[] = {0};
	static const int64_t co_many[CASE_MAX_CO_DEPARTMENTS + 1] = {20, 21, 22, 23, 24, 25, 26, 27, 28,
								     29, 30, 31, 32, 33, 34, 35, 36};
	static const struct {
		enum case_state from;
		struct case_step_input in;
		enum case_step_result want;
		const char *why;
	} rows[] = {
		{C(SIGNED), {DO(RESOLVE, LEAD_HANDLER)}, MISSING, "result"},
		{C(SIGNED), {DO(RESOLVE, LEAD_HANDLER), .result = " \t\n"}, MISSING, "result"},
		{C(SIGNED), {DO(RESOLVE, REPORTER)}, FORBIDDEN, "reporter"},
		{C(DISPATCHED), {DO(RETURN, LEAD_HANDLER)}, MISSING, "return_reason"},
		{C(DISPATCHED), {DO(RETURN, LEAD_HANDLER), .return_reason = ""}, MISSING, "return_reason"},
		{C(SIGNED), {DO(RETURN, LEAD_HANDLER), .return_reason = "too_busy"}, BAD, "return_reason"},
		{C(RESOLVED), {DO(RATE, REPORTER), .satisfaction = "satisfied"}, MISSING, "rating_outcome"},
		{C(RESOLVED), {DO(RATE, REPORTER), .rating_outcome = "great", .satisfaction = "satisfied"}, BAD, "rating_outcome"},
		{C(RESOLVED), {DO(RATE, REPORTER), .rating_outcome = "partly"}, MISSING, "satisfaction"},
		{C(RESOLVED), {DO(RATE, REPORTER), .rating_outcome = "partly", .satisfaction = "meh"}, BAD, "satisfaction"},
		{C(RESOLVED), {DO(RATE, DISPATCHER), .rating_outcome = "Resolved", .satisfaction = "satisfied"}, BAD, "rating_outcome"},
		{C(SUBMITTED), {DO(DISPATCH, DISPATCHER)}, MISSING, "lead_department"},
		{C(SUBMITTED), {DO(DISPATCH, SYSTEM), .lead_department = -3}, BAD, "lead_department"},
		{C(SIGNED), {DO(WHISTLE, DISPATCHER)}, MISSING, "co_departments"},
		{C(SIGNED), {DO(WHISTLE, DISPATCHER), .co_departments = co_lead, .co_department_count = 2}, BAD, "co_departments"},
		{C(SIGNED), {DO(WHISTLE, DISPATCHER), .co_departments = co_zero, .co_department_count = 1}, BAD, "co_departments"},
		{C(DISPATCHED), {DO(WHISTLE, DISPATCHER), .co_departments = co_many, .co_department_count = 17}, BAD, "co_departments"},
		{C(DISPATCHED), {DO(WHISTLE, DISPATCHER), .co_departments = co_many, .co_department_count = 16}, OK, NULL},
		{C(SIGNED), {DO(REQUEST_EXTENSION, LEAD_HANDLER)}, MISSING, "extension_days"},
		{C(SIGNED), {DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = -1}, BAD, "extension_days"},
		{C(SIGNED), {DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = CASE_MAX_EXTENSION_DAYS + 1}, BAD, "extension_days"},
		{C(SIGNED), {DO(REQUEST_EXTENSION, LEAD_HANDLER), .extension_days = CASE_MAX_EXTENSION_DAYS}, OK, NULL},
		{C(SIGNED), {DO(REPLY, CO_HANDLER)}, MISSING, "text"},
		{C(RATED), {DO(COMMENT, SUPERVISOR), .text = ""}, MISSING, "text"},
		{C(RETURNED), {DO(SUPERVISE, SUPERVISOR)}, MISSING, "text"},
		{C(SIGNED), {DO(REMIND, SYSTEM)}, OK, NULL},
		{C(SIGNED), {.action = C(RESOLVE), .party = C(PARTY_NONE), .result = "x"}, FORBIDDEN, "party"},
		{C(SIGNED), {.action = C(RESOLVE), .party = C(PARTY_COUNT), .result = "x"}, FORBIDDEN, "party"},
		{C(SIGNED), {.action = C(ACTION_COUNT), .party = C(DISPATCHER)}, INVALID, "action"},
		{C(SIGNED), {.action = C(ACTION_NONE), .party = C(DISPATCHER)}, INVALID, "action"},
		{C(STATE_COUNT), {DO(COMMENT, DISPATCHER), .text = "x"}, INVALID, "state"},
		{C(STATE_NONE), {DO(COMMENT, DISPATCHER), .text = "x"}, INVALID, "state"},
		{C(RETURNED), {DO(RULE, DISPATCHER)}, INVALID, "lead_department"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		/* The last row's case lost its lead department: a ruling has none to keep. */
		int64_t lead = rows[i].in.action == C(RULE) ? 0 : 7;
		struct case_facts now = {.case_id = 1, .state = rows[i].from, .lead_department = lead}, next;
		const char *why = NULL;
		enum case_step_result got = case_step(&now, &rows[i].in, &next, &why);
		if (got != rows[i].want || (rows[i].why ? !why || strcmp(why, rows[i].why) : why != NULL))
			fail_msg("row %zu: got %d (%s), want %d (%s)", i, got, why ? why : "NULL", rows[i].want,
				 rows[i].why ? rows[i].why : "NULL");
	}
}

static void test_names(void **state)
{
	(void)state;
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		assert_int_equal(case_state_parse(case_state_name(s)), s);
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		assert_int_equal(case_action_parse(case_action_name(a)), a);
	for (int p = 0; p < CASE_PARTY_COUNT; p++)
		assert_int_equal(case_party_parse(case_party_name(p)), p);
	assert_int_equal(case_state_parse("accepted"), CASE_STATE_NONE);
	assert_int_equal(case_state_parse(NULL), CASE_STATE_NONE);
	assert_int_equal(case_action_parse("Dispatch"), CASE_ACTION_NONE);
	assert_int_equal(case_party_parse(""), CASE_PARTY_NONE);
	assert_string_equal(case_state_name(CASE_STATE_COUNT), "none");
	assert_string_equal(case_action_name(CASE_RETURN), "return");
	assert_string_equal(case_party_name(CASE_LEAD_HANDLER), "lead_handler");
	const char *const *v = case_field_values("satisfaction");
	assert_non_null(v);
	assert_string_equal(v[2], "unsatisfied");
	assert_null(v[3]);
	assert_string_equal(case_field_values("return_reason")[0], "not_our_area");
	assert_string_equal(case_field_values("rating_outcome")[2], "not");
	assert_null(case_field_values("result"));
	assert_null(case_field_values(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_triple),    cmocka_unit_test(test_allowed_actions),
		cmocka_unit_test(test_scenarios),       cmocka_unit_test(test_extension_days_kept),
		cmocka_unit_test(test_fields),          cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
