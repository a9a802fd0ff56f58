"""`cds-serve <module:app> --host H --port P [--graceful-timeout 20]`: run a service app with uvicorn and
exit 0 when it stopped because it was asked to.

Why not the `uvicorn` command: after its graceful shutdown uvicorn (>= 0.29) re-raises the SIGTERM/SIGINT
it caught, so that a supervisor sees "terminated by signal"; the process then dies with -15. For us a
SIGTERM is the normal way to stop (docker stop, scripts/stack.sh down, Kubernetes), and once the shutdown
below has run to its end nothing is lost, so we report it as success:

1. the listening socket closes and in-flight requests finish (up to --graceful-timeout seconds);
2. the lifespan shutdown (cds_plumbing.runtime) sets the stop event: each consumer finishes and commits
   its current batch, the outbox relay finishes its current publish; then the dead-letter producer,
   the broker and the pool close.

Exit codes: 0 after a clean shutdown; 3 (uvicorn's STARTUP_FAILURE) when start-up failed (lifespan error,
port in use); 1 when the lifespan shutdown failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from collections.abc import Generator

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from .telemetry import configure_logging

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """uvicorn's own version, minus the re-raise of the caught signal after the shutdown."""
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(app: str, host: str, port: int, graceful_timeout: int = 20) -> int:
    """Serve `app` until SIGTERM/SIGINT (a second SIGINT forces the exit); returns the exit code."""
    # Our log format from the first line on (uvicorn's own dictConfig would print its start-up lines as
    # plain text before the app configures logging); the app re-applies the same set-up with its settings.
    configure_logging(app.split(".", 1)[0], os.environ.get("LOG_LEVEL", "INFO"))
    # lifespan="on": a service that cannot start its pool, broker or consumers must not serve at all.
    config = uvicorn.Config(
        app, host=host, port=port, lifespan="on", timeout_graceful_shutdown=graceful_timeout, log_config=None
    )
    server = _Server(config)
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits this way when the lifespan start-up or the bind fails
        return exc.code if isinstance(exc.code, int) and exc.code else STARTUP_FAILURE
    if not server.started:
        return STARTUP_FAILURE
    if getattr(server.lifespan, "shutdown_failed", False) or getattr(server.lifespan, "error_occurred", False):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cds-serve", description="Run a service app; exit 0 after a graceful shutdown."
    )
    parser.add_argument("app", help="ASGI app as module:attribute, e.g. personnel.entrypoints.app:app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--graceful-timeout",
        type=int,
        default=20,
        help="seconds to wait for in-flight requests after SIGTERM before cancelling them (default 20)",
    )
    args = parser.parse_args(argv)
    return serve(args.app, args.host, args.port, args.graceful_timeout)


if __name__ == "__main__":
    raise SystemExit(main())
