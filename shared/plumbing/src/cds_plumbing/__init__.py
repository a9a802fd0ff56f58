"""Common plumbing of the CĐS workforce services (no domain logic lives here)."""
