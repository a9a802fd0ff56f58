"""Command-line entry points: reporting-rebuild."""
