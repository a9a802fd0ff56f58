-- Community-team members per commune and affiliation on any day, kept as memberships and team periods are
-- written (issue #15: the overview read every membership on every request, 65-85 ms at 13.4x the demo).
--
-- A membership counts for a commune on day D when the membership and one of its team's periods in that
-- commune both contain D: their overlap [start, end] adds 1 from `start` on and takes it back from
-- `end + 1` on. The count on D is the sum of the deltas up to D: whole months before D's month from
-- team_member_month_deltas (one row per commune, affiliation and month), the days of D's month from
-- team_member_day_deltas. Statement triggers with transition tables keep both, as 0015 does for the
-- trends: a membership written adds its overlaps with the team's periods as they are, a team period
-- written adds its overlaps with the team's memberships as they are (old rows subtract), so the deltas
-- always equal what the two tables give together, whatever order events arrive in.
-- The live consumer holds PROJECTION_LOCK (adapters/projection_schema.py) shared in every batch: holding it
-- exclusively, the fill below cannot miss rows a batch of another replica commits while it runs.
SELECT pg_advisory_xact_lock(1380995668);

-- The one statement that adds deltas, for the triggers and for the fill alike: `changes` are rows of
-- `changed` (team_memberships or team_periods) with a `sign` (1 added, -1 taken away); they meet the other
-- table's rows of the same team as they are now.
CREATE FUNCTION reporting_member_deltas_sql(target text, changed text, changes text) RETURNS text
LANGUAGE sql
RETURN format($sql$
    WITH pairs AS (%2$s),
    spans AS (
        SELECT sign, commune_id, affiliation, greatest(m_from, p_from) AS first_day,
               least(m_to, p_to) AS last_day  -- least() skips NULLs: open only when both are open
        FROM pairs
        -- not empty (a membership ending before it starts, which personnel refuses, counts nowhere)
        WHERE greatest(m_from, p_from) <= least(coalesce(m_to, 'infinity'), coalesce(p_to, 'infinity'))),
    deltas AS (
        SELECT commune_id, affiliation, first_day AS day, sign AS members FROM spans
        UNION ALL
        SELECT commune_id, affiliation, last_day + 1, -sign FROM spans WHERE last_day IS NOT NULL),
    days AS (
        INSERT INTO %1$I.team_member_day_deltas AS d
        SELECT commune_id, affiliation, day, sum(members) FROM deltas
        GROUP BY 1, 2, 3 HAVING sum(members) <> 0 ORDER BY 1, 2, 3  -- one lock order for every writer
        ON CONFLICT (commune_id, affiliation, day) DO UPDATE SET members = d.members + EXCLUDED.members)
    INSERT INTO %1$I.team_member_month_deltas AS d
    SELECT commune_id, affiliation, date_trunc('month', day)::date, sum(members) FROM deltas
    GROUP BY 1, 2, 3 HAVING sum(members) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (commune_id, affiliation, month) DO UPDATE SET members = d.members + EXCLUDED.members
$sql$, target, CASE changed
    WHEN 'team_memberships' THEN format(
        'SELECT c.sign, p.commune_id, c.affiliation, c.valid_from AS m_from, c.valid_to AS m_to,
                p.valid_from AS p_from, p.valid_to AS p_to
         FROM (%2$s) c JOIN %1$I.team_periods p USING (team_id)', target, changes)
    WHEN 'team_periods' THEN format(
        'SELECT c.sign, c.commune_id, m.affiliation, m.valid_from AS m_from, m.valid_to AS m_to,
                c.valid_from AS p_from, c.valid_to AS p_to
         FROM (%2$s) c JOIN %1$I.team_memberships m USING (team_id)', target, changes) END);

CREATE FUNCTION reporting_team_member_deltas() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    changes text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
                               WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
                               ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows' END;
BEGIN
    EXECUTE reporting_member_deltas_sql(TG_TABLE_SCHEMA, TG_TABLE_NAME, changes);
    RETURN NULL;
END
$fn$;

CREATE FUNCTION reporting_create_team_member_deltas(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    tbl text;
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        CREATE TABLE %1$I.team_member_day_deltas (
            commune_id  text    NOT NULL,
            affiliation text    NOT NULL,
            day         date    NOT NULL,
            members     integer NOT NULL,
            PRIMARY KEY (day, commune_id, affiliation)  -- day first: the card reads one month's days
        );
        CREATE TABLE %1$I.team_member_month_deltas (
            commune_id  text    NOT NULL,
            affiliation text    NOT NULL,
            month       date    NOT NULL,  -- the 1st of the month
            members     integer NOT NULL,
            PRIMARY KEY (commune_id, affiliation, month)
        );
    $ddl$, target);
    -- the existing memberships, all added, meeting the periods: what the triggers would have kept
    EXECUTE reporting_member_deltas_sql(target, 'team_memberships',
                                        format('SELECT 1 AS sign, * FROM %I.team_memberships', target));
    FOREACH tbl IN ARRAY ARRAY['team_memberships', 'team_periods'] LOOP
        EXECUTE format($ddl$
            CREATE TRIGGER member_deltas_insert AFTER INSERT ON %1$I.%2$I
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_team_member_deltas();
            CREATE TRIGGER member_deltas_update AFTER UPDATE ON %1$I.%2$I
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reporting_team_member_deltas();
            CREATE TRIGGER member_deltas_delete AFTER DELETE ON %1$I.%2$I
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_team_member_deltas();
        $ddl$, target, tbl);
    END LOOP;
END
$fn$;

-- The tables kept by triggers (0015's trend deltas, these): a rebuild replays a million events into an
-- empty schema, so it drops them first and fills them once, set-based, after the replay and before it
-- catches up with the live consumer (entrypoints/cli/rebuild.py) instead of running the triggers per batch.
CREATE FUNCTION reporting_drop_derived_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    op text;
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
        EXECUTE format('DROP TRIGGER month_deltas_%2$s ON %1$I.officer_periods', target, op);
        EXECUTE format('DROP TRIGGER member_deltas_%2$s ON %1$I.team_memberships', target, op);
        EXECUTE format('DROP TRIGGER member_deltas_%2$s ON %1$I.team_periods', target, op);
    END LOOP;
    EXECUTE format('DROP TABLE %1$I.officer_month_deltas, %1$I.team_member_day_deltas, %1$I.team_member_month_deltas',
                   target);
END
$fn$;

CREATE FUNCTION reporting_create_derived_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM reporting_create_trend_tables(target);
    PERFORM reporting_create_team_member_deltas(target);
END
$fn$;

CREATE OR REPLACE FUNCTION reporting_create_projection_schema(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM reporting_create_personnel_projection(target);
    PERFORM reporting_drop_personal_columns(target);  -- 0013: no personal data in reporting
    PERFORM reporting_create_training_tables(target);
    PERFORM reporting_create_recruitment_tables(target);
    PERFORM reporting_create_response_team_tables(target);
    PERFORM reporting_create_trend_tables(target);
    PERFORM reporting_create_lineage_tables(target);  -- 0019
    PERFORM reporting_create_team_member_deltas(target);
END
$fn$;

SELECT reporting_create_team_member_deltas(active_schema) FROM projection_state;
