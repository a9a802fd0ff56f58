-- Who processed whose personal data (Decree 13/2023/ND-CP, Law 91/2025/QH15): one row per API response
-- that showed personal fields, and one per erasure. Append-only, enforced here rather than trusted to
-- the application: UPDATE, DELETE and TRUNCATE raise. (Numbered 0013 after issue #13, so that plumbing
-- migrations added on parallel branches do not collide.)
CREATE TABLE personal_data_access (
    id             bigserial   PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text        NOT NULL,   -- the token's subject
    role           text        NOT NULL,
    operation      text        NOT NULL,   -- 'GET /api/v1/officers/{officer_id}', 'erasure', 'retention'
    path           text        NOT NULL,   -- the concrete path asked for
    subject_kinds  text[]      NOT NULL,   -- officer, community_member, candidate
    subject_ids    text[]      NOT NULL,
    trace_id       text
);
CREATE INDEX personal_data_access_subjects ON personal_data_access USING gin (subject_ids);
CREATE INDEX personal_data_access_actor ON personal_data_access (actor, at);
CREATE INDEX personal_data_access_at ON personal_data_access (at);

CREATE FUNCTION personal_data_access_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'personal_data_access is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER personal_data_access_no_change BEFORE UPDATE OR DELETE ON personal_data_access
    FOR EACH ROW EXECUTE FUNCTION personal_data_access_is_append_only();
CREATE TRIGGER personal_data_access_no_truncate BEFORE TRUNCATE ON personal_data_access
    FOR EACH STATEMENT EXECUTE FUNCTION personal_data_access_is_append_only();

-- A NULL payload is a tombstone: the relay publishes a record with a null value, which makes a compacted
-- profile topic forget the key and every consumer delete its local copy.
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
