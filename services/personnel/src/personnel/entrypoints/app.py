"""ASGI entry point: `uvicorn personnel.entrypoints.app:app`."""

from pathlib import Path

from cds_plumbing.runtime import create_service_app
from personnel.config import Settings

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"

app = create_service_app(Settings(), title="Personnel service", migrations=MIGRATIONS)
