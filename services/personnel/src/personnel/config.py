"""Settings of the personnel service; every variable starts with PERSONNEL_ (see README, Settings)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PERSONNEL_", extra="ignore")

    service_name: str = "personnel"
    http_port: int = 8001
    import_max_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1, description="Largest bulk-import file (413 above); other bodies: 1 MiB."
    )
    package_max_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1, description="Largest province package as sent (413 above)."
    )
    package_max_uncompressed_bytes: int = Field(
        default=128 * 1024 * 1024, ge=1, description="Largest total size of a zipped package's files once unpacked."
    )
