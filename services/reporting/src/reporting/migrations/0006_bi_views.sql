-- The views BI tools (Grafana, Metabase) query: schema `reporting`, documented in BI-VIEWS.md. They read
-- the active proj_<n>; a rebuild's swap_in re-points them at the new schema (this function) before it
-- drops the old one, in the same transaction, so a BI query never sees them missing.
-- CREATE OR REPLACE keeps the views' grants; a later migration changing a view's columns must drop it first.
-- No personal names: officers appear by their id only.

-- The service role is often named `reporting`, so "$user" in the default search_path would now resolve to
-- this schema and send unqualified CREATEs of later migrations here: keep public the place they land.
SET search_path = public;
DO $do$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public', current_database()); END $do$;

CREATE SCHEMA IF NOT EXISTS reporting;
COMMENT ON SCHEMA reporting IS 'Stable read-only views for BI tools; see services/reporting/BI-VIEWS.md';

CREATE FUNCTION reporting_create_bi_views(source text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF source !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', source;
    END IF;
    EXECUTE format($ddl$
        CREATE OR REPLACE VIEW reporting.v_units AS
        SELECT unit_id, valid_from, valid_to, name_vi, name_en, kind,
               CASE WHEN kind = 'centre' THEN 'public_service_unit' ELSE kind END AS sector,
               level, parent_id
        FROM %1$I.unit_versions;

        CREATE OR REPLACE VIEW reporting.v_unit_lineage AS
        SELECT predecessor_id, successor_id, kind, effective_date FROM %1$I.unit_lineage;

        CREATE OR REPLACE VIEW reporting.v_officer_assignments AS
        SELECT p.officer_id, p.valid_from, p.valid_to, p.unit_id, p.assignment,
               'information_security' = ANY (p.functions) AS information_security,
               'it_technical' = ANY (p.functions) AS it_technical,
               'it_leader' = ANY (p.functions) AS it_leader,
               o.employment_category
        FROM %1$I.officer_periods p LEFT JOIN %1$I.officers o USING (officer_id);

        CREATE OR REPLACE VIEW reporting.v_headcount_today AS
        WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day)
        SELECT t.day AS as_of, p.unit_id, u.name_vi, u.kind, u.level, u.parent_id,
               count(*) AS total,
               count(*) FILTER (WHERE p.assignment = 'dedicated') AS dedicated,
               count(*) FILTER (WHERE p.assignment = 'concurrent') AS concurrent,
               count(*) FILTER (WHERE 'information_security' = ANY (p.functions)) AS information_security,
               count(*) FILTER (WHERE 'it_technical' = ANY (p.functions)) AS it_technical,
               count(*) FILTER (WHERE 'it_leader' = ANY (p.functions)) AS it_leader
        FROM today t
        JOIN %1$I.officer_periods p ON p.valid_from <= t.day AND (p.valid_to IS NULL OR t.day <= p.valid_to)
        LEFT JOIN %1$I.unit_versions u
               ON u.unit_id = p.unit_id AND u.valid_from <= t.day AND (u.valid_to IS NULL OR t.day <= u.valid_to)
        GROUP BY t.day, p.unit_id, u.name_vi, u.kind, u.level, u.parent_id;

        CREATE OR REPLACE VIEW reporting.v_monthly_headcount AS
        WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day),
             months AS (
               SELECT least((m + interval '1 month - 1 day')::date, t.day) AS month_end
               FROM today t,
                    generate_series((SELECT date_trunc('month', min(valid_from)) FROM %1$I.officer_periods),
                                    date_trunc('month', t.day), interval '1 month') AS m)
        SELECT to_char(m.month_end, 'YYYY-MM') AS month, m.month_end, p.unit_id, u.name_vi, u.kind, u.level,
               count(*) AS total,
               count(*) FILTER (WHERE p.assignment = 'dedicated') AS dedicated,
               count(*) FILTER (WHERE p.assignment = 'concurrent') AS concurrent,
               count(*) FILTER (WHERE 'information_security' = ANY (p.functions)) AS information_security,
               count(*) FILTER (WHERE 'it_technical' = ANY (p.functions)) AS it_technical,
               count(*) FILTER (WHERE 'it_leader' = ANY (p.functions)) AS it_leader
        FROM months m
        JOIN %1$I.officer_periods p
          ON p.valid_from <= m.month_end AND (p.valid_to IS NULL OR m.month_end <= p.valid_to)
        LEFT JOIN %1$I.unit_versions u ON u.unit_id = p.unit_id
          AND u.valid_from <= m.month_end AND (u.valid_to IS NULL OR m.month_end <= u.valid_to)
        GROUP BY m.month_end, p.unit_id, u.name_vi, u.kind, u.level;

        CREATE OR REPLACE VIEW reporting.v_departures AS
        SELECT o.officer_id, o.departure_date, to_char(o.departure_date, 'YYYY-MM') AS month,
               o.departure_reason AS reason, o.departure_destination AS destination, last.unit_id,
               o.employment_category
        FROM %1$I.officers o
        LEFT JOIN LATERAL (SELECT unit_id FROM %1$I.officer_periods p WHERE p.officer_id = o.officer_id
                           ORDER BY valid_from DESC LIMIT 1) last ON true
        WHERE o.departure_date IS NOT NULL;

        CREATE OR REPLACE VIEW reporting.v_community_teams AS
        SELECT team_id, valid_from, valid_to, commune_id, village FROM %1$I.team_periods;

        CREATE OR REPLACE VIEW reporting.v_team_members_by_affiliation AS
        WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day)
        SELECT t.day AS as_of, tp.commune_id, m.affiliation, count(*) AS members
        FROM today t
        JOIN %1$I.team_memberships m ON m.valid_from <= t.day AND (m.valid_to IS NULL OR t.day <= m.valid_to)
        JOIN %1$I.team_periods tp ON tp.team_id = m.team_id
         AND tp.valid_from <= t.day AND (tp.valid_to IS NULL OR t.day <= tp.valid_to)
        GROUP BY t.day, tp.commune_id, m.affiliation;

        CREATE OR REPLACE VIEW reporting.v_training_plans AS
        SELECT year, revision, classes, trainees_province, trainees_district, trainees_commune,
               advanced_classes, advanced_trainees, drills
        FROM %1$I.training_plans;

        CREATE OR REPLACE VIEW reporting.v_training_results AS
        SELECT e.class_id, c.programme_kind, c.advanced, c.plan_year, c.status AS class_status, e.officer_id,
               e.unit_id, e.level, e.enrolled_on, e.withdrawn_on, e.passed, e.score, e.hours, e.completed_on,
               (c.status = 'completed' AND e.withdrawn_on IS NULL AND coalesce(e.passed, false)) AS counts_as_passed
        FROM %1$I.training_enrolments e JOIN %1$I.training_classes c USING (class_id);

        CREATE OR REPLACE VIEW reporting.v_vacancies AS
        SELECT v.vacancy_id, v.unit_id, v.function, v.positions, v.policy_ids, v.opened_on, v.closes_on,
               v.closed_on, v.outcome,
               (SELECT count(*) FROM %1$I.hires h WHERE h.vacancy_id = v.vacancy_id) AS hired
        FROM %1$I.vacancies v;

        CREATE OR REPLACE VIEW reporting.v_hires AS
        SELECT application_id, vacancy_id, unit_id, function, policy_ids, hired_on, officer_id, appointed
        FROM %1$I.hires;
    $ddl$, source);
END
$fn$;

SELECT reporting_create_bi_views(active_schema) FROM projection_state;
