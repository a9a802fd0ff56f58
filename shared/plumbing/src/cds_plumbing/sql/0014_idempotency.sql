-- Idempotency-Key (IETF httpapi draft): the first successful answer to a keyed create, stored in the same
-- transaction as the write it reports, replayed for a retry with the same key and body.
CREATE TABLE idempotency_keys (
    principal   text NOT NULL,           -- the token's subject: one client's keys never meet another's
    key         text NOT NULL,
    fingerprint text NOT NULL,           -- sha256 of method, path, query and body
    status      integer NOT NULL,
    headers     jsonb NOT NULL,          -- [[name, value], ...] worth replaying (content-type, location)
    body        bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
