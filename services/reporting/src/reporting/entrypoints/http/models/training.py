"""Response models of the training views (and the header the recruitment and readiness models share),
so /openapi.json documents them. They describe the bodies the service layer builds, never reshape them."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen, SliceEcho, Timestamp

Pct = float | None
Number = int | float  # a mean or median of whole days stays an int when it is one: the body is not reshaped


class Header(Frozen):
    as_of: dt.date = Field(description="Day the figures are valid on; units are those of that day's tree.")
    current_to: Timestamp | None = Field(
        description="Time of the newest event applied to the projections (freshness); null before any event."
    )
    slice: SliceEcho = Field(description="What part of the province the figures cover, as asked.")


class TargetAttainment(Frozen):
    target: int = Field(description="The plan's target (province-wide, current revision); 0 = not planned.")
    actual: int = Field(description="Achieved by as_of, counting only the slice's trainees, classes and drills.")
    attainment_pct: Pct = Field(description="actual / target in percent (may exceed 100); null when not planned.")


class PlanTargetsAttainment(Frozen):
    classes: TargetAttainment = Field(description="Completed basic classes (a slice: those its trainees took).")
    trainees_province: TargetAttainment = Field(description="Trainees of province-level units who passed.")
    trainees_district: TargetAttainment = Field(description="Trainees of district-level units who passed.")
    trainees_commune: TargetAttainment = Field(description="Trainees of commune-level units who passed.")
    advanced_classes: TargetAttainment = Field(description="Completed advanced classes.")
    advanced_trainees: TargetAttainment = Field(description="Trainees who passed an advanced class.")
    drills: TargetAttainment = Field(description="Drills held (a slice: those its units took part in).")


class ClassCompletion(Frozen):
    enrolled: int = Field(description="Enrolments (not withdrawn) in classes completed by as_of.")
    passed: int = Field(description="Of those, trainees who passed.")
    failed: int = Field(description="Of those, trainees who failed.")
    completion_rate_pct: Pct = Field(description="passed / enrolled in percent; null without enrolments.")


class AttainmentResponse(Header):
    year: int = Field(description="The plan year.")
    plan_revision: int | None = Field(description="Revision of the plan in force; null when no plan was adopted.")
    targets: PlanTargetsAttainment = Field(description="Each target of the plan against what was done.")
    overall_attainment_pct: Pct = Field(
        description="Mean of the planned targets' attainments, each capped at 100%; null when nothing is planned."
    )
    completion: ClassCompletion = Field(description="Completion rate of the year's completed classes.")


class TrainedShareUnit(Frozen):
    unit_id: str = Field(description="Unit of the slice on as_of.")
    name_vi: str = Field(description="Vietnamese name valid on as_of.")
    level: str = Field(description="Administrative level.")
    officers: int = Field(description="Officers serving on as_of in the unit and the units under it in the slice.")
    trained_12m: int = Field(description="Of those, officers who passed a class in the 12 months up to as_of.")
    trained_share_pct: Pct = Field(description="trained_12m / officers in percent; null without officers.")


class TrainedShareTotals(Frozen):
    officers: int = Field(description="Officers serving on as_of in the slice (the whole province: every officer).")
    trained_12m: int = Field(description="Of those, officers who passed a class in the 12 months up to as_of.")
    trained_share_pct: Pct = Field(description="trained_12m / officers in percent; null without officers.")


class TrainedShareResponse(Header):
    unit_id: str | None = Field(description="The slice's unit (same as slice.unit_id), kept for older clients.")
    units: list[TrainedShareUnit] = Field(description="Units of the slice on as_of, sorted by unit_id.")
    totals: TrainedShareTotals = Field(description="The slice's officers, by their unit on as_of.")


class ExpiringCertificate(Frozen):
    certificate_id: str = Field(description="Certificate identifier.")
    officer_id: str = Field(description="Holder (by id only: reporting serves no personal names).")
    unit_id: str = Field(description="Holder's unit on as_of.")
    name: str = Field(description="Certificate name.")
    issued_on: dt.date = Field(description="Day of issue.")
    expires_on: dt.date = Field(description="Day of expiry.")
    source: str = Field(description="training (issued for a class) or personnel (recorded on the officer).")
    days_left: int = Field(description="Days from as_of to expiry.")


class ExpiringResponse(Header):
    within_days: int = Field(description="The look-ahead asked for, in days.")
    certificates: list[ExpiringCertificate] = Field(
        description="Certificates of officers serving in the slice on as_of expiring within the look-ahead, "
        "soonest first."
    )


class DrillUnit(Frozen):
    unit_id: str = Field(description="Unit taking part in drills or owning findings.")
    drills: int = Field(description="Drills of the year it took part in, held up to as_of.")
    open_findings: int = Field(description="Findings it owns still open on as_of.")
    overdue_findings: int = Field(description="Of those, findings past their due day.")


class DrillTotals(Frozen):
    open_findings: int = Field(description="Open findings of the slice's units on as_of.")
    overdue_findings: int = Field(description="Of those, overdue ones.")


class DrillsResponse(Header):
    year: int = Field(description="Year of the drills counted (default: as_of's year).")
    units: list[DrillUnit] = Field(description="Units of the slice with drills or open findings, sorted by unit_id.")
    totals: DrillTotals = Field(description="Findings of the slice's units.")
