"""The names of what every new workspace or organization starts with.

A module of constants alone, with no import: the CLI shows them as option defaults in
``--help``, which must not load the database layer to print them.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DATALAKE_NAME", "DEFAULT_ORGANIZATION_NAME"]

DEFAULT_ORGANIZATION_NAME = "default"
DEFAULT_DATALAKE_NAME = "default"
