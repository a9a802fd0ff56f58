-- Whether the outbox relay is failing, since when and why, for `cds-platform outbox backlog`: written in a
-- transaction of its own when a pass fails, cleared by the next pass that publishes. One row per database
-- (the relays of all replicas share it). Numbered after issue 17 so parallel branches do not collide.
CREATE TABLE outbox_relay_status (
    singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    failing_since   timestamptz,
    failed_passes   integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_failure_at timestamptz,
    recovered_at    timestamptz
);
