"""The demo's generator at reduced scale, loaded through the same loader and the services' public APIs:
every headline figure reporting computes equals the generator's own expected value, and a second load
(without RESET) changes nothing. Codes carry a random prefix so the run never meets the full demo."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from demo.__main__ import summary_rows
from demo.generator import generate
from demo.loader import Urls, load
from tests.support.e2e import settled_summary

pytestmark = pytest.mark.e2e


def test_reduced_demo_load_matches_the_generators_totals_and_loads_once() -> None:
    ds = generate(seed=7, scale=0.05, prefix=f"D{uuid.uuid4().hex[:5].upper()}-")
    urls = Urls.local()
    token = mint_token(ServiceSettings(service_name="e2e"), Role.PROVINCE_ADMIN, subject="e2e-demo")
    lines: list[str] = []
    assert asyncio.run(load(ds, urls, token, lines.append, timeout_s=240)) is True
    assert any(line.startswith("[9/9] reporting has applied everything") for line in lines), lines

    rows = settled_summary(ds, urls.reporting)
    mismatches = [row for row in rows if row[1] != row[2]]
    assert not mismatches, mismatches
    assert len(rows) >= 20

    again: list[str] = []
    assert asyncio.run(load(ds, urls, token, again.append)) is False
    assert "already exists" in again[0]
    assert [r[1] for r in summary_rows(ds, urls.reporting) if "whole stack" not in r[0]] == [r[1] for r in rows]
