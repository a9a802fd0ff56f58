"""`cds-serve <module:app> [--host H] [--port P] [--graceful-timeout 20]`: run a service app with uvicorn
and exit 0 when it stopped because it was asked to.

--host and --port default to the service's own settings variables, `<SERVICE>_HTTP_HOST` (else
127.0.0.1) and `<SERVICE>_HTTP_PORT`, the service being the first part of the app's module path
(`personnel.entrypoints.app:app` -> PERSONNEL_HTTP_PORT); flags on the command line win.

Why not the `uvicorn` command: after its graceful shutdown uvicorn (>= 0.29) re-raises the SIGTERM/SIGINT
it caught, so that a supervisor sees "terminated by signal"; the process then dies with -15. For us a
SIGTERM is the normal way to stop (docker stop, scripts/stack.sh down, Kubernetes), and once the shutdown
below has run to its end nothing is lost, so we report it as success:

1. the listening socket closes and in-flight requests finish (up to --graceful-timeout seconds);
2. the lifespan shutdown (cds_plumbing.runtime) sets the stop event: each consumer finishes and commits
   its current batch, the outbox relay finishes its current publish; then the dead-letter producer,
   the broker and the pool close.

Exit codes: 0 after a clean shutdown; 3 (uvicorn's STARTUP_FAILURE) when start-up failed (lifespan error,
port in use); 1 when the lifespan shutdown failed; 130 after a forced exit (a second Ctrl+C skips the rest
of the shutdown: requests and batches still open are dropped, so it is not reported as a clean stop).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Generator, Mapping
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .telemetry import configure_logging

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
FORCED_EXIT = 128 + signal.SIGINT  # what a shell reports for a process ended by Ctrl+C
# After a forced exit asyncio.run still cancels what is left and waits for it; Kafka clients whose own
# I/O tasks were cancelled too can then wait out a request timeout (40 s). Past this, exit regardless.
FORCED_EXIT_DEADLINE_S = 3.0


class _HttpProtocol(HttpToolsProtocol):
    """httptools (the fast parser) refuses a request line of tens of kilobytes before the app sees it, and
    uvicorn then answers a plain-text 400. A client must still get the reason as a problem: 414 when the URL
    it was reading was long (the app's RequestLimits answers 414 for the shorter ones), 400 otherwise."""

    LONG_URL = 8192

    def send_400_response(self, msg: str) -> None:
        url = getattr(self, "url", b"")
        status, title, detail = (
            (414, "URI Too Long", f"the URL is longer than {self.LONG_URL} bytes")
            if len(url) > self.LONG_URL
            else (400, "Bad Request", "the request is not valid HTTP/1.1")
        )
        body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
        head = [b"HTTP/1.1 414 URI Too Long\r\n" if status == 414 else STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/problem+json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def _exit_now() -> None:
    logging.shutdown()  # flush the log lines written so far
    sys.stdout.flush()
    os._exit(FORCED_EXIT)


class _Server(uvicorn.Server):
    _deadline: threading.Timer | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self.force_exit and self._deadline is None:
            self._deadline = threading.Timer(FORCED_EXIT_DEADLINE_S, _exit_now)
            self._deadline.daemon = True
            self._deadline.start()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """uvicorn's own version, minus the re-raise of the caught signal after the shutdown."""
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def service_of(app: str) -> str:
    """`personnel.entrypoints.app:app` -> `personnel`."""
    return app.split(":", 1)[0].split(".", 1)[0]


def _shared_socket(host: str, port: int) -> socket.socket:
    """A listening socket with SO_REUSEPORT: a replacement started by a rolling restart binds the same port
    while the old process finishes its requests (both must have been started with --reuse-port)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def lean_log_records() -> None:
    """Log records without the caller's file, line and function, thread and process names: no format of ours
    prints them, and finding the caller walks the stack for every line (uvicorn's access log writes one per
    request). The logging HOWTO's "Optimization" section names these switches."""
    logging._srcfile = None  # the documented switch (see above)
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def serve(app: str, host: str, port: int, graceful_timeout: int = 20, *, reuse_port: bool = False) -> int:
    """Serve `app` until SIGTERM/SIGINT (a second SIGINT forces the exit); returns the exit code."""
    lean_log_records()
    # Our log format from the first line on (uvicorn's own dictConfig would print its start-up lines as
    # plain text before the app configures logging); the app re-applies the same set-up with its settings.
    configure_logging(service_of(app), os.environ.get("LOG_LEVEL", "INFO"))
    # lifespan="on": a service that cannot start its pool, broker or consumers must not serve at all.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_HttpProtocol,
        lifespan="on",
        timeout_graceful_shutdown=graceful_timeout,
        log_config=None,
    )
    server = _Server(config)
    try:
        sockets = [_shared_socket(host, port)] if reuse_port else None
    except OSError as exc:
        logging.getLogger(__name__).error("cannot listen on %s:%d: %s", host, port, exc)
        return STARTUP_FAILURE
    try:
        server.run(sockets=sockets)
    except SystemExit as exc:  # uvicorn exits this way when the lifespan start-up or the bind fails
        return exc.code if isinstance(exc.code, int) and exc.code else STARTUP_FAILURE
    if not server.started:
        return STARTUP_FAILURE
    if server.force_exit:
        return FORCED_EXIT
    if getattr(server.lifespan, "shutdown_failed", False) or getattr(server.lifespan, "error_occurred", False):
        return 1
    return 0


def bind_address(
    app: str, host: str | None, port: int | None, environ: Mapping[str, str] = os.environ
) -> tuple[str, int | None]:
    """The flags, else the service's `<SERVICE>_HTTP_HOST`/`_HTTP_PORT`; the port is None when neither says.
    Raises ValueError for a port variable that is not a number."""
    prefix = service_of(app).upper() + "_"
    host = host or environ.get(prefix + "HTTP_HOST") or "127.0.0.1"
    if port is None and environ.get(prefix + "HTTP_PORT"):
        raw = environ[prefix + "HTTP_PORT"]
        try:
            port = int(raw)
        except ValueError:
            raise ValueError(f"{prefix}HTTP_PORT must be a port number, not {raw!r}") from None
    return host, port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cds-serve", description="Run a service app; exit 0 after a graceful shutdown."
    )
    parser.add_argument("app", help="ASGI app as module:attribute, e.g. personnel.entrypoints.app:app")
    parser.add_argument("--host", help="address to bind (default: $<SERVICE>_HTTP_HOST, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default: $<SERVICE>_HTTP_PORT)")
    parser.add_argument(
        "--graceful-timeout",
        type=int,
        default=20,
        help="seconds to wait for in-flight requests after SIGTERM before cancelling them (default 20)",
    )
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        help="listen with SO_REUSEPORT, so a replacement can start on the same port before this one stops",
    )
    args = parser.parse_args(argv)
    try:
        host, port = bind_address(args.app, args.host, args.port)
    except ValueError as exc:
        parser.error(str(exc))
    if port is None:
        parser.error(f"no port: give --port or set {service_of(args.app).upper()}_HTTP_PORT")
    return serve(args.app, host, port, args.graceful_timeout, reuse_port=args.reuse_port)


if __name__ == "__main__":
    raise SystemExit(main())
