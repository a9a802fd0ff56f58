"""Bearer-JWT authentication and role/unit authorisation for write endpoints.

Roles: `province_admin` writes anywhere; `unit_editor` writes only within its org unit and that unit's
sub-units; `viewer` reads only. Which units lie under which is personnel's knowledge, so the check
takes a `UnitScope` supplied by the service (plumbing holds no domain rules).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, HTTPException, Request, status

from .settings import ServiceSettings


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


async def same_unit_only(scope_unit: str, target_unit: str) -> bool:
    """Default scope for services that do not know the tree: a unit editor edits only its own unit."""
    return scope_unit == target_unit


class AuthError(Exception):
    pass


class Authenticator:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        if settings.jwt_algorithm == "RS256" and self._jwks is None:
            raise ValueError("RS256 needs AUTH_JWKS_URL")

    def _key(self, token: str) -> Any:
        if self._settings.jwt_algorithm == "RS256":
            assert self._jwks is not None
            return self._jwks.get_signing_key_from_jwt(token).key
        return self._settings.jwt_secret.get_secret_value()

    def verify(self, token: str) -> Principal:
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
        return Principal(subject=str(claims["sub"]), role=role, unit=unit)


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


async def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("a bearer token is required")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        return authenticator.verify(token.strip())
    except AuthError as exc:
        raise _unauthorized(f"invalid token: {exc}") from exc


async def current_writer(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the viewer role cannot change data")
    return principal


Writer = Annotated[Principal, Depends(current_writer)]
"""Use as a parameter type on every write endpoint."""


async def ensure_unit_scope(request: Request, principal: Principal, unit_id: str) -> None:
    """403 unless the principal may write data of `unit_id`."""
    if principal.role is Role.PROVINCE_ADMIN:
        return
    if principal.role is Role.UNIT_EDITOR and principal.unit is not None:
        scope: UnitScope = getattr(request.app.state, "unit_scope", same_unit_only)
        if await scope(principal.unit, unit_id):
            return
    raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"not allowed to change data of unit {unit_id!r}")
