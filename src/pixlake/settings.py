"""Every setting of a pixlake platform, read from ``PIXLAKE_*`` environment variables.

Each setting has a name, a default and a help line; ``pixlake serve --help`` lists them.

A value given to ``Settings(...)`` wins over the variable ``PIXLAKE_<NAME>`` (in any case),
which wins over the default; a variable's text is validated as the field's type, as an
argument would be (``"8"`` for an int, ``"true"`` or ``"0"`` for a bool). This is the one
behaviour of pydantic-settings that pixlake used, read here in a few lines: importing that
package cost every process that reads its settings about 40 ms (an embedded ``Client()``
a fifth of its time; docs/startup.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pixlake.setting_specs import DEFAULT_HOME, ENV_PREFIX, GiB, KiB, MiB, env_name, spec_of

__all__ = ["DEFAULT_HOME", "GiB", "KiB", "MiB", "Settings"]


def _field(name: str) -> Any:
    """The field of setting ``name``, from its declaration in ``pixlake.setting_specs``."""
    spec = spec_of(name)
    bounds = {bound: getattr(spec, bound) for bound in ("ge", "gt", "le")}
    return Field(
        default=spec.default,
        description=spec.description,
        **{bound: value for bound, value in bounds.items() if value is not None},
    )


class Settings(BaseModel):
    # Defaults are validated too, so that every value has its field's type; names that are
    # not settings are ignored, as other PIXLAKE_* variables are.
    model_config = ConfigDict(extra="ignore", validate_default=True)

    home: Path = _field("home")
    workspace: Path | None = _field("workspace")
    database_url: str | None = _field("database_url")
    storage_url: str | None = _field("storage_url")
    secret_key: str | None = _field("secret_key")
    large_file_threshold: int = _field("large_file_threshold")
    staging_memory: int = _field("staging_memory")
    compat_api: bool = _field("compat_api")
    url_expiry_seconds: int = _field("url_expiry_seconds")
    trash_retention_days: float = _field("trash_retention_days")
    orphan_grace_hours: float = _field("orphan_grace_hours")
    max_request_body: int = _field("max_request_body")
    max_file_size: int = _field("max_file_size")
    max_files_per_model_version: int = _field("max_files_per_model_version")
    max_image_pixels: int = _field("max_image_pixels")
    max_concurrent_decodes: int = _field("max_concurrent_decodes")
    thumbnail_cache_bytes: int = _field("thumbnail_cache_bytes")
    max_header_bytes: int = _field("max_header_bytes")
    max_header_count: int = _field("max_header_count")
    client_timeout: float = _field("client_timeout")
    max_json_bytes: int = _field("max_json_bytes")
    max_annotation_import_bytes: int = _field("max_annotation_import_bytes")
    idempotency_retention_hours: float = _field("idempotency_retention_hours")
    idempotency_lease_seconds: float = _field("idempotency_lease_seconds")
    max_idempotency_key_length: int = _field("max_idempotency_key_length")
    session_hours: float = _field("session_hours")
    public_url: str | None = _field("public_url")

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        """The settings given, and for each other one its variable when it is set."""
        if not isinstance(given, dict):
            return given
        variables = {
            key.upper(): value
            for key, value in os.environ.items()
            if key.upper().startswith(ENV_PREFIX)
        }
        found = {
            name: variables[key]
            for name in cls.model_fields
            if name not in given and (key := env_name(name)) in variables
        }
        return {**found, **given}

    @property
    def workspace_dir(self) -> Path:
        return (self.workspace or self.home).expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.workspace_dir / 'pixlake.db'}"
