-- The case figures' aggregates (GET /api/v1/stats/cases), kept on write so
-- their cost follows the number of groups, not of cases. Each row holds
-- the plain sums of struct case_counts (src/modules/cases/figures.h) that
-- do not depend on the clock; "overdue" is counted in two parts (see
-- below). Merged duplicates count nowhere. day: the local day (UTC+8)
-- of submission. lead_unit_id: 0 before the first dispatch.
--
-- case_tallies: one row per area that holds the case (its own area and
-- every ancestor) × department × category × source × day, so the figures
-- of any area by department, category, source or day read only that
-- area's rows. A moved area's rows are carried from its old ancestors to
-- its new ones in the move's transaction (src/modules/cases/tallies.c).
-- case_area_tallies: one row per case's own area × day, folded into
-- children or grids by path at read time (an area's rows by day).
-- Neither names areas or units by foreign key: a row exists only where a
-- case does, and the case's keys already hold them.
CREATE TABLE case_tallies (
	area_id BIGINT NOT NULL,
	day BIGINT NOT NULL,
	lead_unit_id BIGINT NOT NULL,
	category_code TEXT NOT NULL,
	source TEXT NOT NULL,
	received BIGINT NOT NULL,
	state_submitted BIGINT NOT NULL,
	state_dispatched BIGINT NOT NULL,
	state_signed BIGINT NOT NULL,
	state_returned BIGINT NOT NULL,
	state_resolved BIGINT NOT NULL,
	state_rated BIGINT NOT NULL,
	state_closed BIGINT NOT NULL,
	signed_total BIGINT NOT NULL,
	signed_on_time BIGINT NOT NULL,
	resolved BIGINT NOT NULL,
	resolved_on_time BIGINT NOT NULL,
	rated BIGINT NOT NULL,
	outcome_resolved BIGINT NOT NULL,
	outcome_partly BIGINT NOT NULL,
	outcome_not BIGINT NOT NULL,
	satisfied BIGINT NOT NULL,
	basically_satisfied BIGINT NOT NULL,
	unsatisfied BIGINT NOT NULL,
	handled BIGINT NOT NULL,
	handling_seconds BIGINT NOT NULL,
	reopened BIGINT NOT NULL,
	good BIGINT NOT NULL,
	sign_overdue_reminded BIGINT NOT NULL,
	resolve_overdue_reminded BIGINT NOT NULL,
	PRIMARY KEY (area_id, day, lead_unit_id, category_code, source)
) CLUSTERED_BY_KEY;
CREATE TABLE case_area_tallies (
	area_id BIGINT NOT NULL,
	day BIGINT NOT NULL,
	received BIGINT NOT NULL,
	state_submitted BIGINT NOT NULL,
	state_dispatched BIGINT NOT NULL,
	state_signed BIGINT NOT NULL,
	state_returned BIGINT NOT NULL,
	state_resolved BIGINT NOT NULL,
	state_rated BIGINT NOT NULL,
	state_closed BIGINT NOT NULL,
	signed_total BIGINT NOT NULL,
	signed_on_time BIGINT NOT NULL,
	resolved BIGINT NOT NULL,
	resolved_on_time BIGINT NOT NULL,
	rated BIGINT NOT NULL,
	outcome_resolved BIGINT NOT NULL,
	outcome_partly BIGINT NOT NULL,
	outcome_not BIGINT NOT NULL,
	satisfied BIGINT NOT NULL,
	basically_satisfied BIGINT NOT NULL,
	unsatisfied BIGINT NOT NULL,
	handled BIGINT NOT NULL,
	handling_seconds BIGINT NOT NULL,
	reopened BIGINT NOT NULL,
	good BIGINT NOT NULL,
	sign_overdue_reminded BIGINT NOT NULL,
	resolve_overdue_reminded BIGINT NOT NULL,
	PRIMARY KEY (area_id, day)
) CLUSTERED_BY_KEY;

-- "Overdue" is judged against the clock. A case past its due date is
-- reminded by the timer within a minute (sweep.c), and a reminder after the
-- due date is a write: from then on the case is counted in the
-- *_overdue_reminded columns, which time no longer changes. The figures
-- add the open cases past due and not yet reminded, which these partial
-- indexes list by due date: the timer's queue, not the history. They lead
-- with state like cases_state_sign_due and cases_state_resolve_due, so that
-- SQLite without statistics takes the small one.
CREATE INDEX cases_sign_unreminded ON cases (state, sign_due_at)
	WHERE state = 'dispatched' AND (reminded_at IS NULL OR reminded_at <= sign_due_at);
CREATE INDEX cases_resolve_unreminded ON cases (state, resolve_due_at)
	WHERE state = 'signed' AND (reminded_at IS NULL OR reminded_at <= resolve_due_at);

-- The backfill: the same sums as src/modules/cases/tallies.c computes per
-- case (case_tally_contribution) and as its rebuild runs. holders: every
-- area with each of its ancestors (itself included), walked by parent_id.
WITH RECURSIVE holders (area_id, holder_id) AS (
	SELECT id, id FROM areas
	UNION ALL
	SELECT h.area_id, a.parent_id FROM holders h JOIN areas a ON a.id = h.holder_id WHERE a.parent_id IS NOT NULL
)
INSERT INTO case_tallies (area_id, day, lead_unit_id, category_code, source, received, state_submitted,
	state_dispatched, state_signed, state_returned, state_resolved, state_rated, state_closed, signed_total,
	signed_on_time, resolved, resolved_on_time, rated, outcome_resolved, outcome_partly, outcome_not, satisfied,
	basically_satisfied, unsatisfied, handled, handling_seconds, reopened, good, sign_overdue_reminded,
	resolve_overdue_reminded)
SELECT h.holder_id, (k.submitted_at + 28800) / 86400, COALESCE(k.lead_unit_id, 0), k.category_code, k.source,
	COUNT(*),
	SUM(CASE WHEN k.state = 'submitted' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'signed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'returned' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'resolved' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'rated' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'closed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.signed_late IS NOT NULL AND k.state <> 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.signed_late = 0 AND k.state <> 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late = 0 AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'resolved' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'partly' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'not' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'satisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_at IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_at IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN k.resolved_at - k.submitted_at ELSE 0 END),
	SUM(CASE WHEN k.reopen_count > 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late = 0 AND k.state IN ('resolved', 'rated', 'closed') AND NOT (k.rating_outcome IS NOT NULL
		AND k.state IN ('rated', 'closed') AND COALESCE(k.satisfaction, '') = 'unsatisfied') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'dispatched' AND k.reminded_at > k.sign_due_at THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'signed' AND k.reminded_at > k.resolve_due_at THEN 1 ELSE 0 END)
FROM cases k JOIN holders h ON h.area_id = k.area_id
WHERE k.merged_into IS NULL
GROUP BY h.holder_id, (k.submitted_at + 28800) / 86400, COALESCE(k.lead_unit_id, 0), k.category_code, k.source;

-- The own-area rows: the same sums by each case's own area.
INSERT INTO case_area_tallies (area_id, day, received, state_submitted, state_dispatched, state_signed,
	state_returned, state_resolved, state_rated, state_closed, signed_total, signed_on_time, resolved,
	resolved_on_time, rated, outcome_resolved, outcome_partly, outcome_not, satisfied, basically_satisfied,
	unsatisfied, handled, handling_seconds, reopened, good, sign_overdue_reminded, resolve_overdue_reminded)
SELECT k.area_id, (k.submitted_at + 28800) / 86400,
	COUNT(*),
	SUM(CASE WHEN k.state = 'submitted' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'signed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'returned' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'resolved' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'rated' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'closed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.signed_late IS NOT NULL AND k.state <> 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.signed_late = 0 AND k.state <> 'dispatched' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late = 0 AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'resolved' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'partly' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome = 'not' AND k.state IN ('rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'satisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed') AND k.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_at IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_at IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed') THEN k.resolved_at - k.submitted_at ELSE 0 END),
	SUM(CASE WHEN k.reopen_count > 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.resolved_late = 0 AND k.state IN ('resolved', 'rated', 'closed') AND NOT (k.rating_outcome IS NOT NULL
		AND k.state IN ('rated', 'closed') AND COALESCE(k.satisfaction, '') = 'unsatisfied') THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'dispatched' AND k.reminded_at > k.sign_due_at THEN 1 ELSE 0 END),
	SUM(CASE WHEN k.state = 'signed' AND k.reminded_at > k.resolve_due_at THEN 1 ELSE 0 END)
FROM cases k
WHERE k.merged_into IS NULL
GROUP BY k.area_id, (k.submitted_at + 28800) / 86400;
