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

# Local stack only: production sets AUTH_JWT_SECRET or uses RS256 with a JWKS URL.
LOCAL_JWT_SECRET = "cds-local-development-secret-not-for-production-use"  # noqa: S105


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
    kafka_bootstrap_servers: str = Field(default_factory=default_bootstrap, description="Kafka brokers, host:port,...")
    kafka_topic_prefix: str = Field(
        default_factory=lambda: os.environ.get("KAFKA_TOPIC_PREFIX", ""),
        description="Prepended to every topic name, to share one cluster between environments (and tests).",
    )
    outbox_batch_size: int = Field(default=500, description="Rows the outbox relay publishes per transaction.")
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
