"""CSV and XLSX exports over HTTP against the real PostgreSQL: files read back and compared with the JSON
view and with hand-computed figures; every table spec checked against its view's real body; errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cds_contracts import Registry, TopicSpec
from reporting.config import Settings
from reporting.domain.tables import problems, rows_of
from reporting.entrypoints.app import build_app
from reporting.entrypoints.http.registry import VIEWS
from reporting.service_layer.export_tables import SPECS
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import Feeder, correction, history, reorganisation
from services.reporting.tests.integration.test_readiness_view import team
from services.reporting.tests.integration.test_recruitment_views import recruitment
from services.reporting.tests.integration.test_training_views import year_2024

pytestmark = pytest.mark.integration

# Query parameters under which each table has rows in the scenario.
PARAMS: dict[str, dict[str, str]] = {
    "headcount": {"as_of": "2024-12-31"},
    "coverage": {"as_of": "2024-12-31"},
    "community-teams": {"as_of": "2025-07-01"},
    "community-members": {"as_of": "2025-07-01"},
    "trained-share": {"as_of": "2024-12-31"},
    "certificates-expiring": {"as_of": "2026-12-01"},
    "drills": {"as_of": "2024-12-31", "year": "2024"},
    "attainment": {"year": "2024"},
    "vacancies": {"as_of": "2024-12-31"},
    "pipeline": {"year": "2024"},
    "policies": {},
    "staffing-fill": {"year": "2024", "as_of": "2024-12-31"},
    "attrition-months": {"as_of": "2025-12-31"},
    "attrition-units": {"as_of": "2025-12-31"},
    "readiness": {"as_of": "2024-12-01"},
    "trends": {"as_of": "2025-12-31"},
    "units": {"as_of": "2025-07-01"},
}


@pytest.fixture
async def fed(feeder: Feeder) -> Feeder:
    for events in (history() + reorganisation() + correction(), year_2024(), recruitment(), team()):
        result = await feeder.feed(events)
        assert result.dead_lettered == 0 and result.applied == len(events)
    return feeder


@pytest.fixture
def client(
    reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]], fed: Feeder
) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # the app's own consumer reads fresh, empty topics
    settings = Settings(
        database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=f"rep-{uuid.uuid4().hex[:8]}"
    )
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def _csv(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_headcount_as_csv_and_xlsx_matches_the_json_view(client: TestClient) -> None:
    params = {"as_of": "2024-12-31", "unit_id": "D"}
    view = client.get("/api/v1/officers/headcount", params=params).json()
    got = client.get("/api/v1/exports/headcount.xlsx", params=params)
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert got.headers["content-disposition"] == 'attachment; filename="headcount_2024-12-31.xlsx"'
    sheet, about = load_workbook(io.BytesIO(got.content)).worksheets
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp"]
    total = header.index("Tổng số (gồm cấp dưới)")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    # Hand-computed: D holds O3, C1 O4, C2 O5, C3 O6 and O7 on 31/12/2024.
    assert {u: r[total] for u, r in rows.items()} == {"D": 5, "C1": 1, "C2": 1, "C3": 2}
    assert {u["unit_id"]: u["rolled_up"]["total"] for u in view["units"]} == {u: r[total] for u, r in rows.items()}
    assert rows["D"][2:4] == ("UBND", "Cấp huyện") and isinstance(rows["D"][total], int)
    info = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    assert info["Số liệu tính đến ngày"] == "2024-12-31" and info["Đơn vị"] == "D"

    csv_ = client.get("/api/v1/exports/headcount.csv", params={**params, "lang": "en"})
    assert csv_.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_.headers["content-disposition"] == 'attachment; filename="headcount_2024-12-31.csv"'
    lines = _csv(csv_.content)
    assert lines[0][:4] == ["Unit code", "Unit name", "Unit kind", "Level"]
    col = lines[0].index("Total (with sub-units)")
    assert {r[0]: int(r[col]) for r in lines[1:]} == {"D": 5, "C1": 1, "C2": 1, "C3": 2}
    assert {r[0]: r[3] for r in lines[1:]} == {"D": "District", "C1": "Commune", "C2": "Commune", "C3": "Commune"}


def test_dates_and_numbers_keep_their_types(client: TestClient) -> None:
    got = client.get("/api/v1/exports/certificates-expiring.xlsx", params={"as_of": "2026-12-01"})
    sheet = load_workbook(io.BytesIO(got.content)).worksheets[0]
    (row,) = list(sheet.iter_rows(min_row=2, values_only=True))
    # O1's certificate from personnel, expiring 9 January 2027: 39 days after 1 December 2026.
    assert row[0] == "CERT-1" and row[4:] == (dt.datetime(2024, 1, 10), dt.datetime(2027, 1, 9), "Hồ sơ cán bộ", 39)
    attainment = client.get(
        "/api/v1/exports/attainment.csv", params={"year": "2024", "as_of": "2024-12-31", "lang": "en"}
    )
    assert attainment.headers["content-disposition"] == 'attachment; filename="attainment_2024-12-31.csv"'
    rows = {r[0]: r[1:] for r in _csv(attainment.content)[1:]}
    assert rows["Classes"] == ["2", "2", "100.0"] and rows["Trainees, commune"] == ["1", "0", "0.0"]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_table_spec_fits_its_views_real_body(client: TestClient, name: str) -> None:
    spec = SPECS[name]
    body: dict[str, Any] = client.get(VIEWS[spec.view].path, params=PARAMS[name]).json()
    assert problems(spec, body) == []
    rows = rows_of(spec, body)
    assert rows, f"{name}: the scenario should give the table rows, or its columns go unchecked"
    lines = _csv(client.get(f"/api/v1/exports/{name}.csv", params=PARAMS[name]).content)
    assert len(lines) == 1 + len(rows) and len(lines[0]) == len(spec.columns)
    book = load_workbook(io.BytesIO(client.get(f"/api/v1/exports/{name}.xlsx", params=PARAMS[name]).content))
    assert book.worksheets[0].max_row == 1 + len(rows)


def test_every_table_has_parameters_here() -> None:
    assert set(PARAMS) == set(SPECS)


def test_unknown_tables_formats_and_the_views_errors(client: TestClient) -> None:
    unknown = client.get("/api/v1/exports/nothing.csv")
    assert unknown.status_code == 404 and "no table 'nothing'" in unknown.json()["detail"]
    bad = client.get("/api/v1/exports/headcount.pdf")
    assert bad.status_code == 404 and "<table>.csv or <table>.xlsx" in bad.json()["detail"]
    gone = client.get("/api/v1/exports/headcount.xlsx", params={"as_of": "2025-07-01", "unit_id": "D"})
    assert gone.status_code == 404 and "does not exist on 2025-07-01" in gone.json()["detail"]
    no_year = client.get("/api/v1/exports/attainment.csv")
    assert no_year.status_code == 422
    wrong_lang = client.get("/api/v1/exports/headcount.csv", params={"lang": "fr"})
    assert wrong_lang.status_code == 422


def test_a_misspelt_parameter_is_refused_and_another_views_parameter_ignored(client: TestClient) -> None:
    """One query string may serve every table (`year` only matters to the tables of yearly views), but a name
    no view takes (`unit=` for `unit_id=`) is a 422 rather than an export of the whole province."""
    params = {"as_of": "2024-12-31"}
    plain = client.get("/api/v1/exports/headcount.csv", params=params)
    with_year = client.get("/api/v1/exports/headcount.csv", params={**params, "year": "2024"})
    assert plain.status_code == with_year.status_code == 200 and plain.content == with_year.content
    misspelt = client.get("/api/v1/exports/headcount.csv", params={**params, "unit": "D"})
    assert misspelt.status_code == 422 and "unit" in misspelt.json()["detail"]
    assert client.get("/api/v1/officers/headcount", params={**params, "unit": "D"}).status_code == 422
