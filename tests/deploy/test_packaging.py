"""A regular (non-editable) install finds every package's SQL migrations: they ship as package data.

The wheels are built from a copy of the sources (pyproject.toml and src/ only, as the image copies them)
and imported straight from the .whl files (zipimport) by a fresh interpreter without site (-S), so the
editable installs of this checkout cannot stand in for them. A package that stopped declaring its
migrations as package data, or code that looked for them next to src/ again, fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cds_plumbing.migrations import discover

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("personnel", "training", "recruitment", "reporting")
PROJECTS = {"cds_contracts": "shared/contracts", "cds_plumbing": "shared/plumbing"} | {
    s: f"services/{s}" for s in SERVICES
}

# Runs inside the wheel-only interpreter: each package's module file and its migrations as found there.
PROBE = """
import importlib, json, sys
from cds_plumbing.migrations import PLUMBING_MIGRATIONS, discover, packaged_migrations
found = {}
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    folder = PLUMBING_MIGRATIONS if package == "cds_plumbing" else packaged_migrations(package)
    found[package] = {"file": module.__file__, "migrations": {m.name: m.checksum for m in discover(package, folder)}}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One wheel per project, built in one pip run with this environment's setuptools (requirements-dev.txt):
    an isolated build environment per project would fetch setuptools again and take seconds each."""
    sources, out = tmp_path_factory.mktemp("sources"), tmp_path_factory.mktemp("wheels")
    for folder in PROJECTS.values():
        (sources / folder).mkdir(parents=True)
        shutil.copy(ROOT / folder / "pyproject.toml", sources / folder / "pyproject.toml")
        # not the editable install's egg-info: its SOURCES.txt would smuggle in files the pyproject does not declare
        leave_out = shutil.ignore_patterns("__pycache__", "*.egg-info")
        shutil.copytree(ROOT / folder / "src", sources / folder / "src", ignore=leave_out)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation", "-w", str(out)]
        + [str(sources / folder) for folder in PROJECTS.values()],
        check=True,
        timeout=120,
    )
    built = sorted(out.glob("*.whl"))
    assert len(built) == len(PROJECTS)
    return built


def test_installed_packages_find_their_migrations(wheels: list[Path]) -> None:
    # The wheels first; then the third-party libraries (asyncpg, pydantic...) of this environment. Without
    # site, none of the editable installs' .pth entries is read.
    libraries = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    path = os.pathsep.join([str(w) for w in wheels] + sorted(libraries))
    probe = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, *PROJECTS.keys() - {"cds_contracts"}],
        env={"PYTHONPATH": path, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    for package, seen in found.items():
        assert ".whl" in seen["file"], f"{package} was imported from {seen['file']}, not from its wheel"
        checkout = ROOT / PROJECTS[package] / "src" / package / ("sql" if package == "cds_plumbing" else "migrations")
        expected = {m.name: m.checksum for m in discover(package, checkout)}
        assert expected, f"{package} has no migrations in the checkout"
        assert seen["migrations"] == expected, f"{package}'s wheel does not carry the same migrations"
