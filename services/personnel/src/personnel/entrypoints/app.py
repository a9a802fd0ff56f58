"""ASGI entry point: `cds-serve personnel.entrypoints.app:app` (or any ASGI server)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cds_plumbing.clock import today
from cds_plumbing.http import install_domain_errors, problem
from cds_plumbing.migrations import packaged_migrations
from cds_plumbing.runtime import create_service_app
from personnel.adapters.units_repo import UnitRepository
from personnel.config import Settings
from personnel.domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from personnel.service_layer.imports import ImportRejectedError
from personnel.service_layer.package_files import PackageRejectedError

from . import (
    api_erasure,
    api_imports,
    api_officers,
    api_packages,
    api_response_teams,
    api_teams,
    api_units,
    subscribers,
)

MIGRATIONS = packaged_migrations("personnel")  # package data: found in a wheel as in a checkout


def create_app(settings: Settings | None = None) -> FastAPI:
    async def unit_scope(scope_unit: str, target_unit: str) -> bool:
        """A unit editor may write in its unit and every unit under it in today's tree."""
        if scope_unit == target_unit:
            return True
        async with app.state.runtime.pool.acquire() as conn:
            return target_unit in await UnitRepository(conn).descendants_on(scope_unit, today())

    async def unit_subtree(scope_unit: str) -> frozenset[str]:
        """The units whose people a unit editor sees: its unit and every unit under it in today's tree."""
        async with app.state.runtime.pool.acquire() as conn:
            return frozenset({scope_unit} | await UnitRepository(conn).descendants_on(scope_unit, today()))

    settings = settings or Settings()
    app = create_service_app(
        settings,
        title="Personnel service",
        migrations=MIGRATIONS,
        unit_scope=unit_scope,
        unit_subtree=unit_subtree,
        consumers=[subscribers.make_consumer()],
        body_caps={"/api/v1/imports/": settings.import_max_bytes, "/api/v1/packages": settings.package_max_bytes},
        routers=[
            m.router
            for m in (api_units, api_officers, api_teams, api_response_teams, api_imports, api_packages, api_erasure)
        ],
    )
    install_domain_errors(
        app, DomainError, not_found=NotFoundError, conflict=ConflictError, rule_violation=RuleViolationError
    )
    app.add_exception_handler(ImportRejectedError, import_rejected)  # type: ignore[arg-type]
    app.add_exception_handler(PackageRejectedError, api_packages.package_rejected)  # type: ignore[arg-type]
    return app


MAX_ROW_ERRORS = 1000  # a file with an error on every one of 50,000 rows answers the first thousand


async def import_rejected(request: Request, exc: ImportRejectedError) -> JSONResponse:
    """A rejected import lists its rows' errors; other domain errors take install_domain_errors' mapping."""
    errors = [{"row": e.row, "field": e.field, "message": e.message} for e in exc.errors[:MAX_ROW_ERRORS]]
    return problem(
        422,
        "Import rejected",
        str(exc),
        instance=request.url.path,
        rows=exc.rows,
        errors=errors,
        error_count=len(exc.errors),
    )


app = create_app()
