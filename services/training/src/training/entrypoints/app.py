"""ASGI entry point: `uvicorn training.entrypoints.app:app`."""

from pathlib import Path

from cds_plumbing.runtime import create_service_app
from training.config import Settings

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"

app = create_service_app(Settings(), title="Training service", migrations=MIGRATIONS)
