"""Settings of the reporting service; every variable starts with REPORTING_ (see README, Settings)."""

import os

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings, env


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    http_port: int = 8004
    consumer_name: str = Field(
        default="reporting-projections",
        description="Consumer group and inbox key of the live projections; renaming it replays every event.",
    )
    # The dashboard's sign-in with the province's identity provider (authorization code + PKCE, in the
    # browser). Unprefixed OIDC_* variables are the fallback, as for the other shared settings.
    oidc_issuer: str | None = Field(
        default_factory=lambda: os.environ.get("OIDC_ISSUER") or None,
        description="OpenID Connect issuer URL; the dashboard offers its sign-in when set.",
    )
    oidc_client_id: str = Field(
        default_factory=lambda: env("OIDC_CLIENT_ID", "cds-dashboard"),
        description="The dashboard's public client id at the identity provider.",
    )
    oidc_scope: str = Field(
        default_factory=lambda: env("OIDC_SCOPE", "openid"), description="Scopes the dashboard asks for."
    )
