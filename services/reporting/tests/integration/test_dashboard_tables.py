"""The dashboard's tables in headless Chromium: attrition, vacancies, trained share and coverage against
their exports, unit names in both languages, and sector/level filters kept in the URL.

Hand-computed from scenario.py and dashboard_support.py (English names, vacancies, class K1):
- 30 June 2025 (old tree): the 12 months from 1 July 2024 have no departure (O6's was corrected to
  1 August 2025), all eight officers serve at every month end: 0 of 8.0 on average. Open: V1 (C3, 2
  positions, 60 days old) and V2 (P.SKHCN, 1 position, 29 days): mean age 44.5. Trained in 12 months
  (K1 on 5 May 2025): O1 of P.SKHCN's O1 O2 and O4 of C1 (O3 of D failed): P 2 of 8 (25.0%), D 1 of 5
  (O3 O4 O5 O6 O7, 20.0%), C1 1 of 1, P.SKHCN 1 of 2 (50.0%). Agencies: P, D, C1, C3 fail, C2, P.SKHCN
  comply.
- 31 December 2025: O6 left on 1 August (to another public body, last unit C3); month-end headcounts
  8 (January-July) and 7 (August-December): mean 91/12 = 7.6, rate 1/7.583 = 13.2%. Open: V2 (213 days)
  and V3 (91 days). Trained: P's subtree O1 (P.SKHCN) and O4 (now C12) of seven officers: 28.6%.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Download, Locator, Page, expect

from services.reporting.tests.integration.dashboard_support import (
    ARTIFACTS,
    DESKTOP,
    PANELS,
    cells,
    new_context,
    open_page,
    panel_states,
    read_download,
    row_cells,
    rows,
    settled,
)

pytestmark = pytest.mark.integration


async def download(page: Page, panel: str, file: str) -> Download:
    async with page.expect_download() as info:
        await page.click(f"#panel-{panel} a[data-export='{file}']")
    return await info.value


async def csv_rows(d: Download) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((await read_download(d)).decode("utf-8-sig"))))


async def xlsx_rows(d: Download) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(await read_download(d))).worksheets[0]
    header, *body = [[c.value for c in row] for row in sheet.iter_rows()]
    return [dict(zip(map(str, header), row, strict=True)) for row in body]


def query(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query)


async def test_attrition_vacancies_and_trained_share_tables_and_their_exports(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/dashboard/?as_of=2025-06-30")
    assert (
        await page.locator("#panel-attrition-months h2").inner_text() == "Nghỉ việc và tuyển mới theo tháng (12 tháng)"
    )
    await expect(page.locator("#panel-attrition-months .note")).to_have_text(
        "Từ 01/07/2024 đến 30/06/2025: 0 người nghỉ việc, bình quân 8,0 cán bộ, tỷ lệ nghỉ việc 0,0%."
    )
    months = await rows(page, "attrition-months", "data-month")
    assert len(months) == 12 and months[0] == "2024-07" and months[-1] == "2025-06"
    await expect(page.locator("#panel-attrition-units .empty")).to_have_text("Không có dòng nào.")
    assert await cells(page, "vacancies") == [
        ["V1", "UBND xã Kim Long", "Kỹ thuật CNTT", "2", "0", "01/05/2025", "15/07/2025", "60"],
        ["V2", "Sở Khoa học và Công nghệ", "An toàn thông tin", "1", "0", "01/06/2025", "—", "29"],
    ]
    await expect(page.locator("#panel-vacancies .note")).to_have_text(
        "2 vị trí đang mở, 3 chỉ tiêu; đã mở trung bình 44,5 ngày."
    )
    # tree order, parents first
    assert await rows(page, "trained-share") == ["P", "D", "C1", "C2", "C3", "P.HTH", "P.SKHCN"]
    assert await row_cells(page, "trained-share", "data-unit", "P") == [
        "UBND tỉnh Vĩnh Phúc", "Cấp tỉnh", "8", "2", "25,0%"
    ]  # fmt: skip
    assert (await row_cells(page, "trained-share", "data-unit", "D"))[2:] == ["5", "1", "20,0%"]
    assert (await row_cells(page, "trained-share", "data-unit", "P.SKHCN"))[2:] == ["2", "1", "50,0%"]
    await expect(page.locator("#panel-trained-share .note")).to_contain_text("Toàn phạm vi: 2/8 cán bộ (25,0%).")

    await page.select_option("#unit", "D")
    await settled(page)
    assert await rows(page, "vacancies", "data-vacancy") == ["V1"]  # V1 is C3's, under D until July
    assert await rows(page, "trained-share") == ["D", "C1", "C2", "C3"]
    await page.select_option("#unit", "")
    await settled(page)

    await page.fill("#as-of", "2025-12-31")
    await settled(page)
    await expect(page.locator("#panel-attrition-months .note")).to_have_text(
        "Từ 01/01/2025 đến 31/12/2025: 1 người nghỉ việc, bình quân 7,6 cán bộ, tỷ lệ nghỉ việc 13,2%."
    )
    # month, departures, private sector, other public body, retirement, dismissal, other, hires
    assert await row_cells(page, "attrition-months", "data-month", "2025-08") == [
        "08/2025", "1", "0", "1", "0", "0", "0", "0"
    ]  # fmt: skip
    assert await row_cells(page, "attrition-months", "data-month", "2025-07") == ["07/2025"] + ["0"] * 7
    assert await cells(page, "attrition-units") == [["UBND xã Kim Long", "1"]]
    assert await rows(page, "vacancies", "data-vacancy") == ["V2", "V3"]
    assert (await row_cells(page, "vacancies", "data-vacancy", "V2"))[-1] == "213"
    assert await row_cells(page, "trained-share", "data-unit", "P") == [
        "UBND tỉnh Phú Thọ", "Cấp tỉnh", "7", "2", "28,6%"
    ]  # fmt: skip

    d = await download(page, "attrition-months", "attrition-months.csv")
    assert d.suggested_filename == "attrition-months_2025-12-31.csv"
    table = await csv_rows(d)
    assert len(table) == 12
    august = next(r for r in table if r["Tháng"] == "2025-08")
    assert (august["Số nghỉ việc"], august["Sang cơ quan nhà nước khác"], august["Tuyển mới"]) == ("1", "1", "0")
    d = await download(page, "attrition-units", "attrition-units.xlsx")
    assert d.suggested_filename == "attrition-units_2025-12-31.xlsx"
    assert await xlsx_rows(d) == [{"Mã đơn vị": "C3", "Số nghỉ việc": 1}]
    d = await download(page, "vacancies", "vacancies.csv")
    assert [(r["Mã vị trí"], r["Số ngày đã mở"]) for r in await csv_rows(d)] == [("V2", "213"), ("V3", "91")]
    d = await download(page, "trained-share", "trained-share.xlsx")
    shares = {r["Mã đơn vị"]: r["Tỷ lệ (%)"] for r in await xlsx_rows(d)}
    assert set(shares) == set(await rows(page, "trained-share")) and shares["P"] == 28.6
    assert errors == []
    await context.close()


async def test_english_names_and_the_coverage_table_matching_its_export(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/dashboard/?as_of=2025-06-30&lang=en")

    def name(panel: str, unit: str) -> Locator:
        return page.locator(f"#panel-{panel} tr[data-unit='{unit}'] th")

    await expect(name("headcount", "D")).to_have_text("Tam Duong District People's Committee")
    await expect(name("headcount", "C1")).to_have_text("UBND xã Hợp Thịnh")  # no English name: the Vietnamese
    await expect(name("coverage", "P.SKHCN")).to_have_text("Department of Science and Technology")
    await expect(name("teams", "C3")).to_have_text("Kim Long Commune People's Committee")
    await expect(name("trained-share", "P")).to_have_text("Vinh Phuc Provincial People's Committee")
    assert await row_cells(page, "vacancies", "data-vacancy", "V1") == [
        "V1", "Kim Long Commune People's Committee", "IT technical", "2", "0", "1 May 2025", "15 Jul 2025", "60"
    ]  # fmt: skip

    # Coverage: every agency, the failing first and marked in words; the caption says what the export holds.
    assert await rows(page, "coverage") == ["C1", "C3", "D", "P", "C2", "P.SKHCN"]
    badges = await page.locator("#panel-coverage tbody .badge").all_inner_texts()
    assert badges == ["Failing"] * 4 + ["Compliant"] * 2
    await expect(page.locator("#panel-coverage table")).to_have_accessible_name(
        "All 6 agencies in scope, the 4 failing first. The download (CSV, XLSX) lists the same 6 agencies."
    )
    await page.screenshot(path=str(ARTIFACTS / "dashboard-tables-en.png"), full_page=True)
    exported = await xlsx_rows(await download(page, "coverage", "coverage.xlsx"))
    assert sorted(str(r["Unit code"]) for r in exported) == sorted(await rows(page, "coverage"))  # type: ignore[type-var]
    assert {str(r["Unit code"]) for r in exported if r["Compliant"] == "No"} == {"C1", "C3", "D", "P"}

    # The language switch renames without reloading; P's renaming in July 2025 has no English name.
    await page.click("#lang-toggle")
    await expect(name("headcount", "D")).to_have_text("UBND huyện Tam Dương")
    await expect(page.locator("#panel-coverage tr[data-unit='P.SKHCN'] .badge")).to_have_text("Đạt")
    await page.click("#lang-toggle")
    await page.fill("#as-of", "2025-07-01")
    await settled(page)
    await expect(name("headcount", "P")).to_have_text("UBND tỉnh Phú Thọ")
    await expect(name("headcount", "C3")).to_have_text("Kim Long Commune People's Committee")
    assert errors == []
    await context.close()


async def test_several_sectors_and_levels_round_trip_through_the_url(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    sliced = "sector=peoples_committee&sector=state_agency&level=commune&level=province"
    page, errors = await open_page(context, f"{url}/dashboard/?as_of=2025-06-30&{sliced}&lang=vi")
    asked = {"sector": ["peoples_committee", "state_agency"], "level": ["commune", "province"]}
    assert query(page.url) == {"as_of": ["2025-06-30"], **asked, "lang": ["vi"]}
    assert await page.locator("#sector option:checked").inner_text() == "UBND các cấp + Cơ quan nhà nước"
    assert await page.locator("#level option:checked").inner_text() == "Cấp xã + Cấp tỉnh"
    # People's Committees and state agencies at commune or province level: D (district) is left out
    assert await rows(page, "coverage") == ["C1", "C3", "P", "C2", "P.SKHCN"]
    link = await page.locator("#panel-coverage a[data-export='coverage.csv']").get_attribute("href")
    assert {k: v for k, v in query(link or "").items() if k in asked} == asked
    exported = await csv_rows(await download(page, "coverage", "coverage.csv"))
    assert sorted(r["Mã đơn vị"] for r in exported) == sorted(await rows(page, "coverage"))  # type: ignore[type-var]

    # Picking one sector replaces both; the levels stay as the link gave them, also after a reload.
    await page.select_option("#sector", "state_agency")
    await settled(page)
    assert query(page.url)["sector"] == ["state_agency"] and query(page.url)["level"] == asked["level"]
    assert await rows(page, "coverage") == ["P.SKHCN"]
    assert await page.locator("#sector option").count() == 6  # "all" and the five sectors
    await page.reload()
    await settled(page)
    assert await page.locator("#sector").input_value() == "state_agency"
    assert await page.locator("#level option:checked").inner_text() == "Cấp xã + Cấp tỉnh"
    await page.select_option("#level", "")
    await settled(page)
    assert "level" not in query(page.url)
    assert errors == []
    await context.close()


async def test_new_panels_fail_alone_retry_alone_and_take_the_keyboard(url: str, browser: Browser) -> None:
    context = await new_context(browser, DESKTOP)
    page, errors = await open_page(context, url + "/dashboard/?as_of=2025-12-31")
    problem = '{"title": "Internal Server Error", "detail": "attrition is down"}'
    await page.route(
        "**/api/v1/attrition?*",
        lambda route: route.fulfill(status=500, content_type="application/problem+json", body=problem),
    )
    await page.select_option("#level", "commune")
    await settled(page)
    states = await panel_states(page)
    assert {p for p, s in states.items() if s == "error"} == {"panel-attrition-months", "panel-attrition-units"}
    assert [s for s in states.values() if s == "ready"] == ["ready"] * (len(PANELS) - 2)
    alert = page.locator("#panel-attrition-units [role='alert']")
    await expect(alert).to_contain_text("Không tải được dữ liệu (500): attrition is down")
    await page.unroute("**/api/v1/attrition?*")
    await alert.get_by_role("button").click()
    await expect(page.locator("#panel-attrition-units")).to_have_attribute("data-state", "ready")
    assert (await panel_states(page))["panel-attrition-months"] == "error"  # each panel retries on its own
    # communes only: C3's departure is the one left in the slice
    assert await cells(page, "attrition-units") == [["UBND xã Kim Long", "1"]]

    await page.focus("#panel-teams a[data-export='community-teams.xlsx']")
    reached: list[str] = []
    for _ in range(30):
        await page.keyboard.press("Tab")
        reached.append(await page.evaluate("() => document.activeElement.dataset.export || ''"))
        if reached[-1] == "vacancies.csv":
            break
    # the export links in page order (the error box's retry button and any scrolling table lie between)
    assert [r for r in reached if r] == [
        "attrition-months.csv", "attrition-months.xlsx", "attrition-units.csv", "attrition-units.xlsx",
        "trained-share.csv", "trained-share.xlsx", "vacancies.csv",
    ]  # fmt: skip
    async with page.expect_download() as info:
        await page.keyboard.press("Enter")
    assert (await info.value).suggested_filename == "vacancies_2025-12-31.csv"
    assert errors == []
    await context.close()
