"""Enumerations shared by the wire format, the server and the SDK."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DataType", "Target"]


class DataType(StrEnum):
    """What kind of media a Data (or an Asset) holds."""

    IMAGE = "IMAGE"
    VIDEO = "VIDEO"


class Target(StrEnum):
    """The kind of object a Tag can be attached to."""

    DATA = "DATA"
    ASSET = "ASSET"
    DATASET = "DATASET"
    DATASET_VERSION = "DATASET_VERSION"
    MODEL = "MODEL"
    MODEL_VERSION = "MODEL_VERSION"
