-- Personal data (issue #13). Erasure pseudonymises a person in place: the personal fields become NULL
-- and erased_at says when, while ids, units, dates and codes stay, so every figure is unchanged.
ALTER TABLE officers ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE officers ADD COLUMN erased_at timestamptz;
ALTER TABLE community_team_members ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE community_team_members ADD COLUMN erased_at timestamptz;
CREATE INDEX community_team_members_member ON community_team_members (member_id);

-- Why each correction was made (v1 of OfficerCorrected carried the note onto Kafka; v2 does not).
CREATE TABLE officer_corrections (
    id            bigserial   PRIMARY KEY,
    officer_id    text        NOT NULL REFERENCES officers,
    fields        text[]      NOT NULL,
    note          text,                    -- NULL once the officer is erased
    actor         text,
    corrected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officer_corrections_officer ON officer_corrections (officer_id);

-- The recruitment -> personnel hire hand-off: CandidateHired (v2, ids only) and the candidate's record
-- on recruitment.candidate-profile arrive on two topics in either order; whichever comes second appoints.
CREATE TABLE pending_hires (
    application_id  text        PRIMARY KEY,
    candidate_id    text        NOT NULL,
    hire            jsonb       NOT NULL,  -- the CandidateHired v2 payload (no personal data)
    event_id        uuid        NOT NULL,  -- causation of the appointment
    correlation_id  uuid,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_hires_candidate ON pending_hires (candidate_id);
CREATE TABLE candidate_profiles (
    candidate_id  text        PRIMARY KEY,
    full_name     text        NOT NULL,
    birth_year    integer,
    gender        text,
    received_at   timestamptz NOT NULL DEFAULT now()
);

-- Officers appointed before profiles existed get theirs published once, so consumers that show names
-- (training) learn them from the profile topic rather than from v1 events they no longer store them from.
WITH profiles AS (
    SELECT officer_id, full_name, gen_random_uuid() AS id FROM officers WHERE full_name IS NOT NULL
)
INSERT INTO outbox (event_id, topic, key, event_type, event_version, payload, headers)
SELECT p.id, 'personnel.officer-profile', p.officer_id, 'vn.cds.personnel.officer_profile.stated', 1,
       jsonb_build_object('officer_id', p.officer_id, 'full_name', p.full_name),
       jsonb_build_object('event_id', p.id, 'type', 'vn.cds.personnel.officer_profile.stated', 'version', 1,
                          'occurred_at', to_jsonb(now()), 'source', '/personnel', 'subject', p.officer_id,
                          'actor', 'migration', 'correlation_id', NULL, 'causation_id', NULL,
                          'traceparent', NULL, 'tracestate', NULL)
FROM profiles p ORDER BY p.officer_id;
