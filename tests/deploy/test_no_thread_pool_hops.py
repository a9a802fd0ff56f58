"""Every operation's endpoint and dependencies are coroutines. FastAPI runs a plain `def` in its thread
pool: a hand-off to another thread and back for each request, under the GIL, with nothing to gain when
the function does no blocking I/O. A sync `known_query_only`, a dependency of every /api/v1 operation,
cost personnel about a tenth of its CPU per command that way (py-spy: threading's Condition.wait/notify)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

SERVICES = ("personnel", "training", "recruitment", "reporting")


def app_of(service: str) -> FastAPI:
    return import_module(f"{service}.entrypoints.app").app  # type: ignore[no-any-return]


def _runs_on_the_loop(call: Any) -> bool:
    target = call if inspect.isroutine(call) else getattr(call, "__call__", call)  # noqa: B004  # instances too
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def _sync_calls(dependant: Dependant) -> Iterator[str]:
    if dependant.call is not None and not _runs_on_the_loop(dependant.call):
        yield getattr(dependant.call, "__qualname__", type(dependant.call).__name__)
    for sub in dependant.dependencies:
        yield from _sync_calls(sub)


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_hands_work_to_the_thread_pool(service: str) -> None:
    found = {
        f"{','.join(sorted(ctx.methods or ()))} {ctx.path}: {name}"
        for ctx in routing.iter_route_contexts(app_of(service).routes)
        if isinstance(ctx.original_route, APIRoute)
        for name in _sync_calls(ctx.dependant)
    }
    assert sorted(found) == []
