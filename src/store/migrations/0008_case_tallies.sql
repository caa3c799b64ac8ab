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

-- The tables start empty. A database that already holds cases is marked
-- for a recount instead of being filled here: whoever migrates (every CLI
-- command, through cli_open_store) then runs the one rebuild there is,
-- cases_figures_rebuild_pending() in src/modules/cases/tallies.c, which
-- clears the mark in the rebuild's own transaction. An empty database
-- needs none. (This migration once carried the rebuild's SQL written out
-- by hand; databases that ran that version are already filled and carry
-- no mark: versions are compared by number only, see store_migrate.)
INSERT INTO meta (key, value) SELECT 'case_figures_rebuild_pending', '0008' WHERE EXISTS (SELECT 1 FROM cases);
