-- Reporting's projections live in a PostgreSQL schema named by projection_state, so that a rebuild
-- can fill a fresh schema (proj_<n+1>) from offset 0 and swap it in with one UPDATE. The DDL of a
-- projection schema is the function below: the single source for the first schema and every rebuild.
-- Periods are inclusive [valid_from, valid_to]; valid_to NULL = still valid. No foreign keys across
-- aggregates: events of different keys arrive in any order.
CREATE TABLE projection_state (
    singleton     boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    active_schema text        NOT NULL CHECK (active_schema ~ '^proj_[0-9]+$'),
    switched_at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION reporting_create_projection_schema(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format('CREATE SCHEMA %I', target);
    EXECUTE format($ddl$
        CREATE TABLE %1$I.unit_versions (
            unit_id    text NOT NULL,
            valid_from date NOT NULL,
            valid_to   date,
            name_vi    text NOT NULL,
            name_en    text,
            kind       text NOT NULL,
            level      text NOT NULL,
            parent_id  text,
            PRIMARY KEY (unit_id, valid_from)
        );
        CREATE INDEX ON %1$I.unit_versions (parent_id);
        -- A merge/split/dissolution may be read before the unit's own registration (another key):
        -- remembering it lets every later version of the unit be capped at ceased_on - 1.
        CREATE TABLE %1$I.unit_cessations (
            unit_id   text PRIMARY KEY,
            ceased_on date NOT NULL
        );
        CREATE TABLE %1$I.unit_lineage (
            predecessor_id text NOT NULL,
            successor_id   text NOT NULL,
            kind           text NOT NULL CHECK (kind IN ('merge', 'split')),
            effective_date date NOT NULL,
            PRIMARY KEY (predecessor_id, successor_id, kind, effective_date)
        );
        CREATE INDEX ON %1$I.unit_lineage (successor_id);
        CREATE TABLE %1$I.officers (
            officer_id            text PRIMARY KEY,
            full_name             text NOT NULL,
            birth_year            integer,
            gender                text,
            employment_category   text NOT NULL,
            departure_date        date,
            departure_reason      text,
            departure_destination text
        );
        CREATE TABLE %1$I.officer_periods (
            officer_id text   NOT NULL,
            valid_from date   NOT NULL,
            valid_to   date,
            unit_id    text   NOT NULL,
            assignment text   NOT NULL,
            functions  text[] NOT NULL,
            PRIMARY KEY (officer_id, valid_from)
        );
        CREATE INDEX ON %1$I.officer_periods (unit_id);
        CREATE TABLE %1$I.officer_qualifications (
            event_id     uuid PRIMARY KEY,
            officer_id   text NOT NULL,
            degree_level text NOT NULL,
            field        text NOT NULL,
            year         integer
        );
        CREATE TABLE %1$I.officer_certificates (
            officer_id     text NOT NULL,
            certificate_id text NOT NULL,
            name           text NOT NULL,
            issuer         text NOT NULL,
            issued_on      date NOT NULL,
            expires_on     date,
            PRIMARY KEY (officer_id, certificate_id)
        );
        CREATE TABLE %1$I.team_periods (
            team_id    text NOT NULL,
            valid_from date NOT NULL,
            valid_to   date,
            commune_id text NOT NULL,
            village    text,
            PRIMARY KEY (team_id, valid_from)
        );
        CREATE INDEX ON %1$I.team_periods (commune_id);
        CREATE TABLE %1$I.team_memberships (
            team_id     text NOT NULL,
            member_id   text NOT NULL,
            valid_from  date NOT NULL,
            valid_to    date,
            affiliation text NOT NULL,
            role        text NOT NULL,
            PRIMARY KEY (team_id, member_id, valid_from)
        );
    $ddl$, target);
END
$fn$;

SELECT reporting_create_projection_schema('proj_1');
INSERT INTO projection_state (active_schema) VALUES ('proj_1');
