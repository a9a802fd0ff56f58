"""Reading one of this service's own GET views in-process, exactly as a client would receive it.

Snapshots freeze these bodies and exports render them as tables, so a frozen or exported report can
never disagree with the live JSON view it came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from fastapi import Request


class ViewError(Exception):
    """The view answered with an error; status and detail are the view's own (e.g. 404 unknown unit)."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers  # Retry-After of a 503, passed on to the caller


async def get_view(
    request: Request, path: str, params: Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """GET `path` (e.g. "/api/v1/officers/headcount") on the request's app without a network hop, with the
    caller's own bearer token: the view answers exactly what the caller may see."""
    transport = httpx.ASGITransport(app=request.app)
    headers = {"Authorization": request.headers.get("authorization", "")}
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting.internal", headers=headers) as client:
        response = await client.get(path, params=params)  # type: ignore[arg-type]
    if response.status_code != 200:
        try:
            detail = str(response.json().get("detail", response.text))
        except ValueError:
            detail = response.text
        retry = response.headers.get("retry-after")
        raise ViewError(response.status_code, detail, {"Retry-After": retry} if retry else None)
    body: dict[str, Any] = response.json()
    return body
