"""The provincial dashboard: static HTML, JS modules and CSS shipped inside the package (no CDN, no build).

The page reads the /api/v1 views from the browser with the signed-in person's bearer token (static/session.js),
so it needs nothing from the server but its files and the sign-in settings (config.json)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from reporting.domain.labels import ENUMS

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
# Revalidate every time: a redeployed service must never leave a browser mixing old and new modules. The
# page's address may carry a sign-in token in its fragment and filters in its query: no Referer leaves it;
# and it is never framed (clickjacking).
NO_STALE = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def content_security_policy(oidc_issuer: str | None) -> str:
    """Only the page's own files run and style it; it talks to its own origin, plus the identity provider
    when one is configured (its discovery document may name a token endpoint on another https origin)."""
    connect = ["'self'"]
    if oidc_issuer:
        parts = urlsplit(oidc_issuer)
        connect += [f"{parts.scheme}://{parts.netloc}", "https:"]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {' '.join(dict.fromkeys(connect))}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard")
async def dashboard_no_slash() -> RedirectResponse:
    # The page's relative module URLs resolve against /dashboard/, so the slash matters.
    return RedirectResponse("/dashboard/")


@router.get("/dashboard/")
async def dashboard(request: Request) -> FileResponse:
    page = _asset("index.html")
    settings = getattr(request.app.state, "dashboard_settings", None)  # absent when the router stands alone
    page.headers["Content-Security-Policy"] = content_security_policy(settings.oidc_issuer if settings else None)
    return page


@router.get("/dashboard/labels.json")
async def code_labels() -> JSONResponse:
    """The shared code labels (sector, level, kind, ...), so the page words codes exactly like the exports."""
    body = {enum: {code: {"vi": vi, "en": en} for code, (vi, en) in codes.items()} for enum, codes in ENUMS.items()}
    return JSONResponse(body, headers=NO_STALE)


@router.get("/dashboard/config.json")
async def sign_in_config(request: Request) -> JSONResponse:
    """How the page signs a person in: the identity provider (OIDC, authorization code + PKCE), if any.
    Public by nature: the browser needs it before it has a token, and it holds no secret."""
    settings = request.app.state.dashboard_settings
    oidc = None
    if settings.oidc_issuer:
        oidc = {"issuer": settings.oidc_issuer, "client_id": settings.oidc_client_id, "scope": settings.oidc_scope}
    return JSONResponse({"oidc": oidc}, headers=NO_STALE)


@router.get("/dashboard/{name}")
async def asset(name: str) -> FileResponse:
    return _asset(name)


def _asset(name: str) -> FileResponse:
    """Only the files directly in static/ with a known type: no directories, no path tricks."""
    path = STATIC / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(404, f"no dashboard file {name}")
    return FileResponse(path, media_type=media_type, headers=NO_STALE)
