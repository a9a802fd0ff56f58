"""Settings of the reporting service; every variable starts with REPORTING_ (see README, Settings)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    http_port: int = 8004
    consumer_name: str = Field(
        default="reporting-projections",
        description="Consumer group and inbox key of the live projections; renaming it replays every event.",
    )
