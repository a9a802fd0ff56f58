"""One private fault stack for the whole folder (starting it is most of the time these tests take)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .stack import FaultStack


@pytest.fixture(scope="package")
def fault_stack() -> Iterator[FaultStack]:
    stack = FaultStack()
    stack.up()
    try:
        yield stack
    finally:
        stack.down()
