"""A tiny OpenID Connect provider for the dashboard's sign-in test: discovery, an authorization endpoint
that signs the user in at once (no login form) and redirects back with a code, a token endpoint that
checks the PKCE verifier against the challenge (S256) before issuing an RS256 access token, and the JWKS
the reporting service verifies that token with. Just enough of RFC 6749 / 7636 to fail where a real
provider would: wrong client, wrong redirect URI, reused code, missing or wrong verifier."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "cds-dashboard"
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass
class Provider:
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    claims: dict[str, Any] = field(default_factory=lambda: {"sub": "oidc-user", "role": "viewer"})
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    exchanges: list[dict[str, str]] = field(default_factory=list)  # what the token endpoint was sent

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "code_challenge_methods_supported": ["S256"],
            },
            headers=CORS,
        )

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}", 302)

    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        self.exchanges.append(form)
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("redirect_uri") != grant["redirect_uri"]
            or digest != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400, headers=CORS)
        now = int(time.time())
        claims = {**self.claims, "iss": self.issuer, "iat": now, "exp": now + 600}
        access = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": 600}, headers=CORS)

    async def jwks(self, request: Request) -> Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="oidc-provider", daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started:
                break
            time.sleep(0.02)
        assert server.started, "the test's OIDC provider did not start"
        yield provider
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
