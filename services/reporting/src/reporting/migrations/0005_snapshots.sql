-- Named snapshots: a report's view bodies frozen at the time it was sent (e.g. the quarterly report to
-- the province). The table lives in public, not in a proj_<n> schema, so rebuilding and swapping the
-- projections never touches it; later events change the live views, never a snapshot.
CREATE TABLE public.report_snapshots (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title      text        NOT NULL,
    note       text,
    as_of      date        NOT NULL,
    -- the slice and, per view, the path and query it was read with
    params     jsonb       NOT NULL,
    -- view name -> the body that view answered; a snapshot keeps the views it had when it was taken
    views      jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL
);
CREATE INDEX ON public.report_snapshots (created_at);
