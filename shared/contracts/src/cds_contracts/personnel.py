"""Events published by the personnel service about CĐS officers.

Only the minimal personal data the province needs in reports travels in events: no national id, phone
or address (those stay inside personnel).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .base import Event
from .registry import REGISTRY
from .topics import PERSONNEL_OFFICER

Assignment = Literal["dedicated", "concurrent"]
"""chuyên trách (dedicated) or kiêm nhiệm (concurrent) CĐS work."""

OfficerFunction = Literal["it_technical", "information_security", "it_leader", "cds_network_member"]

EmploymentCategory = Literal["cadre", "civil_servant", "public_employee", "contract", "other"]
"""cán bộ, công chức, viên chức, hợp đồng, khác."""

DepartureReason = Literal["private_sector", "other_public_body", "retirement", "dismissal", "other"]


@REGISTRY.register("vn.cds.personnel.officer.appointed", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerAppointed(Event):
    """An officer started working on digital transformation in a unit."""

    officer_id: str = Field(description="Stable id of the officer in personnel.", min_length=1)
    full_name: str = Field(description="Full name as written in Vietnamese.", min_length=1)
    birth_year: int | None = Field(default=None, ge=1940, le=2015, description="Year of birth, if known.")
    gender: Literal["female", "male", "other"] | None = Field(default=None, description="Gender, optional.")
    unit_id: str = Field(description="Code of the org unit the officer works in.", min_length=1)
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    assignment: Assignment = Field(description="Dedicated (chuyên trách) or concurrent (kiêm nhiệm).")
    functions: tuple[OfficerFunction, ...] = Field(
        default=(), description="CĐS functions held; an officer may hold several."
    )
    effective_date: dt.date = Field(description="Date the appointment takes effect.")


@REGISTRY.register("vn.cds.personnel.officer.departed", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerDeparted(Event):
    """An officer left CĐS work in the public service."""

    officer_id: str = Field(description="Stable id of the officer in personnel.", min_length=1)
    unit_id: str = Field(description="Unit the officer left.", min_length=1)
    effective_date: dt.date = Field(description="Last day of service.")
    reason: DepartureReason = Field(description="Why the officer left.")
    destination: str | None = Field(default=None, description="Where the officer went, free text.")
