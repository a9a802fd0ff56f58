"""Operator commands behind `cds-platform`: topic checks, dead-letter listing and replay, outbox backlog."""
