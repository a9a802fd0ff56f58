-- Training projections. The schema-creating function is split in two, so a rebuild creates both the
-- personnel and the training tables, and the training tables are added to the schema live today.
ALTER FUNCTION reporting_create_projection_schema(text) RENAME TO reporting_create_personnel_projection;

CREATE FUNCTION reporting_create_training_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        -- The current revision of each year's plan.
        CREATE TABLE %1$I.training_plans (
            year              integer PRIMARY KEY,
            revision          integer NOT NULL,
            classes           integer NOT NULL,
            trainees_province integer NOT NULL,
            trainees_district integer NOT NULL,
            trainees_commune  integer NOT NULL,
            advanced_classes  integer NOT NULL,
            advanced_trainees integer NOT NULL,
            drills            integer NOT NULL
        );
        CREATE TABLE %1$I.training_classes (
            class_id          text PRIMARY KEY,
            programme_id      text NOT NULL,
            programme_kind    text NOT NULL,
            advanced          boolean NOT NULL,
            plan_year         integer NOT NULL,
            title             text NOT NULL,
            starts_on         date NOT NULL,
            ends_on           date NOT NULL,
            organiser_unit_id text NOT NULL,
            capacity          integer NOT NULL,
            status            text NOT NULL,
            completed_on      date,
            cancelled_on      date
        );
        CREATE INDEX ON %1$I.training_classes (plan_year);
        CREATE TABLE %1$I.training_enrolments (
            class_id     text NOT NULL,
            officer_id   text NOT NULL,
            unit_id      text NOT NULL,
            level        text NOT NULL,
            enrolled_on  date NOT NULL,
            withdrawn_on date,
            passed       boolean,
            score        double precision,
            hours        double precision,
            completed_on date,
            PRIMARY KEY (class_id, officer_id)
        );
        CREATE INDEX ON %1$I.training_enrolments (officer_id);
        CREATE TABLE %1$I.training_certificates (
            certificate_id text PRIMARY KEY,
            class_id       text NOT NULL,
            officer_id     text NOT NULL,
            programme_kind text NOT NULL,
            name           text NOT NULL,
            issued_on      date NOT NULL,
            expires_on     date
        );
        CREATE TABLE %1$I.drills (
            drill_id    text PRIMARY KEY,
            title       text NOT NULL,
            format      text NOT NULL,
            held_on     date NOT NULL,
            plan_year   integer NOT NULL,
            unit_ids    text[] NOT NULL,
            officer_ids text[] NOT NULL
        );
        CREATE TABLE %1$I.drill_findings (
            finding_id    text PRIMARY KEY,
            drill_id      text NOT NULL,
            owner_unit_id text NOT NULL,
            description   text NOT NULL,
            due_on        date NOT NULL,
            closed_on     date
        );
    $ddl$, target);
END
$fn$;

CREATE FUNCTION reporting_create_projection_schema(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM reporting_create_personnel_projection(target);
    PERFORM reporting_create_training_tables(target);
END
$fn$;

SELECT reporting_create_training_tables(active_schema) FROM projection_state;
