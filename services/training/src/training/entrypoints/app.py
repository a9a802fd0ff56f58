"""ASGI entry point: `cds-serve training.entrypoints.app:app` (or any ASGI server)."""

from __future__ import annotations

from fastapi import FastAPI

from cds_plumbing.http import install_domain_errors
from cds_plumbing.migrations import packaged_migrations
from cds_plumbing.runtime import create_service_app
from training.adapters.directory_repo import DirectoryRepository
from training.config import Settings
from training.domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError

from . import api_classes, api_directory, api_drills, api_plans, api_programmes
from .subscribers import make_consumer

MIGRATIONS = packaged_migrations("training")  # package data: found in a wheel as in a checkout


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def unit_scope(scope_unit: str, target_unit: str) -> bool:
        """A unit editor may write in its unit and every unit under it in the tree training knows."""
        if scope_unit == target_unit:
            return True
        async with app.state.runtime.pool.acquire() as conn:
            return target_unit in await DirectoryRepository(conn).descendants(scope_unit)

    async def unit_subtree(scope_unit: str) -> frozenset[str]:
        """The units whose officers' names a unit editor sees: its unit and every unit under it."""
        async with app.state.runtime.pool.acquire() as conn:
            return frozenset({scope_unit} | await DirectoryRepository(conn).descendants(scope_unit))

    app = create_service_app(
        settings,
        title="Training service",
        migrations=MIGRATIONS,
        consumers=[make_consumer(settings.consumer_name)],
        unit_scope=unit_scope,
        unit_subtree=unit_subtree,
        routers=[m.router for m in (api_programmes, api_plans, api_classes, api_drills, api_directory)],
    )
    install_domain_errors(
        app, DomainError, not_found=NotFoundError, conflict=ConflictError, rule_violation=RuleViolationError
    )
    return app


app = create_app()
