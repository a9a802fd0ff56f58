"""Bearer-JWT authentication on every /api/v1 operation, and role/unit authorisation.

Roles: `province_admin` reads and writes everything; `unit_editor` writes within its org unit and that
unit's sub-units, and sees personal fields of the people of that subtree only; `viewer` reads ids and
non-personal attributes only. Which units lie under which is the service's knowledge, so the checks take
a `UnitScope` and a `UnitSubtree` supplied by the service (plumbing holds no domain rules).

`authenticated` is the one dependency that turns a request into a `Principal`. `create_service_app`
puts it on every /api/v1 route and refuses to start when one lacks it, so no route can forget it; it is
declared with FastAPI's HTTPBearer so the OpenAPI document shows the bearer scheme on each operation.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, HTTPException, Request, Security, routing, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.routing import BaseRoute

from .personal import access_context
from .settings import ServiceSettings

API_PREFIX = "/api/v1"


class Role(StrEnum):
    PROVINCE_ADMIN = "province_admin"
    UNIT_EDITOR = "unit_editor"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    unit: str | None = None  # the scope of a unit_editor


class UnitScope(Protocol):
    async def __call__(self, scope_unit: str, target_unit: str) -> bool:
        """True when target_unit is scope_unit or lies beneath it in the org tree."""
        ...


UnitSubtree = Callable[[str], Awaitable[frozenset[str]]]
"""The units a unit_editor's scope covers: its unit and every unit beneath it."""


async def same_unit_only(scope_unit: str, target_unit: str) -> bool:
    """Default scope for services that do not know the tree: a unit editor edits only its own unit."""
    return scope_unit == target_unit


async def own_unit_only(scope_unit: str) -> frozenset[str]:
    return frozenset({scope_unit})


class AuthError(Exception):
    pass


class Authenticator:
    """Verifies bearer tokens. A client sends the same token with every request until it expires, and the
    signature check and claim validation were a tenth of a write command's CPU (make bench): a token that
    verified is remembered (bounded LRU keyed by the token string) until its `exp`, or for at most
    `cache_ttl_s` so that an RS256 key withdrawn from the JWKS stops being honoured soon. Refusals are not
    remembered: each is verified afresh and answered with its own reason."""

    def __init__(self, settings: ServiceSettings, *, cache_size: int = 4096, cache_ttl_s: float = 60.0) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        if settings.jwt_algorithm == "RS256" and self._jwks is None:
            raise ValueError("RS256 needs AUTH_JWKS_URL")
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()  # token -> (principal, valid until)
        self._cache_size = cache_size
        self._cache_ttl_s = cache_ttl_s

    def _key(self, token: str) -> Any:
        if self._settings.jwt_algorithm == "RS256":
            assert self._jwks is not None
            return self._jwks.get_signing_key_from_jwt(token).key
        return self._settings.jwt_secret.get_secret_value()

    def verify(self, token: str) -> Principal:
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None:
            if now < cached[1]:
                self._cache.move_to_end(token)
                return cached[0]
            del self._cache[token]  # expired (PyJWT's rule: a token is expired from `exp` on) or past the TTL
        principal, exp = self._verify(token)
        self._cache[token] = (principal, min(exp, now + self._cache_ttl_s))
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        """The principal and the token's `exp` (seconds since the epoch), or AuthError."""
        s = self._settings
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=[s.jwt_algorithm],  # never trust the token's own alg header
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["sub", "exp"], "verify_aud": s.jwt_audience is not None},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(str(exc)) from exc
        try:
            role = Role(claims.get("role", ""))
        except ValueError:
            raise AuthError(f"unknown role {claims.get('role')!r}") from None
        unit = claims.get("unit")
        if role is Role.UNIT_EDITOR and not unit:
            raise AuthError("a unit_editor token must name its unit")
        subject = claims["sub"]
        # The subject is recorded as the actor of every event and access-log row: it must be a usable id.
        if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
            raise AuthError("the token's sub must be 1-200 characters without control characters")
        if unit is not None and (not isinstance(unit, str) or not _SUBJECT.fullmatch(unit)):
            raise AuthError("the token's unit must be a unit code")
        return Principal(subject=subject, role=role, unit=unit), float(claims["exp"])


