-- Each rule of "which records a report covers" stated once, in SQL functions the API's queries and the
-- BI views both call (issue #16), and the former-province lineage (issue #19):
--   reporting_unit_sector(kind)       the sector a unit kind belongs to (a centre is a public service unit)
--   reporting_counts_as_passed(...)   an enrolment that counts as passed
--   reporting_scope(...)              the slice walked through time (adapters/attribution.py explains it)
--   reporting_former_province_units() the units that descend from each former province (docs/architecture.md)
-- The functions name projection tables unqualified: they read the schema the caller's search_path points at
-- (the active proj_<n>, or the one a rebuild fills), like the queries in adapters/. LANGUAGE sql functions
-- are planned at each call, so a changed search_path is honoured; the simple ones are inlined.
SET LOCAL check_function_bodies = off;  -- the tables they read live in proj_<n>, not in public

CREATE FUNCTION reporting_unit_sector(kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN kind = 'centre' THEN 'public_service_unit' ELSE kind END;

-- Only a completed class counts, and only for a trainee still enrolled at its end; NULL (no result) = no.
CREATE FUNCTION reporting_counts_as_passed(class_status text, withdrawn_on date, passed boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN class_status = 'completed' AND withdrawn_on IS NULL AND coalesce(passed, false);

-- The slice through time as (unit, valid_from, valid_to) intervals, valid_to never NULL ('infinity').
-- anchors: the slice's units valid on as_of (NULL = every unit, none walked); each stands in for its
-- predecessors (unit_lineage effective by as_of, recursively), and every version under them while both
-- were valid is taken in. The sector, level and former-province filters apply to each version's own
-- kind and level, and to its unit's lineage (unit_former_provinces); NULL = no filter. Rows may repeat.
CREATE FUNCTION reporting_scope(as_of date, anchors text[], sectors text[], levels text[], former_province text)
RETURNS TABLE (unit_id text, valid_from date, valid_to date)
LANGUAGE sql STABLE AS $fn$
WITH RECURSIVE
  lineage (unit_id) AS (
    SELECT unnest(anchors)
    UNION
    SELECT l.predecessor_id FROM unit_lineage l JOIN lineage ON l.successor_id = lineage.unit_id
    WHERE l.effective_date <= as_of),  -- a merger after as_of is not part of that report
  reach (unit_id, valid_from, valid_to, kind, level, path) AS (
    SELECT u.unit_id, u.valid_from, coalesce(u.valid_to, 'infinity'), u.kind, u.level, ARRAY[u.unit_id]
    FROM unit_versions u WHERE anchors IS NULL OR u.unit_id IN (SELECT unit_id FROM lineage)
    UNION ALL
    SELECT c.unit_id, greatest(c.valid_from, r.valid_from), least(coalesce(c.valid_to, 'infinity'), r.valid_to),
           c.kind, c.level, r.path || c.unit_id
    FROM reach r JOIN unit_versions c ON c.parent_id = r.unit_id
      AND c.valid_from <= r.valid_to AND r.valid_from <= coalesce(c.valid_to, 'infinity')
    WHERE anchors IS NOT NULL AND c.unit_id <> ALL (r.path))
SELECT r.unit_id, r.valid_from, r.valid_to FROM reach r
WHERE (sectors IS NULL OR reporting_unit_sector(r.kind) = ANY (sectors)) AND (levels IS NULL OR r.level = ANY (levels))
  AND (former_province IS NULL OR EXISTS (
        SELECT 1 FROM unit_former_provinces f WHERE f.unit_id = r.unit_id AND f.province_id = former_province))
$fn$;

-- Former provinces: province-level root units (no parent in any version) that ceased, e.g. Vĩnh Phúc on
-- 2025-07-01. A unit belongs to former province P when it was in P's subtree on a day P existed (the
-- scope walk above from P, over all time), or descends by merge or split from such a unit; a unit
-- descending from several former provinces (their merged successor, a commune formed across a border)
-- belongs to none of them. A root that continues as the successor is not a former province.
CREATE FUNCTION reporting_former_province_units() RETURNS TABLE (unit_id text, province_id text)
LANGUAGE sql STABLE AS $fn$
WITH RECURSIVE
  roots AS (
    SELECT u.unit_id FROM unit_versions u GROUP BY u.unit_id
    HAVING bool_and(u.parent_id IS NULL AND u.level = 'province') AND bool_and(u.valid_to IS NOT NULL)),
  descent (province_id, unit_id) AS (
    SELECT DISTINCT r.unit_id, s.unit_id
    FROM roots r CROSS JOIN LATERAL reporting_scope('-infinity', ARRAY[r.unit_id], NULL, NULL, NULL) s
    UNION
    SELECT d.province_id, l.successor_id FROM descent d JOIN unit_lineage l ON l.predecessor_id = d.unit_id)
SELECT d.unit_id, min(d.province_id) FROM descent d GROUP BY d.unit_id HAVING count(DISTINCT d.province_id) = 1
$fn$;

-- Recomputed whole, set-based, once per transaction that changed units: a deferred trigger fires at
-- commit, after every unit event of the consumer's batch is in, and the first firing does the work.
-- Units are few (thousands), so recomputing them whole is cheap next to a batch, and a rebuild, which runs
-- the same writers, ends with the same rows.
CREATE FUNCTION reporting_refresh_former_provinces() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    txn text := txid_current()::text;
BEGIN
    IF current_setting('reporting.former_provinces_txn', true) = txn THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('reporting.former_provinces_txn', txn, true);
    -- a recursive query's row estimates explode, and JIT would cost seconds on a millisecond query
    PERFORM set_config('jit', 'off', true);
    EXECUTE format('DELETE FROM %I.unit_former_provinces', TG_TABLE_SCHEMA);
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    EXECUTE format('INSERT INTO %I.unit_former_provinces SELECT * FROM reporting_former_province_units()',
                   TG_TABLE_SCHEMA);
    RETURN NULL;
END
$fn$;

CREATE FUNCTION reporting_create_lineage_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    saved text := current_setting('search_path');
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        CREATE TABLE %1$I.unit_former_provinces (
            unit_id     text PRIMARY KEY,
            province_id text NOT NULL
        );
        CREATE INDEX ON %1$I.unit_former_provinces (province_id);
        CREATE CONSTRAINT TRIGGER former_provinces AFTER INSERT OR UPDATE OR DELETE ON %1$I.unit_versions
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reporting_refresh_former_provinces();
        CREATE CONSTRAINT TRIGGER former_provinces AFTER INSERT OR UPDATE OR DELETE ON %1$I.unit_lineage
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reporting_refresh_former_provinces();
    $ddl$, target);
    PERFORM set_config('search_path', format('%I, public', target), true);
    EXECUTE format('INSERT INTO %I.unit_former_provinces SELECT * FROM reporting_former_province_units()', target);
    PERFORM set_config('search_path', saved, true);
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
END
$fn$;

SELECT reporting_create_lineage_tables(active_schema) FROM projection_state;

-- The BI views (0006, 0013) from the same definitions as the API: the sector and "counts as passed" come
-- from the functions above, and the former-province lineage is a view of its own (BI-VIEWS.md).
-- This is the views' one current definition; 0006 and 0013 are history.
CREATE OR REPLACE FUNCTION reporting_create_bi_views(source text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF source !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', source;
    END IF;
    EXECUTE format($ddl$
        CREATE OR REPLACE VIEW reporting.v_units AS
        SELECT unit_id, valid_from, valid_to, name_vi, name_en, kind,
               reporting_unit_sector(kind) AS sector,
               level, parent_id
        FROM %1$I.unit_versions;

        CREATE OR REPLACE VIEW reporting.v_unit_lineage AS
        SELECT predecessor_id, successor_id, kind, effective_date FROM %1$I.unit_lineage;

        CREATE OR REPLACE VIEW reporting.v_unit_former_provinces AS
        SELECT unit_id, province_id FROM %1$I.unit_former_provinces;

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
               o.departure_reason AS reason, last.unit_id,
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
               reporting_counts_as_passed(c.status, e.withdrawn_on, e.passed) AS counts_as_passed
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
