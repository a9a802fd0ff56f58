"""The view registry is the one place views are declared: every route, table, snapshot entry and overview
source points at an entry of it, and the routes serve exactly its paths and models."""

from __future__ import annotations

from reporting.config import Settings
from reporting.entrypoints.app import build_app
from reporting.entrypoints.http.registry import OVERVIEW_SOURCES, SNAPSHOT_VIEWS, VIEWS
from reporting.service_layer.export_tables import SPECS


def test_tables_snapshots_and_overview_name_registry_views() -> None:
    assert {s.view for s in SPECS.values()} <= set(VIEWS)
    assert set(SNAPSHOT_VIEWS) <= set(VIEWS) and len(set(SNAPSHOT_VIEWS)) == len(SNAPSHOT_VIEWS)
    assert set(OVERVIEW_SOURCES.values()) <= set(VIEWS)
    assert sum(len(v.tables) for v in VIEWS.values()) == len(SPECS)  # every table belongs to one view


def test_each_view_is_served_at_its_path_with_its_model() -> None:
    paths = build_app(Settings(database_url="postgresql://unused/unused")).openapi()["paths"]
    for view in VIEWS.values():
        schema = paths[view.path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].rsplit("/", 1)[1] == view.model.__name__, view.name
    assert len({v.path for v in VIEWS.values()}) == len(VIEWS)
