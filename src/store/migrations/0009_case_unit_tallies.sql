-- The case figures by department without the category × source × day
-- detail: one row per area that holds the case (its own area and every
-- ancestor) × lead department × local day, the sums of case_tallies over
-- category and source. The default figures rank an area's departments;
-- read from case_tallies, a county's ranking over 90 days summed every
-- department × category × source × day row there was, and the number of
-- those rows grows with the cases until every combination has occurred
-- (9,715 rows at 100,000 demo cases, 16,577 at 1,000,000). Here it is at
-- most departments × days, which a county reaches in its first weeks.
-- Kept on write beside the other two tables (src/modules/cases/tallies.c).
CREATE TABLE case_unit_tallies (
	area_id BIGINT NOT NULL,
	day BIGINT NOT NULL,
	lead_unit_id BIGINT NOT NULL,
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
	PRIMARY KEY (area_id, day, lead_unit_id)
) CLUSTERED_BY_KEY;

-- Empty, like the tables of 0008: a database that holds cases is marked
-- for the one recount there is (see 0008), which fills all three tables.
INSERT INTO meta (key, value) SELECT 'case_figures_rebuild_pending', '0009'
	WHERE EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'case_figures_rebuild_pending');
