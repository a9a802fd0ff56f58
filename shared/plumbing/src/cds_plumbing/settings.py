"""Settings base for every service: one pydantic-settings class per service with its own env prefix.

A service-prefixed variable (e.g. PERSONNEL_DATABASE_URL) wins; for settings every service shares
(Kafka, PostgreSQL, auth, telemetry) an unprefixed variable of the same name is the fallback, so one
`KAFKA_BOOTSTRAP_SERVERS` points the whole local stack at an existing broker.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Local stack only: production sets AUTH_JWT_SECRET or uses RS256 with a JWKS URL. A service refuses to
# start with it unless AUTH_ALLOW_DEV_SECRET=1 (scripts/stack.sh and the test fixtures set it): the value
# is published in this repository, so anyone could mint a province_admin token with it.
LOCAL_JWT_SECRET = "cds-local-development-secret-not-for-production-use"  # noqa: S105
MIN_SECRET_LENGTH = 32  # HS256 keys shorter than the hash output are brute-forceable (RFC 7518 section 3.2)


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def default_bootstrap() -> str:
    return env("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{env('KAFKA_PORT', '9092')}")


def admin_database_url() -> str:
    """Superuser URL used only to provision databases and roles (local stack and tests)."""
    return env("POSTGRES_ADMIN_URL", f"postgresql://postgres@127.0.0.1:{env('POSTGRES_PORT', '5432')}/postgres")


def local_database_url(service: str) -> str:
    """The URL `cds-platform provision-databases` creates for a service: its own role and database."""
    host = env("POSTGRES_HOST", "127.0.0.1")
    port = env("POSTGRES_PORT", "5432")
    return f"postgresql://{service}:{service}@{host}:{port}/{service}"


class ServiceSettings(BaseSettings):
    """Subclass with `model_config = SettingsConfigDict(env_prefix="PERSONNEL_")` and a service_name default."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = Field(description="Name used in logs, traces, the event source and the consumer group.")
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API binds to.")
    http_port: int = Field(default=8000, description="Port of the HTTP API.")
    database_url: str = Field(default="", description="PostgreSQL URL; defaults to the local stack's one.")
    db_pool_min: int = Field(default=1, description="Minimum connections in the asyncpg pool.")
    db_pool_max: int = Field(default=10, description="Maximum connections in the asyncpg pool.")
    db_statement_timeout_ms: int = Field(
        default=10_000,
        ge=0,
        description="PostgreSQL statement_timeout of the HTTP pool; a request past it is a 503 (0: no limit).",
    )
    db_background_statement_timeout_ms: int = Field(
        default=0, ge=0, description="statement_timeout of the outbox relay's and consumers' pool (0: no limit)."
    )
    http_max_body_bytes: int = Field(default=1024 * 1024, ge=1, description="Largest request body (413 above).")
    http_max_url_bytes: int = Field(default=8192, ge=256, description="Longest path plus query string (414 above).")
    idempotency_ttl_s: int = Field(
        default=86_400, ge=60, description="How long an Idempotency-Key and its stored answer are kept."
    )
    kafka_bootstrap_servers: str = Field(default_factory=default_bootstrap, description="Kafka brokers, host:port,...")
    kafka_topic_prefix: str = Field(
        default_factory=lambda: os.environ.get("KAFKA_TOPIC_PREFIX", ""),
        description="Prepended to every topic name, to share one cluster between environments (and tests).",
    )
    outbox_batch_size: int = Field(default=500, description="Rows the outbox relay publishes per transaction.")
    outbox_linger_ms: float = Field(
        default=10.0,
        ge=0,
        le=1000,
        description="Woken by a commit, the outbox relay waits this long so the commits just behind it share "
        "its pass: each pass costs the service a few round trips to PostgreSQL (at 200 commands/s about one "
        "pass per command without it). Adds at most this much to an event's way to Kafka.",
    )
    outbox_ack_timeout_s: float = Field(
        default=10.0,
        description="A relay pass whose records Kafka has not acknowledged within this time fails, and "
        "`outbox backlog` shows the relay failing and why.",
    )
    instance_id: str | None = Field(
        default_factory=lambda: os.environ.get("INSTANCE_ID") or None,
        description="Stable name of this replica (1, 2, a pod's ordinal). Set, the consumers join their groups "
        "as static members `<group>-<instance_id>` and one process at a time may use it; unset, dynamic members.",
    )
    consumer_session_timeout_ms: int = Field(
        default=3000,
        description="A consumer that sent no heartbeat for this long is dead and its partitions move (broker "
        "floor: group.min.session.timeout.ms).",
    )
    consumer_heartbeat_interval_ms: int = Field(
        default=500, description="Consumer heartbeat interval: how soon a survivor hears of a rebalance."
    )
    consumer_max_records: int = Field(
        default=5000, description="Most records per consumer batch (one DB transaction, set-based writes)."
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=100, description="How long the broker may hold a fetch for data to arrive (freshness when idle)."
    )
    consumer_max_partition_fetch_bytes: int = Field(
        default=4 * 1024 * 1024, description="Most bytes a fetch returns per partition (aiokafka's setting)."
    )
    consumer_fetch_max_bytes: int = Field(
        default=64 * 1024 * 1024, description="Most bytes one fetch returns in all (aiokafka's setting)."
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default_factory=lambda: os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="OTLP/HTTP endpoint for traces; none means traces are not exported.",
    )
    log_level: str = Field(default_factory=lambda: env("LOG_LEVEL", "INFO"), description="Python log level.")
    jwt_algorithm: Literal["HS256", "RS256"] = Field(
        default_factory=lambda: env("AUTH_JWT_ALGORITHM", "HS256"),  # type: ignore[arg-type]
        description="HS256 with a shared secret (local), RS256 with keys from a JWKS URL (production).",
    )
    jwt_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(env("AUTH_JWT_SECRET", LOCAL_JWT_SECRET)),
        description="HS256 signing secret.",
    )
    jwt_allow_dev_secret: bool = Field(
        default_factory=lambda: env("AUTH_ALLOW_DEV_SECRET", "0").lower() in ("1", "true", "yes"),
        description="Local stack and tests only: accept the published development secret.",
    )
    jwt_jwks_url: str | None = Field(
        default_factory=lambda: os.environ.get("AUTH_JWKS_URL"), description="JWKS URL for RS256 tokens."
    )
    jwt_issuer: str | None = Field(
        default_factory=lambda: os.environ.get("AUTH_JWT_ISSUER"), description="Required `iss`, if set."
    )
    jwt_audience: str | None = Field(
        default_factory=lambda: os.environ.get("AUTH_JWT_AUDIENCE"), description="Required `aud`, if set."
    )

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = local_database_url(self.service_name)
        return self

    def signing_problem(self) -> str | None:
        """Why these token settings must not serve real users, or None. Checked at start-up (exit code 3)."""
        if self.jwt_algorithm == "RS256":
            return None if self.jwt_jwks_url else "AUTH_JWT_ALGORITHM=RS256 needs AUTH_JWKS_URL"
        secret = self.jwt_secret.get_secret_value()
        if secret == LOCAL_JWT_SECRET and not self.jwt_allow_dev_secret:
            return (
                "refusing to start with the development token secret published in the repository: anyone could "
                "sign a province_admin token. Set AUTH_JWT_SECRET to a secret of your own (e.g. `openssl rand "
                "-base64 48`), or AUTH_JWT_ALGORITHM=RS256 with AUTH_JWKS_URL; AUTH_ALLOW_DEV_SECRET=1 is for "
                "the local stack only"
            )
        if len(secret) < MIN_SECRET_LENGTH and secret != LOCAL_JWT_SECRET:
            return f"AUTH_JWT_SECRET is shorter than {MIN_SECRET_LENGTH} characters; use e.g. `openssl rand -base64 48`"
        return None
