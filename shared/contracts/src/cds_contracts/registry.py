"""Maps (event type, version) to its model, topic and key field, in both directions."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .base import Event
from .topics import TopicSpec

M = TypeVar("M", bound=Event)


class UnknownEventError(LookupError):
    """No model is registered for a (type, version)."""


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    model: builtins.type[Event]
    topic: TopicSpec
    key_field: str

    @property
    def ce_type(self) -> str:
        return f"{self.type}.v{self.version}"


class Registry:
    def __init__(self) -> None:
        self._by_type: dict[tuple[str, int], EventSpec] = {}
        self._by_model: dict[builtins.type[Event], EventSpec] = {}

    def register(
        self, type: str, version: int, topic: TopicSpec, key: str
    ) -> Callable[[builtins.type[M]], builtins.type[M]]:
        """Class decorator: `@REGISTRY.register("vn.cds.x.happened", 1, TOPIC, key="x_id")`."""

        def decorate(model: builtins.type[M]) -> builtins.type[M]:
            if key not in model.model_fields:
                raise TypeError(f"{model.__name__} has no key field {key!r}")
            if (type, version) in self._by_type:
                raise TypeError(f"{type} v{version} is already registered")
            spec = EventSpec(type, version, model, topic, key)
            self._by_type[(type, version)] = spec
            self._by_model[model] = spec
            return model

        return decorate

    def lookup(self, type: str, version: int) -> EventSpec:
        try:
            return self._by_type[(type, version)]
        except KeyError:
            raise UnknownEventError(f"no event model registered for {type} v{version}") from None

    def spec_for(self, model: builtins.type[Event]) -> EventSpec:
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownEventError(f"{model.__name__} is not registered") from None

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(sorted(self._by_type.values(), key=lambda s: (s.type, s.version)))

    def __len__(self) -> int:
        return len(self._by_type)


REGISTRY = Registry()
"""The platform's registry; every contracts module registers its events here on import."""
