"""Every setting of a pixlake platform, read from ``PIXLAKE_*`` environment variables.

Each setting has a name, a default and a help line; ``pixlake serve --help`` lists them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_HOME", "GiB", "KiB", "MiB", "Settings"]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
# Pillow refuses outright images over twice its own MAX_IMAGE_PIXELS when opening them, so
# no setting above that could ever be honoured.
_PILLOW_REFUSED_PIXELS = 2 * (1024 * 1024 * 1024 // 4 // 3)
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
        default=256 * MiB,
        ge=0,
        description="Bytes of incoming files a server may hold in memory, all requests "
        "together, between their arrival and their commit (files up to 8 MiB; in front of a "
        "local folder, only those whose size is announced). Probed from memory, they are "
        "written once: uploaded to the bucket, or written to their place in the folder. The "
        "others, and any beyond this budget, are staged on disk in the workspace. 0 stages "
        "every file on disk.",
    )
    compat_api: bool = Field(
        default=True,
        description="Serve the Picsellia-compatible API under /api, so that scripts written "
        "with the official picsellia SDK run against this server "
        "(docs/picsellia-compatibility.md).",
    )
    url_expiry_seconds: int = Field(
        default=3600, ge=1, description="How long a signed download URL stays valid."
    )
    trash_retention_days: float = Field(
        default=7,
        ge=0,
        description="How long deleted datasets, versions, assets and annotations stay "
        "restorable before `pixlake trash purge` removes them.",
    )
    orphan_grace_hours: float = Field(
        default=24,
        ge=1,
        description="Age in hours from which staging files and stored objects that no row "
        "names count as crash residue, removed at start-up and by `pixlake gc`. Bytes are "
        "in place before their row commits, so younger ones may belong to an upload still "
        "in flight.",
    )
    max_request_body: int = Field(
        default=16 * MiB,
        ge=1,
        description="Largest request body, in bytes, of a JSON route (every route but the "
        "two file uploads); refused with 413 from its Content-Length, or as soon as a "
        "chunked body passes it.",
    )
    max_file_size: int = Field(
        default=50 * GiB,
        ge=1,
        description="Largest file, in bytes, one upload may store (a PUT of one file, or "
        "one frame of a bundle); refused with 413 before staging when the size is "
        "announced, and as soon as the bytes pass it otherwise.",
    )
    max_files_per_model_version: int = Field(
        default=1000,
        ge=1,
        description="Files one model version may hold (its weights, configs...); storing "
        "one more is refused with 400.",
    )
    max_image_pixels: int = Field(
        default=100_000_000,
        ge=1,
        le=_PILLOW_REFUSED_PIXELS,
        description="Largest image, in pixels (width x height, read from its header "
        "before anything is decoded), an upload may hold; refused with 413.",
    )
    max_concurrent_decodes: int = Field(
        default=2,
        ge=1,
        description="Images a server process decodes fully at once (those whose header "
        "alone can't prove them complete); the others wait. Bounds decode memory to about "
        "this x max_image_pixels x 4 bytes.",
    )
    thumbnail_cache_bytes: int = Field(
        default=64 * MiB,
        ge=0,
        description="Bytes of thumbnails a server process keeps in memory (most recently "
        "used first; 0 keeps none), so that a gallery's pictures are answered without "
        "reading the object store.",
    )
    max_header_bytes: int = Field(
        default=32 * KiB,
        ge=1024,
        description="Largest request head (request line and headers), in bytes; refused with 431.",
    )
    max_header_count: int = Field(
        default=100, ge=1, description="Most headers one request may carry; refused with 431."
    )
    client_timeout: float = Field(
        default=60,
        gt=0,
        description="Seconds a client has to send a request's headers in full, and the "
        "longest pause allowed between two pieces of its body; past it the request is "
        "answered 408, the connection closed and what it staged dropped.",
    )
    max_json_bytes: int = Field(
        default=64 * 1024,
        ge=1,
        description="Largest JSON value a client may store (a data's custom metadata, "
        "once merged), in bytes written compactly; larger ones are refused.",
    )
    max_annotation_import_bytes: int = Field(
        default=1 * GiB,
        ge=1,
        description="Largest set of annotation files (COCO, YOLO, VOC) one import may "
        "upload, in bytes, all files together; refused with 413 as soon as the announced "
        "sizes pass it. The server holds them in memory while it reads them.",
    )
    idempotency_retention_hours: float = Field(
        default=24,
        ge=0,
        description="How long the answer of a request sent with an Idempotency-Key is kept, "
        "so that a retry with the same key gets it instead of doing the work again.",
    )
    idempotency_lease_seconds: float = Field(
        default=600,
        ge=0,
        description="How long a request holding an Idempotency-Key may run; a retry with "
        "the key answers 409 until then, and afterwards takes the place of a request whose "
        "server died before committing.",
    )
    max_idempotency_key_length: int = Field(
        default=255,
        ge=1,
        le=255,
        description="Longest Idempotency-Key header accepted, in characters.",
    )
    session_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 30,
        description="How long a web app session (the cookie signing in with an API token "
        "gives) lasts, in hours; revoking the token ends it sooner.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL clients reach the API at, used in download URLs. Unset, "
        "a request's own URL is used only when its Host is loopback (localhost, "
        "127.0.0.1, ::1); other hosts are refused, as a Host header can be spoofed.",
    )

    @property
    def workspace_dir(self) -> Path:
        return (self.workspace or self.home).expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.workspace_dir / 'pixlake.db'}"
