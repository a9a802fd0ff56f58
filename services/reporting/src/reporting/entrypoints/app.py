"""ASGI entry point: `cds-serve reporting.entrypoints.app:app` (or any ASGI server)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cds_contracts import REGISTRY, Registry
from cds_plumbing.runtime import create_service_app
from reporting.adapters.projection_schema import use_active_schema
from reporting.config import Settings
from reporting.entrypoints import (
    api,
    api_exports,
    api_former_provinces,
    api_overview,
    api_readiness,
    api_recruitment,
    api_snapshots,
    api_training,
    api_trends,
    dashboard,
)
from reporting.entrypoints.subscribers import make_consumer

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def build_app(settings: Settings, *, registry: Registry = REGISTRY) -> FastAPI:
    """The service app; tests pass their own settings and a registry mapping events to fresh topics."""
    consumer = make_consumer(settings.consumer_name, before_batch=use_active_schema, registry=registry)
    api_routers = [
        api.router,
        api_training.router,
        api_recruitment.router,
        api_readiness.router,
        api_overview.router,
        api_exports.router,
        api_trends.router,
        api_snapshots.router,
        api_former_provinces.router,
    ]
    app = create_service_app(
        settings, title="Reporting service", migrations=MIGRATIONS, consumers=[consumer], routers=api_routers
    )
    app.state.projection_source = api.ProjectionSource(consumer.name, tuple(consumer.topics))
    app.state.dashboard_settings = settings
    app.include_router(dashboard.router)  # the page and its files are open; every figure it shows needs a token
    return app


app = build_app(Settings())