_SUBJECT = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


def mint_token(
    settings: ServiceSettings,
    role: Role,
    *,
    unit: str | None = None,
    subject: str = "local-user",
    ttl_s: int = 8 * 3600,
) -> str:
    """An HS256 token for the local stack and tests (production tokens come from the identity provider)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "role": role.value, "iat": now, "exp": now + ttl_s}
    if unit:
        claims["unit"] = unit
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


bearer = HTTPBearer(
    auto_error=False,  # our own 401 problem body instead of FastAPI's 403
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT with `sub`, `role` (province_admin, unit_editor, viewer), `unit` for unit editors, `exp`.",
)


async def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
) -> Principal:
    """The caller, from its bearer token; 401 problem without one or with a bad one. Also tells the
    request's access context who is asking, so personal fields are shown or nulled for this caller."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("a bearer token is required")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.verify(credentials.credentials.strip())
    except AuthError as exc:
        raise _unauthorized(f"invalid token: {exc}") from exc
    request.state.principal = principal
    ctx = access_context()
    if ctx is not None:
        subtree: frozenset[str] = frozenset()
        if principal.role is Role.UNIT_EDITOR and principal.unit is not None:
            units: UnitSubtree = getattr(request.app.state, "unit_subtree", own_unit_only)
            subtree = await units(principal.unit)
        ctx.admit(
            principal.subject, principal.role.value, sees_all=principal.role is Role.PROVINCE_ADMIN, units=subtree
        )
    return principal


current_principal = authenticated  # one callable, so FastAPI resolves it once per request
Reader = Annotated[Principal, Depends(authenticated)]
"""Any authenticated caller (every /api/v1 route already requires one; name it to use the principal)."""


async def current_writer(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    if principal.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the viewer role cannot change data")
    return principal


Writer = Annotated[Principal, Depends(current_writer)]
"""Use as a parameter type on every write endpoint."""


async def current_admin(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only a province_admin may do this")
    return principal


Admin = Annotated[Principal, Depends(current_admin)]
"""Province admins only (audit log, erasure)."""


def may_change_every_unit(principal: Principal) -> bool:
    """True for a province_admin: a route need not look up which unit a command touches to check its scope
    (a query per command); its handler still answers 404 for what does not exist."""
    return principal.role is Role.PROVINCE_ADMIN


async def ensure_unit_scope(request: Request, principal: Principal, unit_id: str) -> None:
    """403 unless the principal may write data of `unit_id`."""
    if principal.role is Role.PROVINCE_ADMIN:
        return
    if principal.role is Role.UNIT_EDITOR and principal.unit is not None:
        scope: UnitScope = getattr(request.app.state, "unit_scope", same_unit_only)
        if await scope(principal.unit, unit_id):
            return
    raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"not allowed to change data of unit {unit_id!r}")


def _requires_authentication(dependant: Any) -> bool:
    pending = list(dependant.dependencies)
    while pending:
        dep = pending.pop()
        if dep.call is authenticated:
            return True
        pending.extend(dep.dependencies)
    return False


def unprotected_api_routes(routes: list[BaseRoute]) -> list[str]:
    """`METHOD path` of every /api/v1 operation that does not require a bearer token. FastAPI resolves
    included routers lazily; iter_route_contexts yields each route with the dependencies it really has."""
    return [
        f"{','.join(sorted(ctx.methods or ()))} {ctx.path}"
        for ctx in routing.iter_route_contexts(routes)
        if isinstance(ctx.original_route, APIRoute)
        and (ctx.path or "").startswith(API_PREFIX)
        and not _requires_authentication(ctx.dependant)
    ]


AUTHENTICATED = [Security(authenticated)]
"""Router dependencies that make every route of a router require a token."""
