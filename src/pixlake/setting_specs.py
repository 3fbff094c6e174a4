"""Every setting's name, type, default, bounds and help line, declared once.

``pixlake.settings.Settings`` (a pydantic model that reads ``PIXLAKE_*`` variables)
builds each of its fields from the entry of the same name here; ``pixlake serve --help``
lists the settings and makes one option per setting from this table alone, without
importing pydantic (docs/startup.md). A test checks that the class and the table agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_HOME",
    "ENV_PREFIX",
    "SETTING_SPECS",
    "GiB",
    "KiB",
    "MiB",
    "SettingSpec",
    "env_name",
    "spec_of",
]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
# Pillow refuses outright images over twice its own MAX_IMAGE_PIXELS when opening them, so
# no setting above that could ever be honoured.
_PILLOW_REFUSED_PIXELS = 2 * (1024 * 1024 * 1024 // 4 // 3)
DEFAULT_HOME = Path("~/.pixlake")


@dataclass(frozen=True)
class SettingSpec:
    """One setting: ``Settings`` has a field of this name, type, default and bounds."""

    name: str
    kind: type
    """The type of its values (``bool``, ``int``, ``float``, ``str`` or ``Path``)."""
    default: object
    description: str
    optional: bool = False
    """``None`` is one of its values (the setting is unset)."""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None


SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "home",
        Path,
        DEFAULT_HOME,
        description="Workspace folder used when no other is given (SQLite database, objects).",
    ),
    SettingSpec(
        "workspace",
        Path,
        None,
        optional=True,
        description="Workspace folder to open instead of PIXLAKE_HOME.",
    ),
    SettingSpec(
        "database_url",
        str,
        None,
        optional=True,
        description="SQLAlchemy database URL (sqlite:///..., postgresql+psycopg://...); "
        "defaults to pixlake.db inside the workspace.",
    ),
    SettingSpec(
        "storage_url",
        str,
        None,
        optional=True,
        description="Where objects live: s3://bucket/prefix (endpoint, region and "
        "credentials the standard AWS way: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...) or a "
        "file:// folder; defaults to the workspace folder.",
    ),
    SettingSpec(
        "secret_key",
        str,
        None,
        optional=True,
        description="Key that signs download URLs; the same on every server of a "
        "deployment. Defaults to one generated in the workspace, which `pixlake serve` "
        "refuses when listening beyond loopback.",
    ),
    SettingSpec(
        "large_file_threshold",
        int,
        25 * MiB,
        ge=1,
        description="Size in bytes from which a file counts as large.",
    ),
    SettingSpec(
        "staging_memory",
        int,
        256 * MiB,
        ge=0,
        description="Bytes of incoming files a server may hold in memory, all requests "
        "together, between their arrival and their commit (files up to 8 MiB; in front of a "
        "local folder, only those whose size is announced). Probed from memory, they are "
        "written once: uploaded to the bucket, or written to their place in the folder. The "
        "others, and any beyond this budget, are staged on disk in the workspace. 0 stages "
        "every file on disk.",
    ),
    SettingSpec(
        "compat_api",
        bool,
        True,
        description="Serve the Picsellia-compatible API under /api, so that scripts written "
        "with the official picsellia SDK run against this server "
        "(docs/picsellia-compatibility.md).",
    ),
    SettingSpec(
        "url_expiry_seconds",
        int,
        3600,
        ge=1,
        description="How long a signed download URL stays valid.",
    ),
    SettingSpec(
        "trash_retention_days",
        float,
        7,
        ge=0,
        description="How long deleted datasets, versions, assets and annotations stay "
        "restorable before `pixlake trash purge` removes them.",
    ),
    SettingSpec(
        "orphan_grace_hours",
        float,
        24,
        ge=1,
        description="Age in hours from which staging files and stored objects that no row "
        "names count as crash residue, removed at start-up and by `pixlake gc`. Bytes are "
        "in place before their row commits, so younger ones may belong to an upload still "
        "in flight.",
    ),
    SettingSpec(
        "max_request_body",
        int,
        16 * MiB,
        ge=1,
        description="Largest request body, in bytes, of a JSON route (every route but the "
        "two file uploads); refused with 413 from its Content-Length, or as soon as a "
        "chunked body passes it.",
    ),
    SettingSpec(
        "max_file_size",
        int,
        50 * GiB,
        ge=1,
        description="Largest file, in bytes, one upload may store (a PUT of one file, or "
        "one frame of a bundle); refused with 413 before staging when the size is "
        "announced, and as soon as the bytes pass it otherwise.",
    ),
    SettingSpec(
        "max_files_per_model_version",
        int,
        1000,
        ge=1,
        description="Files one model version may hold (its weights, configs...); storing "
        "one more is refused with 400.",
    ),
    SettingSpec(
        "max_image_pixels",
        int,
        100_000_000,
        ge=1,
        le=_PILLOW_REFUSED_PIXELS,
        description="Largest image, in pixels (width x height, read from its header "
        "before anything is decoded), an upload may hold; refused with 413.",
    ),
    SettingSpec(
        "max_concurrent_decodes",
        int,
        2,
        ge=1,
        description="Images a server process decodes fully at once (those whose header "
        "alone can't prove them complete); the others wait. Bounds decode memory to about "
        "this x max_image_pixels x 4 bytes.",
    ),
    SettingSpec(
        "thumbnail_cache_bytes",
        int,
        64 * MiB,
        ge=0,
        description="Bytes of thumbnails a server process keeps in memory (most recently "
        "used first; 0 keeps none), so that a gallery's pictures are answered without "
        "reading the object store.",
    ),
    SettingSpec(
        "max_header_bytes",
        int,
        32 * KiB,
        ge=1024,
        description="Largest request head (request line and headers), in bytes; refused with 431.",
    ),
    SettingSpec(
        "max_header_count",
        int,
        100,
        ge=1,
        description="Most headers one request may carry; refused with 431.",
    ),
    SettingSpec(
        "client_timeout",
        float,
        60,
        gt=0,
        description="Seconds a client has to send a request's headers in full, and the "
        "longest pause allowed between two pieces of its body; past it the request is "
        "answered 408, the connection closed and what it staged dropped.",
    ),
    SettingSpec(
        "max_json_bytes",
        int,
        64 * 1024,
        ge=1,
        description="Largest JSON value a client may store (a data's custom metadata, "
        "once merged), in bytes written compactly; larger ones are refused.",
    ),
    SettingSpec(
        "max_annotation_import_bytes",
        int,
        1 * GiB,
        ge=1,
        description="Largest set of annotation files (COCO, YOLO, VOC) one import may "
        "upload, in bytes, all files together; refused with 413 as soon as the announced "
        "sizes pass it. The server holds them in memory while it reads them.",
    ),
    SettingSpec(
        "idempotency_retention_hours",
        float,
        24,
        ge=0,
        description="How long the answer of a request sent with an Idempotency-Key is kept, "
        "so that a retry with the same key gets it instead of doing the work again.",
    ),
    SettingSpec(
        "idempotency_lease_seconds",
        float,
        600,
        ge=0,
        description="How long a request holding an Idempotency-Key may run; a retry with "
        "the key answers 409 until then, and afterwards takes the place of a request whose "
        "server died before committing.",
    ),
    SettingSpec(
        "max_idempotency_key_length",
        int,
        255,
        ge=1,
        le=255,
        description="Longest Idempotency-Key header accepted, in characters.",
    ),
    SettingSpec(
        "session_hours",
        float,
        12,
        gt=0,
        le=24 * 30,
        description="How long a web app session (the cookie signing in with an API token "
        "gives) lasts, in hours; revoking the token ends it sooner.",
    ),
    SettingSpec(
        "public_url",
        str,
        None,
        optional=True,
        description="Base URL clients reach the API at, used in download URLs. Unset, "
        "a request's own URL is used only when its Host is loopback (localhost, "
        "127.0.0.1, ::1); other hosts are refused, as a Host header can be spoofed.",
    ),
)

_BY_NAME = {spec.name: spec for spec in SETTING_SPECS}


def spec_of(name: str) -> SettingSpec:
    """The entry of setting ``name``."""
    return _BY_NAME[name]


ENV_PREFIX = "PIXLAKE_"


def env_name(name: str) -> str:
    """The environment variable of setting ``name``: ``PIXLAKE_MAX_FILE_SIZE``."""
    return ENV_PREFIX + name.upper()
