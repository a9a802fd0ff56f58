-- Incident-response teams (đội ứng cứu sự cố an toàn thông tin mạng): members, on-call shifts and
-- incidents. A membership counts from joined_on up to the day before left_on (the first day it no
-- longer counts); shifts are [starts_at, ends_at).

CREATE TABLE response_teams (
    team_id     text PRIMARY KEY,
    name        text NOT NULL,
    scope       text NOT NULL CHECK (scope IN ('provincial', 'unit')),
    unit_id     text NOT NULL REFERENCES org_units,
    formed_on   date NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Only one provincial team.
CREATE UNIQUE INDEX response_teams_one_provincial ON response_teams (scope) WHERE scope = 'provincial';
CREATE INDEX response_teams_unit ON response_teams (unit_id);

CREATE TABLE response_team_members (
    team_id      text NOT NULL REFERENCES response_teams,
    officer_id   text NOT NULL REFERENCES officers,
    role         text NOT NULL CHECK (role IN ('lead', 'coordinator', 'analyst', 'network_admin', 'liaison')),
    joined_on    date NOT NULL,
    left_on      date,
    left_reason  text CHECK (left_reason IN ('left', 'departed')),
    PRIMARY KEY (team_id, officer_id, joined_on),
    CHECK (left_on IS NULL OR left_on > joined_on),
    CHECK ((left_on IS NULL) = (left_reason IS NULL))
);
-- At most one active membership per officer and team.
CREATE UNIQUE INDEX response_team_members_active ON response_team_members (team_id, officer_id) WHERE left_on IS NULL;
CREATE INDEX response_team_members_officer ON response_team_members (officer_id) WHERE left_on IS NULL;

CREATE TABLE response_team_shifts (
    shift_id            text PRIMARY KEY,
    team_id             text NOT NULL REFERENCES response_teams,
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    primary_officer_id  text NOT NULL REFERENCES officers,
    backup_officer_id   text REFERENCES officers,
    cancelled_at        timestamptz,
    cancel_reason       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (backup_officer_id IS NULL OR backup_officer_id <> primary_officer_id)
);
CREATE INDEX response_team_shifts_team_time ON response_team_shifts (team_id, starts_at);

CREATE TABLE response_team_incidents (
    incident_id       text PRIMARY KEY,
    team_id           text NOT NULL REFERENCES response_teams,
    reported_at       timestamptz NOT NULL,
    severity          text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    affected_unit_id  text NOT NULL REFERENCES org_units,
    summary           text NOT NULL,
    acknowledged_at   timestamptz,
    responder_ids     text[] NOT NULL DEFAULT '{}',
    resolved_at       timestamptz,
    outcome           text CHECK (outcome IN ('true_positive', 'false_positive', 'other')),
    CHECK (acknowledged_at IS NULL OR acknowledged_at >= reported_at),
    CHECK (resolved_at IS NULL OR (acknowledged_at IS NOT NULL AND resolved_at >= acknowledged_at)),
    CHECK ((resolved_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX response_team_incidents_team_time ON response_team_incidents (team_id, reported_at);
