"""Settings of the recruitment service; every variable starts with RECRUITMENT_ (see README, Settings)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECRUITMENT_", extra="ignore")

    service_name: str = "recruitment"
    http_port: int = 8003
    candidate_retention_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="A candidate never hired is erased this many months after their last application closed.",
    )
    retention_interval_s: float = Field(
        default=3600.0, gt=0, description="How often the retention job looks for candidates to erase."
    )
