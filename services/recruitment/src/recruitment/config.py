"""Settings of the recruitment service; every variable starts with RECRUITMENT_ (see README, Settings)."""

from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECRUITMENT_", extra="ignore")

    service_name: str = "recruitment"
    http_port: int = 8003
