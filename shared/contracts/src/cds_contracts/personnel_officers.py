"""Events published by personnel about CĐS officers (cán bộ, công chức, viên chức working on CĐS).

No personal data travels in these events (topics keep their records for ever): ids, units, dates and
codes only. An officer's name is on the compacted `personnel.officer-profile` topic (cds_contracts.profiles),
which personnel's erasure empties. Version 1 of OfficerAppointed, OfficerDeparted and OfficerCorrected
carried name, birth year, gender, destination and a free-text note: consumers still read v1 records already
on the topic, but never store those fields; producers emit v2 only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Event
from .bounds import Count, Day, Id, Line, Many, Text
from .registry import REGISTRY
from .topics import PERSONNEL_OFFICER

Assignment = Literal["dedicated", "concurrent"]
"""chuyên trách (dedicated) or kiêm nhiệm (concurrent) CĐS work."""

OfficerFunction = Literal["it_technical", "information_security", "it_leader", "cds_network_member"]

EmploymentCategory = Literal["cadre", "civil_servant", "public_employee", "contract", "other"]
"""cán bộ, công chức, viên chức, hợp đồng, khác."""

DepartureReason = Literal["private_sector", "other_public_body", "retirement", "dismissal", "other"]


@REGISTRY.register("vn.cds.personnel.officer.appointed", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerAppointedV1(Event):
    """Version 1 (read only): carried the officer's name, birth year and gender."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    full_name: Line = Field(description="Full name as written in Vietnamese.")
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(
        default=None, description="Year of birth, if known."
    )
    gender: Literal["female", "male", "other"] | None = Field(default=None, description="Gender, optional.")
    unit_id: Id = Field(description="Code of the org unit the officer works in.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    assignment: Assignment = Field(description="Dedicated (chuyên trách) or concurrent (kiêm nhiệm).")
    functions: Many[OfficerFunction] = Field(default=(), description="CĐS functions held; an officer may hold several.")
    effective_date: Day = Field(description="Date the appointment takes effect.")
    application_id: Id | None = Field(
        default=None, description="Recruitment application this appointment answers, when it came from a hire."
    )


@REGISTRY.register("vn.cds.personnel.officer.appointed", 2, PERSONNEL_OFFICER, key="officer_id")
class OfficerAppointed(Event):
    """An officer started working on digital transformation in a unit (the name is on the profile topic)."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    unit_id: Id = Field(description="Code of the org unit the officer works in.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    assignment: Assignment = Field(description="Dedicated (chuyên trách) or concurrent (kiêm nhiệm).")
    functions: Many[OfficerFunction] = Field(default=(), description="CĐS functions held; an officer may hold several.")
    effective_date: Day = Field(description="Date the appointment takes effect.")
    application_id: Id | None = Field(
        default=None, description="Recruitment application this appointment answers, when it came from a hire."
    )


@REGISTRY.register("vn.cds.personnel.officer.departed", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerDepartedV1(Event):
    """Version 1 (read only): carried the destination employer as free text."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    unit_id: Id = Field(description="Unit the officer left.")
    effective_date: Day = Field(description="Date of departure; the officer no longer counts from this day.")
    reason: DepartureReason = Field(description="Why the officer left.")
    destination: Line | None = Field(default=None, description="Where the officer went, free text.")


@REGISTRY.register("vn.cds.personnel.officer.departed", 2, PERSONNEL_OFFICER, key="officer_id")
class OfficerDeparted(Event):
    """An officer left CĐS work in the public service (the destination employer stays in personnel)."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    unit_id: Id = Field(description="Unit the officer left.")
    effective_date: Day = Field(description="Date of departure; the officer no longer counts from this day.")
    reason: DepartureReason = Field(description="Why the officer left (a code).")


@REGISTRY.register("vn.cds.personnel.officer.assignment_changed", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerAssignmentChanged(Event):
    """An officer's CĐS assignment or functions changed from `effective_date` (the full new state)."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    assignment: Assignment = Field(description="Dedicated (chuyên trách) or concurrent (kiêm nhiệm).")
    functions: Many[OfficerFunction] = Field(default=(), description="CĐS functions held from that day.")
    effective_date: Day = Field(description="First day of the new assignment.")


@REGISTRY.register("vn.cds.personnel.officer.transferred", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerTransferred(Event):
    """An officer moved to another unit, by decision or because a reorganisation carried them."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    from_unit_id: Id = Field(description="Unit the officer leaves.")
    to_unit_id: Id = Field(description="Unit the officer joins.")
    effective_date: Day = Field(description="First day in the new unit.")
    reason: Literal["transfer", "reorganisation"] = Field(description="A transfer decision or a reorganisation.")


DegreeLevel = Literal["college", "bachelor", "engineer", "master", "doctorate", "other"]
DegreeField = Literal["it", "electronics_telecom", "other"]


@REGISTRY.register("vn.cds.personnel.officer.qualification_added", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerQualificationAdded(Event):
    """An officer's degree was recorded."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    degree_level: DegreeLevel = Field(description="Cao đẳng, cử nhân, kỹ sư, thạc sĩ, tiến sĩ, khác.")
    field: DegreeField = Field(description="IT, electronics-telecommunications, or another field.")
    year: Annotated[Count, Field(ge=1950, le=2100)] | None = Field(
        default=None, description="Year the degree was awarded."
    )


@REGISTRY.register("vn.cds.personnel.officer.certificate_added", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerCertificateAdded(Event):
    """A certificate held by an officer was recorded (e.g. an information-security certificate)."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    certificate_id: Id = Field(description="Id of this certificate record.")
    name: Line = Field(description="Certificate name.")
    issuer: Line = Field(description="Issuing body.")
    issued_on: Day = Field(description="Date of issue.")
    expires_on: Day | None = Field(default=None, description="Expiry date; none if it does not expire.")


@REGISTRY.register("vn.cds.personnel.officer.corrected", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerCorrectedV1(Event):
    """Version 1 (read only): carried name, birth year, gender, destination and a free-text note."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    full_name: Line = Field(description="Full name as written in Vietnamese.")
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(
        default=None, description="Year of birth, if known."
    )
    gender: Literal["female", "male", "other"] | None = Field(default=None, description="Gender, optional.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    departure_date: Day | None = Field(default=None, description="Corrected departure date, if departed.")
    departure_reason: DepartureReason | None = Field(default=None, description="Corrected reason, if departed.")
    departure_destination: Line | None = Field(default=None, description="Corrected destination, if departed.")
    note: Text = Field(description="Why the correction was made.")


@REGISTRY.register("vn.cds.personnel.officer.corrected", 2, PERSONNEL_OFFICER, key="officer_id")
class OfficerCorrected(Event):
    """A data-entry error in an officer's record was corrected (the only change allowed after departure).

    Carries the corrected non-personal core record in full; departure fields are set for departed officers.
    A correction of personal fields only (the name) changes the profile topic and emits no OfficerCorrected."""

    officer_id: Id = Field(description="Stable id of the officer in personnel.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    departure_date: Day | None = Field(default=None, description="Corrected departure date, if departed.")
    departure_reason: DepartureReason | None = Field(default=None, description="Corrected reason, if departed.")


@REGISTRY.register("vn.cds.personnel.officer.appointment_refused", 1, PERSONNEL_OFFICER, key="officer_id")
class OfficerAppointmentRefused(Event):
    """Personnel could not appoint a hired candidate (e.g. the unit was dissolved meanwhile)."""

    officer_id: Id = Field(description="The id the officer would have had.")
    application_id: Id = Field(description="Recruitment application of the hire.")
    unit_id: Id = Field(description="Unit named in the hire.")
    reason: Text = Field(description="Why the appointment was refused (about the unit, e.g. dissolved).")
