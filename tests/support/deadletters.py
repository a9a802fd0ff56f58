"""A dead-letter publisher for consumers that must not dead-letter anything in a test."""

from __future__ import annotations

from cds_plumbing.deadletter import DeadLetterPublisher


class NoDeadLetters(DeadLetterPublisher):
    """Fails the test on a dead letter; has no producer to start, stop or leave unclosed."""

    def __init__(self) -> None:  # no super(): nothing to connect
        pass

    async def send(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no dead letter expected in this test")
