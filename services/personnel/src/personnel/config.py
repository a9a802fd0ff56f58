"""Settings of the personnel service; every variable starts with PERSONNEL_ (see README, Settings)."""

from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PERSONNEL_", extra="ignore")

    service_name: str = "personnel"
    http_port: int = 8001
