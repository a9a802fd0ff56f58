"""Settings of the training service; every variable starts with TRAINING_ (see README, Settings)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore")

    service_name: str = "training"
    http_port: int = 8002
    consumer_name: str = Field(
        default="training-officers",
        description="Consumer group and inbox key of the officer/unit read model; renaming it replays every event.",
    )
