"""What every response model shares: a frozen base, timestamps kept as strings, the echoed slice.

Timestamps stay strings: re-serialising a datetime would turn "+00:00" into "Z" and change the body."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class SliceEcho(Frozen):
    unit_id: str | None = Field(
        description="The unit whose subtree (in the tree valid on as_of) is covered; null = all."
    )
    sectors: list[str] = Field(description="Sectors covered, sorted; empty = every sector.")
    levels: list[str] = Field(description="Administrative levels covered, sorted; empty = every level.")
    # Left out of a body when unset, so bodies without a former province stay exactly as they were.
    former_province: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The former province covered (its root unit's id); absent = no such filter.",
    )
