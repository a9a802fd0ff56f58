"""Pure domain models and rules: no I/O imports here."""
