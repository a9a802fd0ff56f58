"""The dashboard's sign-in in headless Chromium: every figure needs a token, so the page first signs a
person in (a pasted token, a link whose fragment carries one, or the identity provider's authorization
code flow with PKCE) and says so plainly when the service stops accepting the token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from cds_contracts import Registry, TopicSpec
from services.reporting.tests.integration.dashboard_support import (
    DESKTOP,
    TOKEN_KEY,
    card,
    new_context,
    running_dashboard,
    settled,
    viewer_token,
)
from services.reporting.tests.integration.oidc_provider import CLIENT_ID, Provider, running_provider

pytestmark = pytest.mark.integration


async def stored_token(page: Page) -> Any:
    return await page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')")


async def test_a_link_a_pasted_token_an_expired_session_and_signing_out(url: str, browser: Browser) -> None:
    """One page through a person's day: the link `make demo` prints (token in the fragment), signing out,
    a pasted token the service stops accepting, the session-expired form, and signing in again."""
    context = await new_context(browser, DESKTOP, signed_in=False)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    token = viewer_token()
    await page.goto(f"{url}/dashboard/?as_of=2025-06-30&lang=en#token={token}")
    await settled(page)
    assert (await card(page, "officers"))[0] == "8"
    assert page.url == f"{url}/dashboard/?as_of=2025-06-30&lang=en"  # neither the token nor the fragment
    assert token not in await page.evaluate("() => location.href + document.referrer")
    assert await stored_token(page) == token  # this tab's session only

    await page.click("#sign-out")
    form = page.locator("#sign-in")
    await expect(form).to_be_visible()
    assert await stored_token(page) is None and await page.locator("main").is_hidden()
    await page.click("#lang-toggle")
    await expect(form.locator("h2")).to_have_text("Đăng nhập")
    assert await page.locator("#filters").is_hidden()
    assert await page.locator("#sign-in-oidc").count() == 0  # no identity provider configured here

    await page.fill("#token-input", "not-a-token")
    await page.click("#sign-in button[type='submit']")
    await expect(page.locator("#sign-in-error")).to_contain_text("không đúng định dạng hoặc đã hết hạn")

    # A token the service accepts for a few seconds: the figures show, then the next load meets a 401.
    await page.fill("#token-input", viewer_token(ttl_s=4))
    await page.click("#sign-in button[type='submit']")
    await settled(page)
    assert (await card(page, "officers"))[0] == "8"
    await asyncio.sleep(4.5)
    await page.select_option("#sector", "peoples_committee")
    await expect(page.locator("#session-expired")).to_contain_text("Phiên làm việc đã hết hạn")
    assert await stored_token(page) is None  # the refused token is gone
    await page.fill("#token-input", viewer_token())
    await page.click("#sign-in button[type='submit']")
    await settled(page)
    assert "sector=peoples_committee" in page.url  # the filters outlived the session
    assert errors == []
    await context.close()


@pytest.fixture
async def oidc_url(
    reporting_db: str, rpool: asyncpg.Pool, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]]
) -> AsyncIterator[tuple[str, Provider]]:
    """The dashboard of a service that trusts only the provider's RS256 tokens and offers its sign-in."""
    with running_provider() as provider:
        settings = {
            "jwt_algorithm": "RS256",
            "jwt_jwks_url": f"{provider.issuer}/jwks",
            "jwt_issuer": provider.issuer,
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
        }
        async with running_dashboard(reporting_db, rpool, bootstrap, personnel_topics, **settings) as base:
            yield base, provider


async def test_sign_in_with_the_identity_provider_authorization_code_and_pkce(
    oidc_url: tuple[str, Provider], browser: Browser
) -> None:
    url, provider = oidc_url
    context = await new_context(browser, DESKTOP, signed_in=False)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    await page.goto(url + "/dashboard/?as_of=2025-06-30")
    # A locally minted HS256 token means nothing to this service: it trusts the provider's keys only.
    await page.fill("#token-input", viewer_token())
    await page.click("#sign-in button[type='submit']")
    await expect(page.locator("#session-expired")).to_contain_text("Phiên làm việc đã hết hạn")

    await page.click("#sign-in-oidc")  # to the provider, which signs in at once and sends a code back
    await settled(page)
    assert (await card(page, "officers"))[0] == "8"
    assert page.url == f"{url}/dashboard/?as_of=2025-06-30&lang=vi"  # code and state gone, filters kept
    (exchange,) = provider.exchanges
    assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
    assert exchange["redirect_uri"] == f"{url}/dashboard/"
    token = await stored_token(page)
    assert token and token.count(".") == 2
    assert errors == []
    await context.close()
