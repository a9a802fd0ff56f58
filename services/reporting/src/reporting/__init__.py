"""Reporting: provincial projections and dashboards."""
