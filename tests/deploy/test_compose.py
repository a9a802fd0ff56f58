"""docker-compose.yml, deploy/Dockerfile and deploy/ checked against the code, without a Docker engine.

PyYAML is not a dependency of the project, so the compose file and deploy/prometheus.yml are read with
`read_yaml` below: block mappings and sequences, one-line flow `[...]`/`{...}` of plain scalars, quoted
scalars and comments. It rejects anchors, aliases and multi-line strings, so the files stay plain.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("personnel", "training", "recruitment", "reporting")
# Unprefixed variables every service's Settings falls back to (cds_plumbing/settings.py reads each of them;
# test_shared_variables_are_read_by_the_settings checks that).
SHARED = {
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_TOPIC_PREFIX",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "LOG_LEVEL",
    "AUTH_JWT_ALGORITHM",
    "AUTH_JWT_SECRET",
    "AUTH_JWKS_URL",
    "AUTH_JWT_ISSUER",
    "AUTH_JWT_AUDIENCE",
}


# --- a minimal reader for the YAML these files use ---------------------------------------------------------


def _strip_comment(text: str) -> str:
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _scalar(text: str) -> Any:
    text = text.strip()
    assert not text.startswith(("&", "*", "|", ">", "!")), f"unsupported YAML construct: {text!r}"
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in _split_flow(text[1:-1])]
    if text.startswith("{") and text.endswith("}"):
        pairs = (part.split(":", 1) for part in _split_flow(text[1:-1]))
        return {k.strip(): _scalar(v) for k, v in pairs}
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _split_flow(text: str) -> list[str]:
    parts, quote, current = [], "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            parts.append(current)
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts]


_KEY = re.compile(r"^([A-Za-z0-9_.\-/]+):(?:\s+(.*))?$")


def _parse(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        items: list[Any] = []
        while i < len(lines) and lines[i][0] == indent and (lines[i][1].startswith("- ") or lines[i][1] == "-"):
            rest = lines[i][1][1:].strip()
            if not rest:
                value, i = _parse(lines, i + 1, lines[i + 1][0])
            elif _KEY.match(rest) and rest[0] not in "\"'[{":
                lines[i] = (indent + 2, rest)  # "- key: value" starts a mapping two columns in
                value, i = _parse(lines, i, indent + 2)
            else:
                value, i = _scalar(rest), i + 1
            items.append(value)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        match = _KEY.match(lines[i][1])
        assert match, f"unsupported YAML line: {lines[i][1]!r}"
        key, rest = match.group(1), match.group(2)
        i += 1
        if rest:
            mapping[key] = _scalar(rest)
        elif i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))):
            mapping[key], i = _parse(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def read_yaml(path: Path) -> Any:
    lines = []
    for raw in path.read_text().splitlines():
        text = _strip_comment(raw)
        if text.strip():
            lines.append((len(text) - len(text.lstrip(" ")), text.strip()))
    value, end = _parse(lines, 0, lines[0][0])
    assert end == len(lines), f"{path}: could not read line {lines[end][1]!r}"
    return value


def test_reader_understands_the_constructs_used() -> None:
    assert _scalar('["a:b", c]') == ["a:b", "c"]
    assert _scalar("{context: ., dockerfile: x/Dockerfile}") == {"context": ".", "dockerfile": "x/Dockerfile"}
    assert _strip_comment('K: "a # b"  # note') == 'K: "a # b"'
    lines = [(0, "a:"), (2, "- x: 1"), (4, "y: [2]"), (2, "- z"), (0, "b:"), (0, "- 3")]
    assert _parse(lines, 0, 0)[0] == {"a": [{"x": "1", "y": ["2"]}, "z"], "b": ["3"]}


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = read_yaml(ROOT / "docker-compose.yml")
    assert isinstance(data, dict)
    return data


def settings_class(service: str) -> type[BaseSettings]:
    cls: type[BaseSettings] = importlib.import_module(f"{service}.config").Settings
    assert issubclass(cls, BaseSettings)
    return cls


def setting_names(service: str) -> set[str]:
    cls = settings_class(service)
    prefix = str(cls.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in cls.model_fields}


def default_port(service: str) -> int:
    port = settings_class(service).model_fields["http_port"].default
    assert isinstance(port, int)
    return port


def seconds(duration: str) -> float:
    total, units = 0.0, {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"bad duration {duration!r}"
    for number, unit in parts:
        total += float(number) * units[unit]
    return total


def broker_graceful_timeout() -> float:
    """The graceful_timeout make_broker passes to KafkaBroker, read from cds_plumbing/broker.py."""
    tree = ast.parse((ROOT / "shared/plumbing/src/cds_plumbing/broker.py").read_text())
    values = [
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "graceful_timeout"
        and isinstance(kw.value, ast.Constant)
        and isinstance(kw.value.value, int | float)
    ]
    assert len(values) == 1
    return float(values[0])


def dockerfile(service: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of deploy/Dockerfile as compose builds it for `service`: continuation lines
    joined, the build arguments compose passes substituted for ${NAME}."""
    args = read_yaml(ROOT / "docker-compose.yml")["services"][service]["build"]["args"]
    text = re.sub(r"\\\n", " ", (ROOT / "deploy" / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            if instruction.upper() not in ("ARG", "CMD"):  # CMD: the shell expands it from ENV at start
                rest = re.sub(r"\$\{(\w+)\}", lambda m: str(args.get(m.group(1), m.group(0))), rest)
            out.append((instruction.upper(), rest.strip()))
    return out


# --- docker-compose.yml -----------------------------------------------------------------------------------


def test_kafka_image_is_the_version_of_the_local_stack(compose: dict[str, Any]) -> None:
    pom = (ROOT / "deploy/kafka/pom.xml").read_text()
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    assert match
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{match.group(1)}"
    env = compose["services"]["kafka"]["environment"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def test_postgres_is_15(compose: dict[str, Any]) -> None:
    assert compose["services"]["postgres"]["image"] == "postgres:15"


def test_init_provisions_and_creates_topics(compose: dict[str, Any]) -> None:
    init = compose["services"]["init"]
    script = " ".join(init["command"])
    for command in ("wait-kafka", "provision-databases", "create-topics"):
        assert f"cds-platform {command}" in script
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    # Every variable given to init is one the cds-platform command reads.
    code = (ROOT / "shared/plumbing/src/cds_plumbing/cli.py").read_text()
    code += (ROOT / "shared/plumbing/src/cds_plumbing/settings.py").read_text()
    for name in init["environment"]:
        if name.endswith("_DB_PASSWORD"):
            assert name.removesuffix("_DB_PASSWORD").lower() in SERVICES
            assert '_DB_PASSWORD"' in code
        else:
            assert f'"{name}"' in code, f"init is given {name}, which cds-platform does not read"


def test_shared_variables_are_read_by_the_settings() -> None:
    code = (ROOT / "shared/plumbing/src/cds_plumbing/settings.py").read_text()
    for name in SHARED:
        assert f'"{name}"' in code or f"'{name}'" in code, name


@pytest.mark.parametrize("service", SERVICES)
def test_service(compose: dict[str, Any], service: str) -> None:
    svc = compose["services"][service]
    port = default_port(service)
    assert svc["build"] == {
        "context": ".",
        "dockerfile": "deploy/Dockerfile",
        "args": {"SERVICE": service, "PORT": str(port)},
    }
    assert svc["ports"] == [f"{port}:{port}"]

    health = " ".join(svc["healthcheck"]["test"])
    assert "urllib" in health
    assert f"http://127.0.0.1:{port}/health/ready" in health

    env = svc["environment"]
    known = setting_names(service) | SHARED
    unknown = set(env) - known
    assert not unknown, f"{service} is given variables that no setting reads: {sorted(unknown)}"
    prefix = service.upper() + "_"
    assert env[f"{prefix}DATABASE_URL"].endswith(f"@postgres:5432/{service}")
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    assert env["AUTH_JWT_SECRET"].startswith("${AUTH_JWT_SECRET:?")  # the operator's own, or no start

    assert svc["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert seconds(svc["stop_grace_period"]) > broker_graceful_timeout()


@pytest.mark.parametrize("service", SERVICES)
def test_prometheus_scrapes_the_service(service: str) -> None:
    config = read_yaml(ROOT / "deploy/prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    job = jobs[service]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == [f"{service}:{default_port(service)}"]


def test_mounted_configs_exist(compose: dict[str, Any]) -> None:
    for name in ("otel-collector", "prometheus"):
        for volume in compose["services"][name]["volumes"]:
            if volume.startswith("./"):
                assert (ROOT / volume.split(":")[0]).is_file(), volume
    assert "jaeger:4317" in (ROOT / "deploy/otel-collector.yaml").read_text()


# --- Dockerfiles ------------------------------------------------------------------------------------------


def test_one_dockerfile_for_every_service(compose: dict[str, Any]) -> None:
    """deploy/Dockerfile takes the service as a build argument; no service keeps a Dockerfile of its own."""
    assert not list((ROOT / "services").glob("*/Dockerfile"))
    declared = {args for op, args in dockerfile("personnel") if op == "ARG"}
    assert declared == {"SERVICE", "PORT"}
    builds = [svc["build"] for svc in compose["services"].values() if "build" in svc]
    assert builds and all(b["dockerfile"] == "deploy/Dockerfile" and b["context"] == "." for b in builds)
    assert compose["services"]["init"]["build"] == compose["services"]["personnel"]["build"]


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_copies_only_its_own_service(compose: dict[str, Any], service: str) -> None:
    instructions = dockerfile(service)
    assert instructions[0] == ("FROM", "python:3.11-slim")
    sources = {args.split()[0] for op, args in instructions if op == "COPY"}
    assert sources == {"constraints.txt", "shared/contracts", "shared/plumbing", f"services/{service}"}
    for op, args in instructions:
        for other in set(SERVICES) - {service}:
            assert f"services/{other}" not in args, f"{service}'s image mentions {other}: {op} {args}"

    run = " ".join(args for op, args in instructions if op == "RUN")
    assert "-c constraints.txt" in run
    # a regular install: the migrations travel as package data (test_packaging.py), not next to src/
    assert f" ./services/{service} " in run and "-e " not in run
    assert any(op == "USER" and args not in ("root", "0") for op, args in instructions)
    env = " ".join(args for op, args in instructions if op == "ENV")
    assert f"SERVICE={service}" in env and f"PORT={default_port(service)}" in env  # CMD reads them at start

    port = default_port(service)
    assert ("EXPOSE", str(port)) in instructions
    cmd = [args for op, args in instructions if op == "CMD"]
    assert len(cmd) == 1
    shell = ast.literal_eval(cmd[0])
    assert shell[:2] == ["sh", "-c"] and len(shell) == 3
    script = shell[2]
    for name, value in (("SERVICE", service), ("PORT", str(port))):
        script = script.replace("${" + name + "}", value)
    argv = shlex.split(script)
    # exec: cds-serve is PID 1 and gets the SIGTERM; cds-serve, not uvicorn, exits 0 after a SIGTERM shutdown
    # (see test_cds_serve_is_installed_by_plumbing).
    assert argv[:3] == ["exec", "cds-serve", f"{service}.entrypoints.app:app"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0"  # noqa: S104  # inside a container: reachable from the network
    assert argv[argv.index("--port") + 1] == str(port)
    http_grace = float(argv[argv.index("--graceful-timeout") + 1])
    stop_grace = seconds(compose["services"][service]["stop_grace_period"])
    assert broker_graceful_timeout() < http_grace < stop_grace
    assert "command" not in compose["services"][service], "compose must not override the image's cds-serve CMD"


def test_cds_serve_is_installed_by_plumbing() -> None:
    """The images' CMD and scripts/stack.sh call `cds-serve`: the plumbing package must declare it."""
    project = tomllib.loads((ROOT / "shared/plumbing/pyproject.toml").read_text())["project"]
    module, _, func = project["scripts"]["cds-serve"].partition(":")
    assert callable(getattr(importlib.import_module(module), func))
    assert '.venv/bin/cds-serve "$svc.entrypoints.app:app"' in (ROOT / "scripts/stack.sh").read_text()


def test_migrations_ship_as_package_data() -> None:
    """Each service's migrations live inside its package and its pyproject.toml ships them."""
    for service in SERVICES:
        app = (ROOT / "services" / service / "src" / service / "entrypoints" / "app.py").read_text()
        assert f'packaged_migrations("{service}")' in app
        assert "parents[" not in app
        assert any((ROOT / "services" / service / "src" / service / "migrations").glob("*.sql"))
        project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())
        assert "migrations/*.sql" in project["tool"]["setuptools"]["package-data"][service]


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = set(shlex.split((ROOT / ".dockerignore").read_text(), comments=True))
    assert {".git", ".venv", ".cache", ".run"} <= ignored


def test_every_mounted_repository_file_exists_and_grafana_finds_its_dashboards(compose: dict[str, Any]) -> None:
    mounts = [
        str(v).split(":")
        for svc in compose["services"].values()
        for v in svc.get("volumes", [])
        if str(v).startswith("./")
    ]
    for source, *_ in mounts:
        assert (ROOT / source).exists(), f"{source} is mounted but missing"
    grafana = {target: source for source, target, *_ in mounts if source.startswith("./deploy/grafana")}
    provider = read_yaml(ROOT / "deploy/grafana/provisioning/dashboards/cds.yaml")
    dashboards_dir = provider["providers"][0]["options"]["path"]
    assert grafana[dashboards_dir] == "./deploy/grafana/dashboards"
    assert grafana["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    assert "BI_READER_PASSWORD" in compose["services"]["init"]["environment"]


def _variables(value: Any) -> list[tuple[str, str]]:
    """(name, operator and rest) of every ${...} in the compose file's values."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for v in value.values():
            found += _variables(v)
    elif isinstance(value, list):
        for v in value:
            found += _variables(v)
    elif isinstance(value, str):
        found += re.findall(r"\$\{([A-Z0-9_]+)([^}]*)\}", value)
    return found


def test_no_secret_or_password_has_a_default(compose: dict[str, Any]) -> None:
    """Every secret and password must come from the operator (`${VAR:?message}`): a default would be
    published here for anyone to use. The development token secret appears nowhere, nor its flag."""
    from cds_plumbing.settings import LOCAL_JWT_SECRET

    text = (ROOT / "docker-compose.yml").read_text()
    assert LOCAL_JWT_SECRET not in text and "AUTH_ALLOW_DEV_SECRET" not in text
    secrets = [(n, rest) for n, rest in _variables(compose) if re.search(r"SECRET|PASSWORD", n)]
    assert {n for n, _ in secrets} >= {
        "AUTH_JWT_SECRET",
        "POSTGRES_PASSWORD",
        "PERSONNEL_DB_PASSWORD",
        "TRAINING_DB_PASSWORD",
        "RECRUITMENT_DB_PASSWORD",
        "REPORTING_DB_PASSWORD",
        "BI_READER_PASSWORD",
        "GRAFANA_ADMIN_PASSWORD",
    }
    for name, rest in secrets:
        assert rest.startswith(":?") and len(rest) > 2, f"${{{name}{rest}}} must be required, with a message"
