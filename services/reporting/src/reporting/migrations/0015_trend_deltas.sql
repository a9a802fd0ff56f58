-- Month-end head counts for the trends, kept as officer periods are written (set-based, by statement
-- triggers with transition tables, so one trigger run per writer statement, not per row).
--
-- A period [valid_from, valid_to] of a unit counts on a month's last day M when valid_from <= M <= valid_to,
-- that is when its month is at or after month(valid_from) and before month(valid_to + 1). So it adds 1 to
-- the unit's count from month(valid_from) on and takes it back from month(valid_to + 1) on: the count on
-- any month's last day is the sum of the unit's deltas up to that month. The table stays small (at most
-- one row per unit and month), whatever the number of officers. Trends read it instead of walking every
-- period for every month (trend_queries.py).
CREATE FUNCTION reporting_officer_month_deltas() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    changes text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
                               WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
                               ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows' END;
BEGIN
    EXECUTE format($sql$
        INSERT INTO %1$I.officer_month_deltas AS d (unit_id, month, headcount, dedicated, information_security)
        SELECT unit_id, month, sum(sign), coalesce(sum(sign) FILTER (WHERE dedicated), 0),
               coalesce(sum(sign) FILTER (WHERE infosec), 0)
        FROM (SELECT unit_id, date_trunc('month', valid_from)::date AS month, sign,
                     assignment = 'dedicated' AS dedicated, 'information_security' = ANY (functions) AS infosec
              FROM (%2$s) c
              UNION ALL
              SELECT unit_id, date_trunc('month', valid_to + 1)::date, -sign,
                     assignment = 'dedicated', 'information_security' = ANY (functions)
              FROM (%2$s) c WHERE valid_to IS NOT NULL) x
        GROUP BY unit_id, month
        ON CONFLICT (unit_id, month) DO UPDATE
        SET headcount = d.headcount + EXCLUDED.headcount,
            dedicated = d.dedicated + EXCLUDED.dedicated,
            information_security = d.information_security + EXCLUDED.information_security
    $sql$, TG_TABLE_SCHEMA, changes);
    RETURN NULL;
END
$fn$;

CREATE FUNCTION reporting_create_trend_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        CREATE TABLE %1$I.officer_month_deltas (
            unit_id              text    NOT NULL,
            month                date    NOT NULL,  -- the 1st of the month
            headcount            integer NOT NULL,
            dedicated            integer NOT NULL,
            information_security integer NOT NULL,
            PRIMARY KEY (unit_id, month)
        );
        INSERT INTO %1$I.officer_month_deltas
        SELECT unit_id, month, sum(sign), coalesce(sum(sign) FILTER (WHERE dedicated), 0),
               coalesce(sum(sign) FILTER (WHERE infosec), 0)
        FROM (SELECT unit_id, date_trunc('month', valid_from)::date AS month, 1 AS sign,
                     assignment = 'dedicated' AS dedicated, 'information_security' = ANY (functions) AS infosec
              FROM %1$I.officer_periods
              UNION ALL
              SELECT unit_id, date_trunc('month', valid_to + 1)::date, -1,
                     assignment = 'dedicated', 'information_security' = ANY (functions)
              FROM %1$I.officer_periods WHERE valid_to IS NOT NULL) x
        GROUP BY unit_id, month;
        CREATE TRIGGER month_deltas_insert AFTER INSERT ON %1$I.officer_periods
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_officer_month_deltas();
        CREATE TRIGGER month_deltas_update AFTER UPDATE ON %1$I.officer_periods
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION reporting_officer_month_deltas();
        CREATE TRIGGER month_deltas_delete AFTER DELETE ON %1$I.officer_periods
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_officer_month_deltas();
    $ddl$, target);
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
END
$fn$;

SELECT reporting_create_trend_tables(active_schema) FROM projection_state;
