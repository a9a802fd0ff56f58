"""The read side's use cases: the views (one function per view, reading one consistent snapshot of the
projections through adapters/), the export table specs and the named snapshots. Reporting has no
commands of its own: its projections are written by the event subscribers (entrypoints/events/)."""
