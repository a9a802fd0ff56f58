-- Personnel's own data. Dated rows use inclusive valid_from and valid_to (NULL = still valid): a
-- change effective on day d closes the current row on d - 1 and opens a new one on d.

CREATE TABLE org_units (
    unit_id     text PRIMARY KEY,
    valid_from  date NOT NULL,
    valid_to    date,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org_unit_versions (
    unit_id     text NOT NULL REFERENCES org_units,
    valid_from  date NOT NULL,
    valid_to    date,
    name_vi     text NOT NULL,
    name_en     text,
    kind        text NOT NULL,
    level       text NOT NULL,
    parent_id   text REFERENCES org_units,
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX org_unit_versions_parent ON org_unit_versions (parent_id);

CREATE TABLE org_unit_lineage (
    predecessor_id  text NOT NULL REFERENCES org_units,
    successor_id    text NOT NULL REFERENCES org_units,
    change          text NOT NULL CHECK (change IN ('merge', 'split')),
    effective_date  date NOT NULL,
    PRIMARY KEY (predecessor_id, successor_id)
);

CREATE TABLE officers (
    officer_id            text PRIMARY KEY,
    full_name             text NOT NULL,
    birth_year            integer,
    gender                text,
    employment_category   text NOT NULL,
    appointed_on          date NOT NULL,
    departed_on           date,
    departure_reason      text,
    departure_destination text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE officer_periods (
    officer_id  text NOT NULL REFERENCES officers,
    valid_from  date NOT NULL,
    valid_to    date,
    unit_id     text NOT NULL REFERENCES org_units,
    assignment  text NOT NULL,
    functions   text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (officer_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX officer_periods_unit ON officer_periods (unit_id);

CREATE TABLE officer_qualifications (
    id            bigserial PRIMARY KEY,
    officer_id    text NOT NULL REFERENCES officers,
    degree_level  text NOT NULL,
    field         text NOT NULL,
    year          integer
);

CREATE TABLE officer_certificates (
    certificate_id  text PRIMARY KEY,
    officer_id      text NOT NULL REFERENCES officers,
    name            text NOT NULL,
    issuer          text NOT NULL,
    issued_on       date NOT NULL,
    expires_on      date
);

CREATE TABLE community_teams (
    team_id         text PRIMARY KEY,
    village         text,
    established_on  date NOT NULL
);

CREATE TABLE community_team_periods (
    team_id     text NOT NULL REFERENCES community_teams,
    valid_from  date NOT NULL,
    valid_to    date,
    commune_id  text NOT NULL REFERENCES org_units,
    PRIMARY KEY (team_id, valid_from)
);
CREATE INDEX community_team_periods_commune ON community_team_periods (commune_id);

CREATE TABLE community_team_members (
    team_id      text NOT NULL REFERENCES community_teams,
    member_id    text NOT NULL,
    full_name    text NOT NULL,
    affiliation  text NOT NULL,
    role         text NOT NULL,
    joined_on    date NOT NULL,
    left_on      date,
    PRIMARY KEY (team_id, member_id)
);
