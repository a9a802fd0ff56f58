"""For the dashboard's browser tests: a real reporting app (uvicorn on a free port in a background thread,
over a fresh database whose projections hold the scenario), headless Chromium, and readers of the page.

The scenario is scenario.py's (history + reorganisation + correction) with English names for four units
and, for the recruitment and training panels, three vacancies and one class (see `openings_and_class`)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from playwright.async_api import Browser, BrowserContext, Download, Page, async_playwright, expect

from cds_contracts import Event, Registry, TopicSpec
from cds_contracts import recruitment as r
from cds_contracts.personnel_org_units import OrgUnitRegistered
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from reporting.adapters.projection_schema import use_active_schema
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from reporting.entrypoints.events.subscribers import make_consumer
from services.reporting.tests.integration.scenario import (
    D,
    Feeder,
    RaisingDeadLetters,
    correction,
    history,
    reorganisation,
)
from services.reporting.tests.integration.trend_world import klass

ARTIFACTS = Path(__file__).resolve().parents[4] / ".run" / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PANELS = [
    "overview", "trends", "headcount", "coverage", "teams", "attrition-months", "attrition-units", "trained-share",
    "vacancies",
]  # fmt: skip
"""The page's panels in page order (section ids without the panel- prefix)."""

# P's renaming on 2025-07-01 carries no English name: from then on the page falls back to name_vi.
ENGLISH = {
    "P": "Vinh Phuc Provincial People's Committee",
    "P.SKHCN": "Department of Science and Technology",
    "D": "Tam Duong District People's Committee",
    "C3": "Kim Long Commune People's Committee",
}


def with_english_names(events: list[Event]) -> list[Event]:
    return [
        e.model_copy(update={"name_en": ENGLISH[e.unit_id]})
        if isinstance(e, OrgUnitRegistered) and e.unit_id in ENGLISH
        else e
        for e in events
    ]


def openings_and_class() -> list[Event]:
    """V1: C3, 2 IT technical positions, open 1 May 2025 (applications until 15 July), expired 1 September.
    V2: P.SKHCN, 1 information security position, open from 1 June 2025. V3: P.SKHCN, 1 data position, open
    from 1 October 2025. Class K1 ended 5 May 2025: O1 (P.SKHCN) and O4 (C1) passed, O3 (D) failed."""
    return [
        r.VacancyOpened(
            vacancy_id="V1", unit_id="C3", function="it_technical", positions=2, opened_on=D(2025, 5, 1),
            closes_on=D(2025, 7, 15),
        ),
        r.VacancyClosed(vacancy_id="V1", closed_on=D(2025, 9, 1), outcome="expired"),
        r.VacancyOpened(
            vacancy_id="V2", unit_id="P.SKHCN", function="information_security", positions=1, opened_on=D(2025, 6, 1)
        ),
        r.VacancyOpened(vacancy_id="V3", unit_id="P.SKHCN", function="data", positions=1, opened_on=D(2025, 10, 1)),
        *klass("K1", D(2025, 5, 5), {"O1": ("P.SKHCN", True), "O4": ("C1", True), "O3": ("D", False)}),
    ]  # fmt: skip


@asynccontextmanager
async def running_dashboard(
    database: str,
    pool: asyncpg.Pool,
    bootstrap: str,
    personnel_topics: tuple[Registry, list[TopicSpec]],
    **settings_overrides: Any,
) -> AsyncIterator[str]:
    """Base URL of a running app whose projections hold the scenario (see the module's docstring).

    The events go straight into the projections under the app's own consumer name, so `current_to` is
    theirs; the app's live consumer reads fresh, empty topics (a private consumer group: the stack's
    running reporting service never sees it)."""
    name = f"reporting-dashboard-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(name, before_batch=use_active_schema)
    consumer.bind(pool, RaisingDeadLetters())
    feeder = Feeder(consumer)
    for events in (with_english_names(history()), reorganisation(), correction(), openings_and_class()):
        assert (await feeder.feed(events)).applied == len(events)

    registry, _ = personnel_topics
    settings = Settings(
        database_url=database, kafka_bootstrap_servers=bootstrap, consumer_name=name, **settings_overrides
    )
    app = build_app(settings, registry=registry)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # the bound socket goes to uvicorn: no window for another process to take the port
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dashboard-app", daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started or not thread.is_alive():
                break
            await asyncio.sleep(0.05)
        assert server.started, "the reporting app did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 30)
        sock.close()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


