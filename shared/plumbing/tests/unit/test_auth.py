"""Write endpoints: 401 without or with a bad token, 403 for viewers and outside a unit editor's scope."""

from __future__ import annotations

import time

import jwt
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

from cds_plumbing.auth import (
    AUTHENTICATED,
    Authenticator,
    Principal,
    Reader,
    Role,
    Writer,
    ensure_unit_scope,
    mint_token,
    unprotected_api_routes,
)
from cds_plumbing.http import install_problem_handlers
from cds_plumbing.settings import ServiceSettings

SETTINGS = ServiceSettings(service_name="test", jwt_secret="a-test-secret-that-is-long-enough-for-hs256")
TREE = {"SO-TTTT": None, "PHONG-CNTT": "SO-TTTT", "UBND-XA": None}


async def tree_scope(scope_unit: str, target_unit: str) -> bool:
    unit: str | None = target_unit
    while unit is not None:
        if unit == scope_unit:
            return True
        unit = TREE.get(unit)
    return False


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.authenticator = Authenticator(SETTINGS)
    app.state.unit_scope = tree_scope
    install_problem_handlers(app)

    @app.post("/units/{unit_id}/notes")
    async def write(unit_id: str, request: Request, who: Writer) -> dict[str, str]:
        await ensure_unit_scope(request, who, unit_id)
        return {"by": who.subject, "unit": unit_id}

    return app


client = TestClient(make_app())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_with_a_problem_body() -> None:
    r = client.post("/units/SO-TTTT/notes")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert "bearer token is required" in r.json()["detail"]


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        jwt.encode(
            {"sub": "x", "role": "province_admin", "exp": int(time.time()) + 60},
            "wrong-secret-wrong-secret-wrong!!",
            algorithm="HS256",
        ),
        jwt.encode(
            {"sub": "x", "role": "province_admin", "exp": int(time.time()) - 10},
            SETTINGS.jwt_secret.get_secret_value(),
            algorithm="HS256",
        ),
        jwt.encode({"sub": "x", "role": "province_admin", "exp": int(time.time()) + 60}, "", algorithm="none"),
        jwt.encode(
            {"sub": "x", "role": "superuser", "exp": int(time.time()) + 60},
            SETTINGS.jwt_secret.get_secret_value(),
            algorithm="HS256",
        ),
        jwt.encode(
            {"sub": "x", "role": "unit_editor", "exp": int(time.time()) + 60},
            SETTINGS.jwt_secret.get_secret_value(),
            algorithm="HS256",
        ),
        jwt.encode(
            {"role": "province_admin", "exp": int(time.time()) + 60},
            SETTINGS.jwt_secret.get_secret_value(),
            algorithm="HS256",
        ),
    ],
    ids=["garbage", "wrong-secret", "expired", "alg-none", "unknown-role", "editor-without-unit", "no-subject"],
)
def test_bad_tokens_are_401(token: str) -> None:
    r = client.post("/units/SO-TTTT/notes", headers=bearer(token))
    assert r.status_code == 401, r.text
    assert r.json()["detail"].startswith("invalid token")


def test_viewer_cannot_write() -> None:
    r = client.post("/units/SO-TTTT/notes", headers=bearer(mint_token(SETTINGS, Role.VIEWER)))
    assert r.status_code == 403
    assert "viewer" in r.json()["detail"]


def test_unit_editor_writes_in_its_unit_and_sub_units_only() -> None:
    token = mint_token(SETTINGS, Role.UNIT_EDITOR, unit="SO-TTTT", subject="editor-1")
    assert client.post("/units/SO-TTTT/notes", headers=bearer(token)).status_code == 200
    assert client.post("/units/PHONG-CNTT/notes", headers=bearer(token)).json() == {
        "by": "editor-1",
        "unit": "PHONG-CNTT",
    }
    outside = client.post("/units/UBND-XA/notes", headers=bearer(token))
    assert outside.status_code == 403
    assert "UBND-XA" in outside.json()["detail"]


def test_province_admin_writes_anywhere() -> None:
    token = mint_token(SETTINGS, Role.PROVINCE_ADMIN)
    assert client.post("/units/UBND-XA/notes", headers=bearer(token)).status_code == 200


def test_minted_token_verifies_to_the_principal() -> None:
    token = mint_token(SETTINGS, Role.UNIT_EDITOR, unit="PHONG-CNTT", subject="u9")
    assert Authenticator(SETTINGS).verify(token) == Principal("u9", Role.UNIT_EDITOR, "PHONG-CNTT")


def test_issuer_and_audience_are_enforced_when_configured() -> None:
    strict = ServiceSettings(
        service_name="t", jwt_secret=SETTINGS.jwt_secret, jwt_issuer="https://idp", jwt_audience="cds"
    )
    token_without = mint_token(SETTINGS, Role.PROVINCE_ADMIN)
    with pytest.raises(Exception, match=r"audience|issuer|aud|iss"):
        Authenticator(strict).verify(token_without)
    assert Authenticator(strict).verify(mint_token(strict, Role.PROVINCE_ADMIN)).role is Role.PROVINCE_ADMIN


def test_rs256_tokens_are_verified_against_a_jwks_endpoint() -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's naming
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/jwks.json"
        prod = ServiceSettings(service_name="t", jwt_algorithm="RS256", jwt_jwks_url=url)
        claims = {"sub": "idp-user", "role": "viewer", "exp": int(time.time()) + 60}
        good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        assert Authenticator(prod).verify(good) == Principal("idp-user", Role.VIEWER)
        # An HS256 token signed with the public key must not pass as RS256 (algorithm confusion).
        forged = jwt.encode(claims, "k1-public-key-material-as-secret-xx", algorithm="HS256", headers={"kid": "k1"})
        with pytest.raises(Exception, match=r"alg|signature|algorithm"):
            Authenticator(prod).verify(forged)
    finally:
        server.shutdown()


def test_the_published_development_secret_is_refused_unless_the_local_flag_is_on() -> None:
    from cds_plumbing.settings import LOCAL_JWT_SECRET

    published = ServiceSettings(service_name="t", jwt_secret=LOCAL_JWT_SECRET, jwt_allow_dev_secret=False)
    problem = published.signing_problem()
    assert problem is not None and "published in the repository" in problem and "openssl rand" in problem
    local = ServiceSettings(service_name="t", jwt_secret=LOCAL_JWT_SECRET, jwt_allow_dev_secret=True)
    assert local.signing_problem() is None
    short = ServiceSettings(service_name="t", jwt_secret="hunter2", jwt_allow_dev_secret=True)
    assert "shorter than 32" in (short.signing_problem() or "")
    assert SETTINGS.signing_problem() is None


def test_an_api_route_without_the_token_dependency_is_found() -> None:
    app = FastAPI()
    open_router, guarded = APIRouter(prefix="/api/v1/open"), APIRouter(prefix="/api/v1/guarded")

    @open_router.get("")
    async def forgot() -> None: ...

    @open_router.get("/named")
    async def names_the_reader(who: Reader) -> None: ...

    @guarded.get("")
    async def fine() -> None: ...

    @app.get("/health/live")
    async def live() -> None: ...

    app.include_router(open_router)
    app.include_router(guarded, dependencies=AUTHENTICATED)
    assert unprotected_api_routes(app.routes) == ["GET /api/v1/open"]
