"""The dashboard's files: one dictionary with both languages for every word, and the router serving them."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from reporting.domain.labels import ENUMS
from reporting.domain.slices import LEVELS, SECTORS
from reporting.entrypoints.http import dashboard
from reporting.entrypoints.http.catalogue import CATALOGUE
from reporting.service_layer.export_tables import SPECS

STATIC = dashboard.STATIC
MESSAGES: dict[str, dict[str, str]] = json.loads((STATIC / "i18n.json").read_text(encoding="utf-8"))
SOURCES = {p.name: p.read_text(encoding="utf-8") for p in STATIC.iterdir() if p.suffix in (".js", ".html")}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What a Content-Security-Policy without 'unsafe-inline' refuses: a style attribute given to the element
# builders (h/s), style or script elements with a body, inline handlers in markup.
INLINE = re.compile(r"""\b[hs]\(\s*"[\w-]+",\s*\{[^}]*\bstyle:|\sstyle=|<style|<script>|\son\w+=["']""")


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == {"vi", "en"}, key
        assert entry["vi"].strip() and entry["en"].strip(), key
        assert set(PLACEHOLDER.findall(entry["vi"])) == set(PLACEHOLDER.findall(entry["en"])), key


def test_every_message_used_exists_and_every_message_is_used() -> None:
    code = "\n".join(SOURCES.values())
    used = set(re.findall(r"""\bt\(\s*"(\w+)\"""", code)) | set(re.findall(r'data-i18n="(\w+)"', code))
    assert used, "no message use found: has the page's code changed shape?"
    assert used - set(MESSAGES) == set()
    # keys also appear as plain strings (panel titles, card labels) or built from a prefix (export_csv/xlsx)
    unused = {k for k in MESSAGES if f'"{k}"' not in code and not k.startswith("export_")}
    assert unused == set()


def test_the_code_labels_the_page_uses_cover_every_sector_and_level() -> None:
    assert set(SECTORS) <= set(ENUMS["sector"])
    assert set(LEVELS) <= set(ENUMS["level"])
    for enum in ("unit_kind", "coverage_gap"):
        assert ENUMS[enum], enum
    for name in ("sector", "level", "unit_kind", "coverage_gap"):
        assert f'"{name}"' in SOURCES["app.js"] + SOURCES["panels.js"]


def test_the_router_serves_the_page_its_files_and_nothing_else() -> None:
    app = FastAPI()
    app.include_router(dashboard.router)
    client = TestClient(app)
    for path in ("/", "/dashboard"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="vi">' in page.text and "http" not in page.text  # nothing loaded from elsewhere
    for name in [*re.findall(r'(?:src|href)="([\w.]+)"', page.text), "panels.js", "i18n.json"]:
        response = client.get(f"/dashboard/{name}")
        assert response.status_code == 200, name
        assert response.headers["cache-control"] == "no-cache"
    assert client.get("/dashboard/app.js").headers["content-type"] == "text/javascript; charset=utf-8"
    labels = client.get("/dashboard/labels.json").json()
    assert labels["sector"]["party_agency"] == {"vi": "Cơ quan Đảng", "en": "Party agencies"}
    for bad in ("missing.js", "..%2Fdashboard.py", "%2E%2E/app.py", "dashboard.py", ".hidden.js"):
        assert client.get(f"/dashboard/{bad}").status_code == 404, bad


def test_the_page_runs_only_its_own_files_sends_no_referer_and_is_never_framed() -> None:
    app = FastAPI()
    app.include_router(dashboard.router)
    page = TestClient(app).get("/dashboard/")
    policy = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-frame-options"] == "DENY"
    with_provider = dashboard.content_security_policy("http://127.0.0.1:9000/realms/cds")
    assert "connect-src 'self' http://127.0.0.1:9000 https:;" in with_provider  # discovery, then its token endpoint
    # The policy refuses inline styles and scripts: the page's own code must set none.
    for name, text in SOURCES.items():
        assert not re.search(INLINE, text), name


def test_no_asset_reaches_the_network() -> None:
    for name, text in SOURCES.items():
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), name
        assert not re.search(r"""\bimport\s[^;]*from\s+["'](?!\./)""", text), name  # only the page's own modules


def test_every_panel_exports_a_table_cut_from_the_view_it_shows() -> None:
    panels = re.findall(r'view: "([^"]+)",\s*table: (?:"([^"]+)"|null)', SOURCES["panels.js"])
    assert len(panels) == 9, "PANELS in panels.js changed shape?"
    catalogue = {v.name: v for v in CATALOGUE.views}
    for view, table in panels:
        assert view in catalogue, view  # the page names views the service's catalogue has
        if table:
            assert SPECS[table].view == view and table in [t.name for t in catalogue[view].tables], table
    assert {t for _, t in panels} >= {"attrition-months", "attrition-units", "vacancies", "trained-share", "coverage"}


def test_the_page_holds_no_view_path_of_its_own() -> None:
    """Paths come from GET /api/v1/catalogue (the registry); only the catalogue's and the exports' are fixed."""
    for name, text in SOURCES.items():
        for path in re.findall(r"/api/v1/[\w/.${}-]*", text):
            assert path.startswith(("/api/v1/catalogue", "/api/v1/exports/")), (name, path)
