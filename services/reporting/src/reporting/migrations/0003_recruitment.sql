-- Recruitment and attrition projections, added like the training ones (see 0002).
CREATE FUNCTION reporting_create_recruitment_tables(target text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF target !~ '^proj_[0-9]+$' THEN
        RAISE EXCEPTION 'projection schema names look like proj_<n>, not %', target;
    END IF;
    EXECUTE format($ddl$
        CREATE TABLE %1$I.staffing_plans (
            unit_id text NOT NULL, year integer NOT NULL,
            it_technical integer NOT NULL, information_security integer NOT NULL,
            data integer NOT NULL, leadership integer NOT NULL,
            PRIMARY KEY (unit_id, year)
        );
        CREATE TABLE %1$I.incentive_policies (
            policy_id text PRIMARY KEY, name text NOT NULL, document_number text NOT NULL,
            monthly_allowance_vnd bigint NOT NULL, effective_from date NOT NULL, effective_to date
        );
        CREATE TABLE %1$I.vacancies (
            vacancy_id text PRIMARY KEY, unit_id text NOT NULL, function text NOT NULL,
            positions integer NOT NULL, policy_ids text[] NOT NULL,
            opened_on date NOT NULL, closes_on date, closed_on date, outcome text
        );
        CREATE TABLE %1$I.applications (
            application_id text PRIMARY KEY, vacancy_id text NOT NULL, applied_at timestamptz NOT NULL,
            stage text NOT NULL
        );
        -- Each stage an application reached, with when: the funnel counts these.
        CREATE TABLE %1$I.application_stages (
            application_id text NOT NULL, stage text NOT NULL, reached_at timestamptz NOT NULL,
            PRIMARY KEY (application_id, stage)
        );
        CREATE TABLE %1$I.hires (
            application_id text PRIMARY KEY, vacancy_id text NOT NULL, unit_id text NOT NULL,
            function text NOT NULL, policy_ids text[] NOT NULL, hired_on date NOT NULL,
            officer_id text, appointed boolean, refusal_reason text
        );
        -- Officers personnel appointed because of a hire (OfficerAppointed with an application id).
        CREATE TABLE %1$I.officer_hires (
            officer_id text PRIMARY KEY, application_id text NOT NULL, hired_on date NOT NULL
        );
        CREATE TABLE %1$I.exit_interviews (
            interview_id text PRIMARY KEY, officer_id text NOT NULL, departure_date date NOT NULL,
            reasons text[] NOT NULL, interviewed_on date NOT NULL
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
END
$fn$;

SELECT reporting_create_recruitment_tables(active_schema) FROM projection_state;
