"""Profile records: the one way personal data crosses a service boundary.

A profile topic is compacted and keyed by the person's id; its value is the person's current personal
data, as little as the consumers need. The owner publishes a new value when the data change and a
tombstone (a null value, headers `ce_type` = `<type>.erased.v1`) when the person is erased: Kafka's log
cleaner then drops every older value of the key, and every consumer that keeps a copy deletes it when it
reads the tombstone (`IdempotentConsumer.on_tombstone`). Events on the other topics carry ids only.

- `personnel.officer-profile`: an officer's name, for training's class lists and officer pages.
- `recruitment.candidate-profile`: a hired candidate's name, birth year and gender, for personnel to
  create the officer record (CandidateHired v2 names the key). Published only for hires, and emptied by
  recruitment as soon as personnel has answered (HireOutcomeRecorded).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Event
from .bounds import Count, Id, Line
from .registry import REGISTRY
from .topics import PERSONNEL_OFFICER_PROFILE, RECRUITMENT_CANDIDATE_PROFILE

OFFICER_PROFILE_ERASED: str = PERSONNEL_OFFICER_PROFILE.tombstone_type or ""
CANDIDATE_PROFILE_ERASED: str = RECRUITMENT_CANDIDATE_PROFILE.tombstone_type or ""
"""CloudEvents types of the tombstones' headers (the value is null), declared with their topics."""


@REGISTRY.register("vn.cds.personnel.officer_profile.stated", 1, PERSONNEL_OFFICER_PROFILE, key="officer_id")
class OfficerProfileStated(Event):
    """An officer's current personal data as other services may show it (latest value per officer)."""

    officer_id: Id = Field(description="Stable id of the officer in personnel (also the record key).")
    full_name: Line = Field(description="Full name as written in Vietnamese.")


@REGISTRY.register("vn.cds.recruitment.candidate_profile.stated", 1, RECRUITMENT_CANDIDATE_PROFILE, key="candidate_id")
class CandidateProfileStated(Event):
    """What personnel needs of a hired candidate to create the officer record."""

    candidate_id: Id = Field(description="Stable id of the candidate in recruitment (also the record key).")
    full_name: Line = Field(description="The new officer's full name.")
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(
        default=None, description="Year of birth, if known."
    )
    gender: Literal["female", "male", "other"] | None = Field(default=None, description="Gender, optional.")
