-- Training's own data: the programme catalogue, yearly plans with their revisions, classes with
-- enrolments, attendance, results and certificates, drills with findings, and the read model of
-- officers and units built from personnel's events (event-carried state; never asked of personnel).

CREATE TABLE programmes (
    programme_id                text PRIMARY KEY,
    name_vi                     text NOT NULL,
    name_en                     text,
    kind                        text NOT NULL,
    level                       text NOT NULL,
    hours                       double precision NOT NULL CHECK (hours > 0),
    provider                    text NOT NULL,
    issues_certificate          boolean NOT NULL,
    certificate_validity_months integer CHECK (certificate_validity_months IS NULL OR certificate_validity_months >= 1),
    created_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plans (
    year        integer PRIMARY KEY,
    decision    text,
    revision    integer NOT NULL,
    targets     jsonb NOT NULL,
    adopted_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plan_revisions (
    year         integer NOT NULL REFERENCES plans,
    revision     integer NOT NULL,
    targets      jsonb NOT NULL,
    reason       text,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, revision)
);

CREATE TABLE classes (
    class_id           text PRIMARY KEY,
    programme_id       text NOT NULL REFERENCES programmes,
    plan_year          integer NOT NULL,
    title              text NOT NULL,
    starts_on          date NOT NULL,
    ends_on            date NOT NULL,
    place              text,
    organiser_unit_id  text NOT NULL,
    capacity           integer NOT NULL CHECK (capacity >= 1),
    target_levels      text[] NOT NULL DEFAULT '{}',
    advanced           boolean NOT NULL,
    status             text NOT NULL CHECK (status IN ('scheduled', 'running', 'completed', 'cancelled')),
    started_on         date,
    completed_on       date,
    cancelled_on       date,
    cancel_reason      text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX classes_plan_year ON classes (plan_year);
CREATE INDEX classes_organiser ON classes (organiser_unit_id);

CREATE TABLE enrolments (
    class_id      text NOT NULL REFERENCES classes,
    officer_id    text NOT NULL,
    unit_id       text NOT NULL,
    level         text NOT NULL,
    enrolled_on   date NOT NULL,
    status        text NOT NULL CHECK (status IN ('enrolled', 'withdrawn')),
    withdrawn_on  date,
    PRIMARY KEY (class_id, officer_id)
);
CREATE INDEX enrolments_officer ON enrolments (officer_id);

CREATE TABLE attendance (
    class_id    text NOT NULL,
    officer_id  text NOT NULL,
    session_on  date NOT NULL,
    present     boolean NOT NULL,
    hours       double precision NOT NULL CHECK (hours >= 0),
    PRIMARY KEY (class_id, officer_id, session_on),
    FOREIGN KEY (class_id, officer_id) REFERENCES enrolments
);

CREATE TABLE results (
    class_id      text NOT NULL,
    officer_id    text NOT NULL,
    passed        boolean NOT NULL,
    score         double precision CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    hours         double precision NOT NULL CHECK (hours >= 0),
    completed_on  date NOT NULL,
    PRIMARY KEY (class_id, officer_id),
    FOREIGN KEY (class_id, officer_id) REFERENCES enrolments
);

CREATE TABLE certificates (
    certificate_id  text PRIMARY KEY,
    class_id        text NOT NULL REFERENCES classes,
    officer_id      text NOT NULL,
    programme_id    text NOT NULL REFERENCES programmes,
    name            text NOT NULL,
    issued_on       date NOT NULL,
    expires_on      date,
    UNIQUE (class_id, officer_id)
);
CREATE INDEX certificates_officer ON certificates (officer_id);

CREATE TABLE drills (
    drill_id     text PRIMARY KEY,
    title        text NOT NULL,
    scenario     text NOT NULL,
    format       text NOT NULL CHECK (format IN ('tabletop', 'live_fire', 'simulation')),
    held_on      date NOT NULL,
    plan_year    integer NOT NULL,
    unit_ids     text[] NOT NULL,
    officer_ids  text[] NOT NULL DEFAULT '{}',
    objectives   text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE drill_findings (
    finding_id     text PRIMARY KEY,
    drill_id       text NOT NULL REFERENCES drills,
    description    text NOT NULL,
    owner_unit_id  text NOT NULL,
    due_on         date NOT NULL,
    closed_on      date,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drill_findings_drill ON drill_findings (drill_id);

-- Read model from personnel's events. Rows may be created by whichever event arrives first (topics are
-- not ordered with each other), so everything but the id is nullable and filled in as events arrive.
CREATE TABLE known_units (
    unit_id        text PRIMARY KEY,
    name_vi        text,
    kind           text,
    level          text,
    parent_id      text,
    valid_from     date,
    ended_on       date,
    successor_ids  text[] NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_units_parent ON known_units (parent_id);

CREATE TABLE known_officers (
    officer_id    text PRIMARY KEY,
    full_name     text,
    unit_id       text,
    appointed_on  date,
    departed_on   date,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_officers_unit ON known_officers (unit_id);
