"""Events published by the training service: programmes, yearly plans, classes, certificates, drills.

Class events are keyed by class id (an enrolment always precedes its attendance and completion), drill
events by drill id, plan events by year. Events carry the facts reporting needs (programme kind, the
trainee's unit and level) so no consumer has to ask training.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Event
from .bounds import Count, Day, Finite, Id, Line, Many, Text
from .personnel_org_units import UnitLevel
from .registry import REGISTRY
from .topics import TRAINING_CLASS, TRAINING_DRILL, TRAINING_PLAN, TRAINING_PROGRAMME

ProgrammeKind = Literal[
    "it_upgrade",  # bồi dưỡng nâng cao kiến thức CNTT
    "advanced_it",  # bồi dưỡng chuyên sâu cho cán bộ chuyên trách CNTT
    "it_investment_management",  # quản lý đầu tư ứng dụng CNTT
    "infosec_sysadmin",  # an toàn thông tin, quản trị hệ thống
    "data_skills",
    "cyber_drill",  # diễn tập thực chiến
    "study_tour",
    "university_course",
]
DrillFormat = Literal["tabletop", "live_fire", "simulation"]


@REGISTRY.register("vn.cds.training.programme.registered", 1, TRAINING_PROGRAMME, key="programme_id")
class ProgrammeRegistered(Event):
    """A programme was added to the catalogue."""

    programme_id: Id = Field(description="Stable id of the programme.")
    name_vi: Line = Field(description="Vietnamese name.")
    name_en: Line | None = Field(default=None, description="English name, if any.")
    kind: ProgrammeKind = Field(description="What the programme is for.")
    level: Literal["basic", "intermediate", "advanced"] = Field(description="Depth of the programme.")
    hours: Annotated[Finite, Field(gt=0)] = Field(description="Nominal length in hours.")
    provider: Line = Field(description="Who teaches it (a department, a university, an academy).")
    issues_certificate: bool = Field(description="Whether passing earns a certificate.")
    certificate_validity_months: Annotated[Count, Field(ge=1)] | None = Field(
        default=None, description="How long the certificate stays valid; none means it does not expire."
    )


class PlanTargets(BaseModel):
    """What the province plans to achieve in a year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    classes: Annotated[Count, Field(ge=0)] = Field(description="Classes of general (non-advanced) programmes.")
    trainees_province: Annotated[Count, Field(ge=0)] = Field(description="Trainees from province-level units.")
    trainees_district: Annotated[Count, Field(ge=0)] = Field(description="Trainees from district-level units.")
    trainees_commune: Annotated[Count, Field(ge=0)] = Field(description="Trainees from commune-level units.")
    advanced_classes: Annotated[Count, Field(ge=0)] = Field(description="Classes of advanced programmes.")
    advanced_trainees: Annotated[Count, Field(ge=0)] = Field(description="Trainees of advanced programmes.")
    drills: Annotated[Count, Field(ge=0)] = Field(description="Cyber drills or exercises.")


PLAN_TARGET_NAMES: tuple[str, ...] = tuple(PlanTargets.model_fields)
"""The targets' names in declaration order, the one list consumers use (reporting's plan columns and
attainment keys, the demo's expected figures): a target added to PlanTargets reaches them all."""


@REGISTRY.register("vn.cds.training.plan.adopted", 1, TRAINING_PLAN, key="plan_id")
class TrainingPlanAdopted(Event):
    """The province adopted its training plan for a year (revision 1)."""

    plan_id: Id = Field(description="The plan's id: the year as text, e.g. '2024'.")
    year: Annotated[Count, Field(ge=2000, le=2100)] = Field(description="Calendar year the plan covers.")
    targets: PlanTargets = Field(description="The targets.")
    decision: Line | None = Field(default=None, description="Number of the decision adopting it, if any.")


@REGISTRY.register("vn.cds.training.plan.amended", 1, TRAINING_PLAN, key="plan_id")
class TrainingPlanAmended(Event):
    """A year's plan was amended; carries the full new targets and the revision number."""

    plan_id: Id = Field(description="The plan's id: the year as text.")
    year: Annotated[Count, Field(ge=2000, le=2100)] = Field(description="Calendar year the plan covers.")
    revision: Annotated[Count, Field(ge=2)] = Field(description="1 is the adopted plan; each amendment adds one.")
    targets: PlanTargets = Field(description="The targets from this revision on.")
    reason: Text = Field(description="Why the plan changed.")


@REGISTRY.register("vn.cds.training.class.scheduled", 1, TRAINING_CLASS, key="class_id")
class ClassScheduled(Event):
    """A class of a programme was scheduled."""

    class_id: Id = Field(description="Stable id of the class.")
    programme_id: Id = Field(description="Programme taught.")
    programme_kind: ProgrammeKind = Field(description="The programme's kind, carried for consumers.")
    advanced: bool = Field(description="Counts towards the plan's advanced classes and trainees.")
    plan_year: Annotated[Count, Field(ge=2000, le=2100)] = Field(description="Plan year the class counts towards.")
    title: Line = Field(description="Title shown to staff.")
    starts_on: Day = Field(description="First day.")
    ends_on: Day = Field(description="Last day.")
    place: Line | None = Field(default=None, description="Where it is held.")
    organiser_unit_id: Id = Field(description="Unit organising the class.")
    capacity: Annotated[Count, Field(ge=1)] = Field(description="Seats.")
    target_levels: Many[UnitLevel] = Field(default=(), description="Administrative levels it is meant for.")


