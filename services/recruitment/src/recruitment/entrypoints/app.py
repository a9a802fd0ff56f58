"""ASGI entry point: `uvicorn recruitment.entrypoints.app:app`."""

from pathlib import Path

from cds_plumbing.runtime import create_service_app
from recruitment.config import Settings

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"

app = create_service_app(Settings(), title="Recruitment service", migrations=MIGRATIONS)
