"""GET /api/v1/catalogue: the registry as the dashboard reads it, behind the token; each view it names
answers at the path it gives."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reporting.entrypoints.http.registry import SNAPSHOT_VIEWS, VIEWS
from reporting.service_layer.export_tables import SPECS
from services.reporting.tests.integration.test_bodies_unchanged import client, fed, settings

pytestmark = pytest.mark.integration
__all__ = ["client", "fed", "settings"]  # the fixtures: the fixed data set and the app over it


def test_the_catalogue_names_every_view_its_tables_and_each_path_answers(client: TestClient) -> None:
    assert client.get("/api/v1/catalogue", headers={"Authorization": ""}).status_code == 401
    views = {v["name"]: v for v in client.get("/api/v1/catalogue").json()["views"]}
    assert set(views) == {*VIEWS, "overview", "former-provinces"}
    assert sorted(t["name"] for v in views.values() for t in v["tables"]) == sorted(SPECS)
    assert {n for n, v in views.items() if v["snapshot"]} == set(SNAPSHOT_VIEWS)
    assert views["attrition"]["tables"][0] == {
        "name": "attrition-months",
        "title_vi": "Nghỉ việc và tuyển mới theo tháng",
        "title_en": "Departures and hires by month",
    }
    assert views["trends"]["parameters"] == ["from", "to"]
    former = client.get(views.pop("former-provinces")["path"])  # a list: it takes no day and no slice
    assert former.status_code == 200 and "former_provinces" in former.json()
    for name, view in views.items():
        params = {"as_of": "2024-12-31", **({"year": "2024"} if "year" in view["parameters"] else {})}
        answer = client.get(view["path"], params=params)
        assert answer.status_code == 200 and answer.json()["as_of"] == "2024-12-31", name
