-- Incident-response team projections, added like the training ones (see 0002).
CREATE FUNCTION reporting_create_response_team_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        CREATE TABLE %1$I.response_teams (
            team_id text PRIMARY KEY, name text NOT NULL, scope text NOT NULL, unit_id text NOT NULL,
            formed_on date NOT NULL
        );
        CREATE TABLE %1$I.response_team_members (
            team_id text NOT NULL, officer_id text NOT NULL, role text NOT NULL,
            joined_on date NOT NULL, left_on date, left_reason text,
            PRIMARY KEY (team_id, officer_id, joined_on)
        );
        CREATE TABLE %1$I.oncall_shifts (
            shift_id text PRIMARY KEY, team_id text NOT NULL, starts_at timestamptz NOT NULL,
            ends_at timestamptz NOT NULL, primary_officer_id text NOT NULL, backup_officer_id text,
            cancelled boolean NOT NULL DEFAULT false
        );
        CREATE INDEX ON %1$I.oncall_shifts (team_id, starts_at);
        CREATE TABLE %1$I.incidents (
            incident_id text PRIMARY KEY, team_id text NOT NULL, reported_at timestamptz NOT NULL,
            severity text NOT NULL, affected_unit_id text NOT NULL, acknowledged_at timestamptz,
            resolved_at timestamptz, outcome text
        );
    $ddl$, target);
END
$fn$;

CREATE OR REPLACE FUNCTION reporting_create_projection_schema(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM reporting_create_personnel_projection(target);
    PERFORM reporting_create_training_tables(target);
    PERFORM reporting_create_recruitment_tables(target);
    PERFORM reporting_create_response_team_tables(target);
END
$fn$;

SELECT reporting_create_response_team_tables(active_schema) FROM projection_state;
