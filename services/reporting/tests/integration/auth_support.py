"""Bearer tokens for reporting's tests: every /api/v1 read needs one (the viewer role suffices)."""

from __future__ import annotations

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings


def viewer(settings: ServiceSettings) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER, subject='dashboard-viewer')}"}
