"""The authenticator remembers tokens that verified, never past their `exp` nor its TTL, and never refusals."""

from __future__ import annotations

import time

import jwt
import pytest

from cds_plumbing.auth import Authenticator, AuthError, Principal, Role, mint_token
from cds_plumbing.settings import ServiceSettings

SETTINGS = ServiceSettings(service_name="test", jwt_secret="a-test-secret-that-is-long-enough-for-hs256")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The time both the cache and PyJWT read (PyJWT reads datetime.now, so tokens are minted around it)."""
    c = Clock()
    monkeypatch.setattr(time, "time", c)
    return c


def _refuse_every_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> dict[str, object]:
        raise jwt.InvalidSignatureError("decoded again")

    monkeypatch.setattr(jwt, "decode", refuse)


def test_a_verified_token_is_not_decoded_again(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    authenticator = Authenticator(SETTINGS)
    token = mint_token(SETTINGS, Role.UNIT_EDITOR, unit="PHONG-CNTT", subject="u9")
    assert authenticator.verify(token) == Principal("u9", Role.UNIT_EDITOR, "PHONG-CNTT")
    _refuse_every_decode(monkeypatch)
    assert authenticator.verify(token) == Principal("u9", Role.UNIT_EDITOR, "PHONG-CNTT")


def test_a_remembered_token_is_verified_again_from_its_exp_on(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    authenticator = Authenticator(SETTINGS, cache_ttl_s=3600)
    token = mint_token(SETTINGS, Role.VIEWER, ttl_s=30)
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    authenticator.verify(token)
    _refuse_every_decode(monkeypatch)  # stands for PyJWT refusing the expired token
    clock.now = exp - 0.5
    assert authenticator.verify(token).role is Role.VIEWER  # still remembered
    clock.now = exp  # PyJWT's rule: expired once now >= exp
    with pytest.raises(AuthError, match="decoded again"):
        authenticator.verify(token)


def test_an_entry_lives_at_most_the_ttl_then_the_token_is_verified_again(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    authenticator = Authenticator(SETTINGS, cache_ttl_s=60)
    token = mint_token(SETTINGS, Role.PROVINCE_ADMIN)  # valid for hours
    authenticator.verify(token)
    _refuse_every_decode(monkeypatch)  # e.g. its signing key was withdrawn from the JWKS
    clock.now += 59
    assert authenticator.verify(token).role is Role.PROVINCE_ADMIN
    clock.now += 2
    with pytest.raises(AuthError, match="decoded again"):
        authenticator.verify(token)


def test_refusals_are_not_remembered(clock: Clock) -> None:
    authenticator = Authenticator(SETTINGS)
    with pytest.raises(AuthError):
        authenticator.verify("not-a-token")
    assert authenticator._cache == {}


def test_the_cache_is_bounded_least_recently_used_first(clock: Clock) -> None:
    authenticator = Authenticator(SETTINGS, cache_size=2)
    a, b, c = (mint_token(SETTINGS, Role.VIEWER, subject=s) for s in "abc")
    authenticator.verify(a)
    authenticator.verify(b)
    authenticator.verify(a)  # a is now the most recently used
    authenticator.verify(c)
    assert list(authenticator._cache) == [a, c]
