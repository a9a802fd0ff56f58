"""The domain errors of reporting's views and the one HTTP answer each gets, wherever it is raised (a
route, the overview's cards, an export, a snapshot): one exception handler per error, on the app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cds_plumbing.http import problem
from reporting.domain.slices import UnknownUnitError
from reporting.domain.trends import InvalidRangeError

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "The slice's unit is not valid on as_of."}}


async def unknown_unit(request: Request, exc: Exception) -> JSONResponse:
    """A unit that does not exist (on the day asked about): 404."""
    return problem(404, "Not Found", str(exc), instance=request.url.path)


async def invalid_range(request: Request, exc: Exception) -> JSONResponse:
    """A month range a view cannot answer (trends): 422 with the reason."""
    return problem(422, "Unprocessable Entity", str(exc), instance=request.url.path)


def install_view_errors(app: FastAPI) -> None:
    app.add_exception_handler(UnknownUnitError, unknown_unit)
    app.add_exception_handler(InvalidRangeError, invalid_range)
