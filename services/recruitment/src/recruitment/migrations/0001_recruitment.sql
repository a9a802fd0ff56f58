-- Recruitment's own data, and its read models of personnel's org units and departures.
-- Candidates' personal data live only here: events carry ids, stages and dates (CandidateHired excepted).

-- Read model of personnel's org-unit tree (current state, last event wins), for plan limits and unit scope.
CREATE TABLE org_units (
    unit_id       text PRIMARY KEY,
    name_vi       text NOT NULL,
    kind          text NOT NULL,
    level         text NOT NULL,
    parent_id     text,
    valid_from    date NOT NULL,
    ceased_on     date,          -- first day the unit no longer exists (merge, split, dissolution)
    successor_id  text,          -- the unit that continues it after a merge
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE staffing_plans (
    unit_id               text NOT NULL,
    year                  integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    it_technical          integer NOT NULL CHECK (it_technical >= 0),
    information_security  integer NOT NULL CHECK (information_security >= 0),
    data                  integer NOT NULL CHECK (data >= 0),
    leadership            integer NOT NULL CHECK (leadership >= 0),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, year)
);
CREATE INDEX staffing_plans_year ON staffing_plans (year);

CREATE TABLE incentive_policies (
    policy_id              text PRIMARY KEY,
    name                   text NOT NULL,
    document_number        text NOT NULL,
    document_date          date NOT NULL,
    monthly_allowance_vnd  bigint NOT NULL CHECK (monthly_allowance_vnd >= 0),
    housing                boolean NOT NULL,
    training_sponsorship   boolean NOT NULL,
    other_benefits         text,
    eligibility            text NOT NULL,
    effective_from         date NOT NULL,
    effective_to           date,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);

CREATE TABLE vacancies (
    vacancy_id  text PRIMARY KEY,
    unit_id     text NOT NULL,
    function    text NOT NULL,
    positions   integer NOT NULL CHECK (positions >= 1),
    title       text,
    opened_on   date NOT NULL,
    closes_on   date,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'cancelled', 'expired')),
    closed_on   date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_on IS NULL OR closes_on >= opened_on)
);
CREATE INDEX vacancies_unit ON vacancies (unit_id);
CREATE INDEX vacancies_status ON vacancies (status);

CREATE TABLE vacancy_policies (
    vacancy_id  text NOT NULL REFERENCES vacancies,
    policy_id   text NOT NULL REFERENCES incentive_policies,
    position    integer NOT NULL,
    PRIMARY KEY (vacancy_id, policy_id)
);

CREATE TABLE candidates (
    candidate_id  text PRIMARY KEY,
    full_name     text NOT NULL,
    birth_year    integer,
    gender        text,
    email         text,
    phone         text,
    degree        text,
    degree_field  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX candidates_email ON candidates (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE applications (
    application_id       text PRIMARY KEY,
    vacancy_id           text NOT NULL REFERENCES vacancies,
    candidate_id         text NOT NULL REFERENCES candidates,
    stage                text NOT NULL,
    applied_at           timestamptz NOT NULL,
    stage_changed_at     timestamptz NOT NULL,
    -- The hire: requested by recruitment, answered by personnel (pending -> appointed | refused).
    hire_status          text CHECK (hire_status IN ('pending', 'appointed', 'refused')),
    employment_category  text,
    assignment           text,
    functions            text[],
    hired_on             date,
    hire_requested_at    timestamptz,
    officer_id           text,
    hire_outcome_reason  text,
    hire_outcome_at      timestamptz,
    UNIQUE (vacancy_id, candidate_id)
);
CREATE INDEX applications_stage ON applications (vacancy_id, stage);
CREATE INDEX applications_hire_status ON applications (hire_status) WHERE hire_status IS NOT NULL;

CREATE TABLE application_stages (
    id              bigserial PRIMARY KEY,
    application_id  text NOT NULL REFERENCES applications,
    from_stage      text,        -- NULL for the submission
    to_stage        text NOT NULL,
    changed_at      timestamptz NOT NULL,
    reason          text,
    actor           text
);
CREATE INDEX application_stages_application ON application_stages (application_id, id);

-- Read model of departures recorded in personnel (OfficerDeparted, corrected by OfficerCorrected).
CREATE TABLE departures (
    officer_id      text PRIMARY KEY,
    unit_id         text NOT NULL,
    departure_date  date NOT NULL,
    reason          text NOT NULL,
    destination     text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX departures_unit ON departures (unit_id);

CREATE TABLE exit_interviews (
    interview_id    text PRIMARY KEY,
    officer_id      text NOT NULL UNIQUE REFERENCES departures,
    unit_id         text NOT NULL,
    departure_date  date NOT NULL,
    reasons         text[] NOT NULL,
    interviewed_on  date NOT NULL,
    notes           text,
    actor           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