@REGISTRY.register("vn.cds.training.class.started", 1, TRAINING_CLASS, key="class_id")
class ClassStarted(Event):
    """A class began."""

    class_id: Id = Field(description="Stable id of the class.")
    started_on: Day = Field(description="Day it began.")


@REGISTRY.register("vn.cds.training.class.completed", 1, TRAINING_CLASS, key="class_id")
class ClassCompleted(Event):
    """A class ended and its results are final."""

    class_id: Id = Field(description="Stable id of the class.")
    completed_on: Day = Field(description="Day it ended.")


@REGISTRY.register("vn.cds.training.class.cancelled", 1, TRAINING_CLASS, key="class_id")
class ClassCancelled(Event):
    """A class was cancelled (or annulled after the fact); it and its results no longer count."""

    class_id: Id = Field(description="Stable id of the class.")
    cancelled_on: Day = Field(description="Day of the decision.")
    reason: Text = Field(description="Why.")


@REGISTRY.register("vn.cds.training.class.trainee_enrolled", 1, TRAINING_CLASS, key="class_id")
class TraineeEnrolled(Event):
    """An officer was enrolled in a class."""

    class_id: Id = Field(description="Stable id of the class.")
    officer_id: Id = Field(description="Personnel's officer id.")
    unit_id: Id = Field(description="The officer's unit when enrolled.")
    level: UnitLevel = Field(description="Administrative level of that unit, for the plan's targets by level.")
    enrolled_on: Day = Field(description="Day of enrolment.")


@REGISTRY.register("vn.cds.training.class.enrolment_withdrawn", 1, TRAINING_CLASS, key="class_id")
class EnrolmentWithdrawn(Event):
    """An enrolled officer withdrew before completing."""

    class_id: Id = Field(description="Stable id of the class.")
    officer_id: Id = Field(description="Personnel's officer id.")
    withdrawn_on: Day = Field(description="Day of withdrawal.")


@REGISTRY.register("vn.cds.training.class.attendance_recorded", 1, TRAINING_CLASS, key="class_id")
class AttendanceRecorded(Event):
    """Attendance of one trainee at one session."""

    class_id: Id = Field(description="Stable id of the class.")
    officer_id: Id = Field(description="Personnel's officer id.")
    session_on: Day = Field(description="Day of the session.")
    present: bool = Field(description="Whether the trainee attended.")
    hours: Annotated[Finite, Field(ge=0)] = Field(description="Hours attended.")


@REGISTRY.register("vn.cds.training.class.training_completed", 1, TRAINING_CLASS, key="class_id")
class TrainingCompleted(Event):
    """A trainee's final result in a class."""

    class_id: Id = Field(description="Stable id of the class.")
    officer_id: Id = Field(description="Personnel's officer id.")
    unit_id: Id = Field(description="The officer's unit when enrolled.")
    passed: bool = Field(description="Passed or failed.")
    score: Annotated[Finite, Field(ge=0, le=100)] | None = Field(
        default=None, description="Score out of 100, if graded."
    )
    hours: Annotated[Finite, Field(ge=0)] = Field(description="Hours attended in total.")
    completed_on: Day = Field(description="Day the result was given.")


@REGISTRY.register("vn.cds.training.class.certificate_issued", 1, TRAINING_CLASS, key="class_id")
class CertificateIssued(Event):
    """A certificate was issued to a trainee who passed."""

    class_id: Id = Field(description="Class that earned it.")
    certificate_id: Id = Field(description="Stable id of the certificate.")
    officer_id: Id = Field(description="Personnel's officer id.")
    programme_id: Id = Field(description="Programme certified.")
    programme_kind: ProgrammeKind = Field(description="The programme's kind (information security, ...).")
    name: Line = Field(description="Certificate name.")
    issued_on: Day = Field(description="Day of issue.")
    expires_on: Day | None = Field(default=None, description="Expiry; none if it does not expire.")


@REGISTRY.register("vn.cds.training.drill.conducted", 1, TRAINING_DRILL, key="drill_id")
class DrillConducted(Event):
    """A cyber drill or exercise took place."""

    drill_id: Id = Field(description="Stable id of the drill.")
    title: Line = Field(description="Title.")
    scenario: Text = Field(description="Scenario exercised.")
    format: DrillFormat = Field(description="Tabletop, live-fire or simulation.")
    held_on: Day = Field(description="Day it was held.")
    plan_year: Annotated[Count, Field(ge=2000, le=2100)] = Field(description="Plan year it counts towards.")
    unit_ids: Annotated[Many[Id], Field(min_length=1)] = Field(description="Participating units.")
    officer_ids: Many[Id] = Field(default=(), description="Participating officers.")
    objectives: Many[Line] = Field(default=(), description="Objectives of the drill.")


@REGISTRY.register("vn.cds.training.drill.finding_recorded", 1, TRAINING_DRILL, key="drill_id")
class FindingRecorded(Event):
    """An after-action finding of a drill, with an owner and a due date."""

    drill_id: Id = Field(description="Drill it came from.")
    finding_id: Id = Field(description="Stable id of the finding.")
    description: Text = Field(description="What must be fixed.")
    owner_unit_id: Id = Field(description="Unit responsible for fixing it.")
    due_on: Day = Field(description="Deadline.")


@REGISTRY.register("vn.cds.training.drill.finding_closed", 1, TRAINING_DRILL, key="drill_id")
class FindingClosed(Event):
    """A finding was fixed and closed."""

    drill_id: Id = Field(description="Drill it came from.")
    finding_id: Id = Field(description="Stable id of the finding.")
    closed_on: Day = Field(description="Day it was closed.")
