"""The dashboard in headless Chromium against a real reporting app (see dashboard_support.py).

Expected figures are hand-computed from scenario.py (history + reorganisation + correction) and the
vacancies of dashboard_support.py (the tables of the newer panels: test_dashboard_tables.py):
- today (any day after 2025-09-01): officers O1 O2 O3 O4 O5 O7 O8 serve (O6 left on 2025-08-01, the
  corrected date): 7, dedicated O1 O3 O7 = 3 (42.9%), infosec O1 = 1; agencies P (no IT technical
  officer), P.SKHCN, C12, C3 (no IT leader): 2 of 4 comply; teams T1 T2 T3 T4 with m1 m2 m3 m4 m6.
- 30 June 2025 (the old tree, district D still there): all eight serve, dedicated O1 O3 O6 O7 = 4 (50%),
  infosec O1 O6 = 2; agencies P, P.SKHCN, D, C1, C2, C3: only P.SKHCN and C2 comply (2 of 6, 33.3%);
  teams T1 T2 T3, members m1 m2 m3 m4 (m5 left in January).
- vacancies: V1 (1 May - 31 Aug 2025), V2 (from 1 June 2025), V3 (from 1 October 2025): today V2 V3; on
  30 June 2025 V1 V2, in district D's subtree V1 (unit C3).
- District D on 30 June 2025: O3 O4 O5 O6 O7 = 5, dedicated O3 O6 O7 (60%), infosec O6; agencies D C1 C2 C3,
  only C2 complies (25%).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from services.reporting.tests.integration.dashboard_support import (
    ARTIFACTS,
    DESKTOP,
    PANELS,
    PHONE,
    card,
    cards,
    chart_row,
    new_context,
    open_page,
    panel_states,
    read_download,
    rows,
    settled,
)

pytestmark = pytest.mark.integration


async def test_cards_follow_the_date_picker_and_the_unit_tree(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/")  # / redirects to the dashboard
    assert page.url.startswith(url + "/dashboard/")
    assert await page.locator("html").get_attribute("lang") == "vi"
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    assert await page.locator("#as-of").input_value() == today
    assert await panel_states(page) == dict.fromkeys([f"panel-{p}" for p in PANELS], "ready")
    assert await cards(page) == {
        "officers": "7",
        "dedicated_share": "42,9%",
        "information_security": "1",
        "coverage": "50,0%",
        "community_teams": "4 / 5",
        "vacancies": "2",
    }
    assert await card(page, "officers") == ("7", "3 chuyên trách · 4 kiêm nhiệm")
    assert (await card(page, "coverage"))[1] == "2/4 cơ quan đạt · 2 chưa đạt"
    # the 53rd and last event fed was stamped 2025-08-01 08:00:53 UTC, 15:00 in the province
    await expect(page.locator("#freshness")).to_have_text("Số liệu cập nhật đến 15:00 1 thg 8, 2025")
    flows = page.locator("figure.chart").nth(2)
    assert await flows.locator("svg title").text_content() == "Nghỉ việc và tuyển dụng trong tháng"
    await page.screenshot(path=str(ARTIFACTS / "dashboard-desktop-vi.png"), full_page=True)

    await page.fill("#as-of", "2025-06-30")  # the last day of the old tree
    await settled(page)
    assert "as_of=2025-06-30" in page.url
    assert await cards(page) == {
        "officers": "8",
        "dedicated_share": "50,0%",
        "information_security": "2",
        "coverage": "33,3%",
        "community_teams": "3 / 4",
        "vacancies": "2",
    }
    # trends: the 24 months to June 2025, on each month end (O7 and O8 from June 2024, O7 dedicated in 2025)
    assert await chart_row(page, 0, "05/2024") == ["6", "3", "2"]
    assert await chart_row(page, 0, "12/2024") == ["8", "3", "2"]
    assert await chart_row(page, 0, "01/2025") == ["8", "4", "2"]
    assert await rows(page, "coverage") == ["C1", "C3", "D", "P", "C2", "P.SKHCN"]  # every agency, failing first
    headcount = page.locator("#panel-headcount tr[data-unit='D'] td")
    assert (await headcount.all_inner_texts())[:2] == ["Cấp huyện", "5"]

    units = await page.locator("#unit option").all_inner_texts()
    assert [u.strip() for u in units] == [
        "Toàn tỉnh", "UBND tỉnh Vĩnh Phúc", "UBND huyện Tam Dương", "UBND xã Hợp Thịnh", "UBND xã Đạo Tú",
        "UBND xã Kim Long", "Hội Tin học tỉnh", "Sở Khoa học và Công nghệ",
    ]  # fmt: skip
    await page.select_option("#unit", "D")
    await settled(page)
    assert await cards(page) == {
        "officers": "5",
        "dedicated_share": "60,0%",
        "information_security": "1",
        "coverage": "25,0%",
        "community_teams": "3 / 4",
        "vacancies": "1",
    }

    # District D is dissolved on 1 July 2025: the filter falls back to the whole province and says so.
    await page.fill("#as-of", "2025-07-01")
    await settled(page)
    await expect(page.locator("#filter-notice")).to_contain_text("không tồn tại vào ngày 2025-07-01")
    assert await page.locator("#unit").input_value() == ""
    assert "unit_id" not in page.url
    assert (await cards(page))["officers"] == "8"
    assert (await cards(page))["coverage"] == "50,0%"  # P, P.SKHCN, C12, C3: P and C3 fail

    # O6 left on 1 August 2025 (the corrected date): the month's departure shows in the trends
    await page.fill("#as-of", "2025-12-31")
    await settled(page)
    assert (await cards(page))["officers"] == "7"
    assert await chart_row(page, 0, "08/2025") == ["7", "3", "1"]
    assert await chart_row(page, 2, "07/2025") == ["0", "0"]
    assert await chart_row(page, 2, "08/2025") == ["1", "0"]
    assert errors == []
    await context.close()


async def test_english_toggle_and_exports_with_vietnamese_headers(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/dashboard/?as_of=2025-06-30")
    assert (await card(page, "officers"))[0] == "8"

    link = page.locator("#panel-headcount a[data-export='headcount.csv']")
    address = await link.get_attribute("href") or ""
    assert "as_of=2025-06-30" in address and "lang=vi" in address
    # fetched with the session's token (a bare link would carry none) and saved under the service's name
    async with page.expect_download() as download_info, page.expect_request("**/api/v1/exports/*") as request:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == "headcount_2025-06-30.csv"
    assert (await request.value).headers["authorization"].startswith("Bearer ey")
    table = list(csv.DictReader(io.StringIO((await read_download(download)).decode("utf-8-sig"))))
    assert {"Mã đơn vị", "Tên đơn vị", "Tổng số (gồm cấp dưới)", "Chuyên trách (gồm cấp dưới)"} <= set(table[0])
    assert {r["Mã đơn vị"]: r["Tổng số (gồm cấp dưới)"] for r in table}["D"] == "5"

    toggle = page.locator("#lang-toggle")
    assert await toggle.evaluate("el => el.tagName") == "BUTTON"
    assert await toggle.inner_text() == "English"
    await toggle.click()
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator("h1").inner_text() == "The province's digital transformation workforce"
    labels = await page.locator(".card h3").all_inner_texts()
    assert labels[:3] == ["CĐS officers", "Dedicated share", "Information security officers"]
    assert labels[-1] == "Incident response team readiness"
    assert await card(page, "officers") == ("8", "4 dedicated · 4 concurrent")
    assert await page.locator("label[for='as-of']").inner_text() == "Figures as of"
    await page.screenshot(path=str(ARTIFACTS / "dashboard-desktop-en.png"), full_page=True)

    async with page.expect_download() as download_info, page.expect_request("**/api/v1/exports/*") as request:
        await page.click("#panel-coverage a[data-export='coverage.xlsx']")
    download = await download_info.value
    assert "lang=en" in (await request.value).url
    sheet = load_workbook(io.BytesIO(await read_download(download))).active
    assert sheet is not None
    headers = [c.value for row in sheet.iter_rows() for c in row if c.value == "Unit name" or c.value == "Missing"]
    assert headers == ["Unit name", "Missing"]

    # The choice is remembered; ?lang= wins over it.
    await page.goto(url + "/dashboard/")
    await settled(page)
    assert await page.locator("h1").inner_text() == "The province's digital transformation workforce"
    await page.goto(url + "/dashboard/?lang=vi")
    await settled(page)
    assert await page.locator("h1").inner_text() == "Nhân lực chuyển đổi số của tỉnh"
    assert errors == []
    await context.close()


async def test_keyboard_phone_width_and_error_states(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/dashboard/?as_of=2025-06-30&unit_id=NOPE")
    # an unknown unit falls back to the whole province instead of failing every panel
    await expect(page.locator("#filter-notice")).to_contain_text("không tồn tại vào ngày 2025-06-30")
    assert (await card(page, "officers"))[0] == "8"

    reached: list[str] = []
    for _ in range(40):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const el = document.activeElement; return el.id || el.dataset.export || el.localName; }"
        )
        if not reached or reached[-1] != focused:
            reached.append(focused)
        if focused == "headcount.csv":
            break
    # Tab order: skip link, language, the filters (the date's day/month/year fields are one element), then in
    # page order the trends' export links, the charts' data-table toggles and the next panel's export links
    assert reached == [
        "a", "lang-toggle", "sign-out", "as-of", "unit", "sector", "level", "former-province", "trends.csv",
        "trends.xlsx", "summary", "headcount.csv",
    ]  # fmt: skip
    # no province root of this scenario has ceased: the former-province select offers "every area" only
    assert await page.locator("#former-province option").all_text_contents() == ["Mọi địa bàn"]
    outline = await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    async with page.expect_download() as download_info:
        await page.keyboard.press("Enter")  # an export works from the keyboard too
    assert (await download_info.value).suggested_filename == "headcount_2025-06-30.csv"

    # A failing view shows its own visible error; the other panels still work.
    problem = '{"title": "Service Unavailable", "detail": "trends are down"}'
    await page.route(
        "**/api/v1/trends?*",
        lambda route: route.fulfill(status=503, content_type="application/problem+json", body=problem),
    )
    await page.select_option("#sector", "peoples_committee")
    await settled(page)
    assert (await panel_states(page))["panel-trends"] == "error"
    alert = page.locator("#panel-trends [role='alert']")
    await expect(alert).to_contain_text("Không tải được dữ liệu (503): trends are down")
    assert [s for p, s in (await panel_states(page)).items() if p != "panel-trends"] == ["ready"] * (len(PANELS) - 1)
    await page.unroute("**/api/v1/trends?*")
    await alert.get_by_role("button").click()
    await expect(page.locator("#panel-trends")).to_have_attribute("data-state", "ready")
    assert errors == []
    await context.close()

    for lang in ("vi", "en"):
        phone = await new_context(browser, PHONE)
        page, errors = await open_page(phone, f"{url}/dashboard/?as_of=2025-06-30&lang={lang}")
        title = {"vi": "Nhân lực chuyển đổi số của tỉnh", "en": "The province's digital transformation workforce"}
        assert await page.locator("h1").inner_text() == title[lang]  # ?lang= picks the language
        widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"horizontal scroll at phone width ({lang}): {widths}"
        lefts = {round((await c.bounding_box() or {"x": -1})["x"]) for c in await page.locator(".card").all()}
        assert len(lefts) == 1, "the cards are in one column"
        await page.screenshot(path=str(ARTIFACTS / f"dashboard-phone-{lang}.png"), full_page=True)
        assert errors == []
        await phone.close()
