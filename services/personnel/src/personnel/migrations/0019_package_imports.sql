-- Province packages (issue #19): one record per package import, readable by province_admin. It holds
-- counts and codes only, no personal data (the rows themselves are in the domain tables).
CREATE TABLE package_imports (
    import_id    uuid        PRIMARY KEY,
    actor        text,                     -- the token's subject (an opaque id)
    file_name    text        NOT NULL,
    sha256       text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    status       text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    phase        text        NOT NULL,     -- queued, checking, writing <kind>, done, failed
    rows_total   integer     NOT NULL,
    rows_done    integer     NOT NULL DEFAULT 0,
    counts       jsonb       NOT NULL,     -- rows per kind
    error        text,                     -- why a run failed (nothing of it was written)
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX package_imports_started ON package_imports (started_at DESC);
