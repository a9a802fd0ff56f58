-- The relay wakes on NOTIFY cds_outbox. A statement trigger sends it as part of the INSERT, so a command
-- pays no round trip of its own for it; like any NOTIFY it is delivered at commit only (never for a
-- rolled-back event) and once per transaction however many rows were appended.
CREATE FUNCTION cds_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('cds_outbox', '');
    RETURN NULL;
END
$fn$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION cds_outbox_notify();
