"""Base class of every event payload."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """An immutable fact. Subclasses are registered with a Registry, which gives them type, version and topic.

    Unknown fields are ignored so that a consumer on an older model keeps working when a producer adds
    an optional field (additive evolution within a version).
    """

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=True)