TOKEN_KEY = "cds-dashboard-token"  # static/session.js keeps the bearer token there


def viewer_token(ttl_s: int = 3600) -> str:
    return mint_token(ServiceSettings(service_name="dashboard-test"), Role.VIEWER, subject="viewer-1", ttl_s=ttl_s)


async def new_context(browser: Browser, viewport: dict[str, int], *, signed_in: bool = True) -> BrowserContext:
    """A browser context; `signed_in` puts a viewer's token into each page's session storage first (the
    sign-in itself is test_dashboard_sign_in.py's subject)."""
    context = await browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    if signed_in:
        await context.add_init_script(f"sessionStorage.setItem('{TOKEN_KEY}', '{viewer_token()}')")
    return context


async def open_page(context: BrowserContext, address: str) -> tuple[Page, list[str]]:
    """The page once every panel has answered; `errors` collects uncaught script errors."""
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A file, style or request the Content-Security-Policy refuses shows only as a console error.
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    await page.goto(address)
    await settled(page)
    return page, errors


async def settled(page: Page) -> None:
    """Every panel answered (ready or error); a filter change marks them all loading at once."""
    answered = page.locator("section.panel:not([data-state='loading'])")
    await expect(answered).to_have_count(len(PANELS), timeout=15_000)


async def card(page: Page, name: str) -> tuple[str, str]:
    """A card's figure and the line under it."""
    value = await page.locator(f"[data-card='{name}'] .value").inner_text()
    sub = page.locator(f"[data-card='{name}'] .sub")
    return value, (await sub.inner_text() if await sub.count() else "")


async def cards(page: Page) -> dict[str, str]:
    return {
        c: (await card(page, c))[0]
        for c in ("officers", "dedicated_share", "information_security", "coverage", "community_teams", "vacancies")
    }


async def panel_states(page: Page) -> dict[str, str | None]:
    sections = page.locator("section.panel")
    return {
        (await sections.nth(i).get_attribute("id") or ""): await sections.nth(i).get_attribute("data-state")
        for i in range(await sections.count())
    }


async def chart_row(page: Page, chart: int, month: str) -> list[str]:
    """The data-table cells of `month` in the n-th chart's fallback table."""
    row = page.locator("figure.chart").nth(chart).locator("tbody tr", has=page.locator(f"th:text-is('{month}')"))
    return await row.locator("td").all_text_contents()


async def rows(page: Page, panel: str, key: str = "data-unit") -> list[str | None]:
    """The unit ids (or another attribute) of a panel's table rows, in order."""
    found = page.locator(f"#panel-{panel} tbody tr")
    return [await found.nth(i).get_attribute(key) for i in range(await found.count())]


async def cells(page: Page, panel: str) -> list[list[str]]:
    """The text of a panel's table, row by row (the row header first)."""
    found = page.locator(f"#panel-{panel} tbody tr")
    return [await found.nth(i).locator("th, td").all_inner_texts() for i in range(await found.count())]


async def row_cells(page: Page, panel: str, attr: str, value: str) -> list[str]:
    """The cells of the panel's row whose `attr` (e.g. data-unit) is `value`, the row header first."""
    return await page.locator(f"#panel-{panel} tbody tr[{attr}='{value}']").locator("th, td").all_inner_texts()


async def read_download(download: Download) -> bytes:
    path = await download.path()
    return path.read_bytes()
