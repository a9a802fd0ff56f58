"""ASGI entry point: `cds-serve reporting.entrypoints.app:app` (or any ASGI server)."""

from __future__ import annotations

from fastapi import FastAPI

from cds_contracts import REGISTRY, Registry
from cds_plumbing.migrations import packaged_migrations
from cds_plumbing.runtime import create_service_app
from reporting.adapters.projection_schema import use_active_schema
from reporting.config import Settings
from reporting.entrypoints.events.subscribers import make_consumer
from reporting.entrypoints.http import catalogue, dashboard
from reporting.entrypoints.http import exports as api_exports
from reporting.entrypoints.http import former_provinces as api_former_provinces
from reporting.entrypoints.http import overview as api_overview
from reporting.entrypoints.http import readiness as api_readiness
from reporting.entrypoints.http import recruitment as api_recruitment
from reporting.entrypoints.http import snapshots as api_snapshots
from reporting.entrypoints.http import training as api_training
from reporting.entrypoints.http import trends as api_trends
from reporting.entrypoints.http import units as api
from reporting.entrypoints.http.errors import install_view_errors

MIGRATIONS = packaged_migrations("reporting")  # package data: found in a wheel as in a checkout


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
        catalogue.router,
        api_former_provinces.router,
    ]
    app = create_service_app(
        settings, title="Reporting service", migrations=MIGRATIONS, consumers=[consumer], routers=api_routers
    )
    install_view_errors(app)  # an unknown unit is one 404 wherever a view raises it
    app.state.projection_source = api.ProjectionSource(consumer.name, tuple(consumer.topics))
    app.state.dashboard_settings = settings
    app.include_router(dashboard.router)  # the page and its files are open; every figure it shows needs a token
    return app


app = build_app(Settings())
