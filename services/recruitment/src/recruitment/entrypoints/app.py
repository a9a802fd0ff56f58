"""ASGI entry point: `cds-serve recruitment.entrypoints.app:app` (or any ASGI server)."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cds_plumbing.http import install_domain_errors, problem
from cds_plumbing.migrations import packaged_migrations
from cds_plumbing.runtime import create_service_app
from recruitment.adapters.org_units_repo import OrgUnitRepository
from recruitment.config import Settings
from recruitment.domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from recruitment.service_layer.erasure import retention_job

from . import api_applications, api_erasure, api_plans, api_policies, api_retention, api_units, api_vacancies
from .subscribers import make_consumer

MIGRATIONS = packaged_migrations("recruitment")  # package data: found in a wheel as in a checkout


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def unit_scope(scope_unit: str, target_unit: str) -> bool:
        """A unit editor may write in its unit and every unit under it, in recruitment's copy of the tree."""
        if scope_unit == target_unit:
            return True
        async with app.state.runtime.pool.acquire() as conn:
            return await OrgUnitRepository(conn).is_within(scope_unit, target_unit)

    async def unit_subtree(scope_unit: str) -> frozenset[str]:
        """The units whose people a unit editor sees, in recruitment's copy of the tree."""
        async with app.state.runtime.pool.acquire() as conn:
            return await OrgUnitRepository(conn).subtree(scope_unit)

    retention = retention_job(settings.candidate_retention_months, settings.retention_interval_s)
    app = create_service_app(
        settings,
        title="Recruitment service",
        migrations=MIGRATIONS,
        consumers=[make_consumer()],
        unit_scope=unit_scope,
        unit_subtree=unit_subtree,
        jobs=[("candidate-retention", retention)],
        routers=[
            api_units.router,
            api_plans.router,
            api_policies.router,
            api_vacancies.router,
            api_applications.router,
            api_applications.hires,
            api_retention.router,
            api_retention.departures,
            api_erasure.router,
        ],
    )
    install_domain_errors(
        app, DomainError, not_found=NotFoundError, conflict=ConflictError, rule_violation=RuleViolationError
    )
    app.add_exception_handler(asyncpg.UniqueViolationError, duplicate)  # type: ignore[arg-type]
    return app


async def duplicate(request: Request, exc: asyncpg.UniqueViolationError) -> JSONResponse:
    """Two concurrent requests created the same thing; the loser gets a 409 rather than a 500."""
    return problem(409, "Conflict", "a concurrent request already recorded this", instance=request.url.path)


app = create_app()
