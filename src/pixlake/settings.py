"""Every setting of a pixlake platform, read from ``PIXLAKE_*`` environment variables.

Each setting has a name, a default and a help line; ``pixlake serve --help`` lists them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_HOME", "MiB", "Settings"]

MiB = 1024 * 1024
DEFAULT_HOME = Path("~/.pixlake")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIXLAKE_", extra="ignore")

    home: Path = Field(
        default=DEFAULT_HOME,
        description="Workspace folder used when no other is given (SQLite database, objects).",
    )
    workspace: Path | None = Field(
        default=None, description="Workspace folder to open instead of PIXLAKE_HOME."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy database URL (sqlite:///..., postgresql+psycopg://...); "
        "defaults to pixlake.db inside the workspace.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where objects live: s3://bucket/prefix (endpoint, region and "
        "credentials the standard AWS way: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...) or a "
        "file:// folder; defaults to the workspace folder.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs download URLs; the same on every server of a "
        "deployment. Defaults to one generated in the workspace, which `pixlake serve` "
        "refuses when listening beyond loopback.",
    )
    large_file_threshold: int = Field(
        default=25 * MiB, ge=1, description="Size in bytes from which a file counts as large."
    )
    staging_memory: int = Field(
        default=256 * MiB, ge=0,
        description="Bytes of incoming files a server in front of a bucket may hold in "
        "memory, all requests together, between their arrival and their upload to the "
        "bucket (files up to 8 MiB; the others, and any beyond this budget, are staged on "
        "disk in the workspace). 0 stages every file on disk.",
    )
    url_expiry_seconds: int = Field(
        default=3600, ge=1, description="How long a signed download URL stays valid."
    )
    trash_retention_days: float = Field(
        default=7, ge=0,
        description="How long deleted datasets, versions, assets and annotations stay "
        "restorable before `pixlake trash purge` removes them.",
    )
    idempotency_retention_hours: float = Field(
        default=24, ge=0,
        description="How long the answer of a request sent with an Idempotency-Key is kept, "
        "so that a retry with the same key gets it instead of doing the work again.",
    )
    idempotency_lease_seconds: float = Field(
        default=600, ge=0,
        description="How long a request holding an Idempotency-Key may run; a retry with "
        "the key answers 409 until then, and afterwards takes the place of a request whose "
        "server died before committing.",
    )
    max_idempotency_key_length: int = Field(
        default=255, ge=1, le=255,
        description="Longest Idempotency-Key header accepted, in characters.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL clients reach the API at, used in download URLs "
        "(defaults to the URL of each request).",
    )

    @property
    def workspace_dir(self) -> Path:
        return (self.workspace or self.home).expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.workspace_dir / 'pixlake.db'}"
