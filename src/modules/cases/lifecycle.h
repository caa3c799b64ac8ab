/* The life of a case (诉求/事件): 点单 → 派单 → 接单 → 评单, as one
 * transition table (lifecycle.c). Pure: no I/O, no clock, no database. The
 * caller loads the case's facts, maps the caller to a party, asks case_step()
 * for the next facts, and writes them with a timeline event in one
 * transaction.
 *
 * States:
 *   submitted   点单: a resident's request or a grid worker's report, not yet routed
 *   dispatched  派单: sent to a lead department, waiting for it to sign
 *   signed      签收: the lead department accepted it; the handling clock runs
 *   returned    退单: the department sent it back; the dispatcher decides
 *   resolved    办结: the department reports a result; waiting for a rating
 *   rated       评单: the reporter (or staff for them) rated the result
 *   closed      final; merged duplicates, direct answers and withdrawn cases end here too
 * No further states were needed: a pending extension, a ruling on a return
 * and the reopen count are facts of a state, not states (they would multiply
 * every state that can hold them).
 *
 * Parties are relative to the case, not global roles. Mapping (role, the
 * caller's relation to the case) → party is the caller's job, because only
 * the store knows the relation. The intended mapping:
 *   reporter      the resident or grid worker who submitted it (or staff
 *                 acting for a resident who phoned in a rating)
 *   dispatcher    staff/commander/admin whose area holds the case (派单员,
 *                 including the 12345 hotline operator at intake)
 *   lead_handler  a handler of the case's lead department
 *   co_handler    a handler of a department added by whistle (吹哨)
 *   supervisor    commander or staff above the case's area (督办)
 *   system        timers and routing rules, never a person
 * A caller with several relations tries the parties in the order above and
 * keeps the first that case_step() accepts. */
#ifndef WG_CASES_LIFECYCLE_H
#define WG_CASES_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum case_state {
	CASE_STATE_NONE = -1,
	CASE_SUBMITTED,
	CASE_DISPATCHED,
	CASE_SIGNED,
	CASE_RETURNED,
	CASE_RESOLVED,
	CASE_RATED,
	CASE_CLOSED,
	CASE_STATE_COUNT,
};

enum case_action {
	CASE_ACTION_NONE = -1,
	CASE_DISPATCH,          /* 派单, and re-dispatch from returned */
	CASE_SIGN,              /* 签收 */
	CASE_RETURN,            /* 退单 */
	CASE_RULE,              /* ruling on a return: the same department must sign */
	CASE_REQUEST_EXTENSION, /* 申请延期 */
	CASE_APPROVE_EXTENSION,
	CASE_REJECT_EXTENSION,
	CASE_RESOLVE,           /* 办结 */
	CASE_RATE,              /* 评单 */
	CASE_CLOSE,
	CASE_WHISTLE,           /* 吹哨: add co-handling departments */
	CASE_REPORT_IN,         /* 报到 */
	CASE_REPLY,             /* a co-handler's answer */
	CASE_SUPERVISE,         /* 督办 */
	CASE_REMIND,            /* 催办 */
	CASE_COMMENT,
	CASE_MERGE,             /* a duplicate closes into another case */
	CASE_ANSWER_DIRECTLY,   /* 直接答复 at intake */
	CASE_WITHDRAW,          /* 撤单: the reporter no longer needs it (added; see lifecycle.c) */
	CASE_ACTION_COUNT,
};

enum case_party {
	CASE_PARTY_NONE = -1,
	CASE_REPORTER,
	CASE_DISPATCHER,
	CASE_LEAD_HANDLER,
	CASE_CO_HANDLER,
	CASE_SUPERVISOR,
	CASE_SYSTEM,
	CASE_PARTY_COUNT,
};

/* Names are the API's snake_case words; parse returns ..._NONE for an
 * unknown or NULL name. Returned names are static. */
const char *case_state_name(enum case_state s);
enum case_state case_state_parse(const char *name);
const char *case_action_name(enum case_action a);
enum case_action case_action_parse(const char *name);
const char *case_party_name(enum case_party p);
enum case_party case_party_parse(const char *name);

/* Limits on input values. */
#define CASE_MAX_EXTENSION_DAYS 30
#define CASE_MAX_CO_DEPARTMENTS 16

/* What the machine needs to know of a case; the caller stores all of it. */
struct case_facts {
	int64_t case_id;
	enum case_state state;
	int64_t lead_department;  /* unit id; 0 before the first dispatch; kept on return */
	int reopen_count;         /* times an unsatisfied rating sent it back */
	bool extension_pending;
	int extension_days;       /* the pending request; on approve the caller moves
				     the deadline by now->extension_days */
	bool ruled;               /* the dispatcher ruled on a return: the lead
				     department may not return it again */
	int64_t merged_into;      /* set by merge; 0 otherwise */
};

/* One action as asked. Every pointer is borrowed for the call; fields an
 * action does not use are ignored. Strings are NUL-terminated. */
struct case_step_input {
	enum case_action action;
	enum case_party party;
	int64_t lead_department;        /* dispatch */
	const int64_t *co_departments;  /* whistle */
	size_t co_department_count;
	const char *return_reason;      /* return: not_our_area | not_our_duty | overlapping_duties */
	const char *result;             /* resolve */
	const char *rating_outcome;     /* rate: resolved | partly | not */
	const char *satisfaction;       /* rate: satisfied | basically_satisfied | unsatisfied */
	int extension_days;             /* request_extension: 1..CASE_MAX_EXTENSION_DAYS */
	int64_t merged_into;            /* merge */
	const char *text;               /* comment, reply, supervise, answer_directly; optional elsewhere */
};

enum case_step_result {
	CASE_STEP_OK,
	CASE_STEP_INVALID_TRANSITION, /* not from this state (409); *why = the state, or the fact that blocks it */
	CASE_STEP_FORBIDDEN,          /* right state, this party may not (403); *why = the party */
	CASE_STEP_MISSING_FIELD,      /* 422; *why = the input field */
	CASE_STEP_BAD_VALUE,          /* 422; *why = the input field */
};

/* Decides the next facts. Checks in this order: the state, the party, the
 * facts (a pending extension, a ruling), then the fields. On CASE_STEP_OK
 * *next holds the new facts (next may equal now) and *why is NULL; otherwise
 * *next is untouched and *why (static) names what failed. The handling clock
 * (re)starts whenever the state becomes signed from another state. */
enum case_step_result case_step(const struct case_facts *now, const struct case_step_input *in, struct case_facts *next,
				const char **why);

/* The actions party may take now (state, party and facts; not fields), in
 * enum order, for the API and the UI. Writes at most max into out; returns
 * how many there are. */
size_t case_allowed_actions(const struct case_facts *now, enum case_party party, enum case_action *out, size_t max);

/* The accepted values of an enumerated input field ("return_reason",
 * "rating_outcome", "satisfaction"), NULL-terminated and static; NULL for
 * any other name. For forms and error messages. */
const char *const *case_field_values(const char *field);

#endif
