"""Enumerations shared by the wire format, the server and the SDK."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AnnotationFileType",
    "AnnotationStatus",
    "DataType",
    "Framework",
    "ImportAnnotationMode",
    "InferenceType",
    "Role",
    "ShapeKind",
    "Target",
    "TrashKind",
]


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


class InferenceType(StrEnum):
    """What a dataset version's annotations are for."""

    NOT_CONFIGURED = "NOT_CONFIGURED"
    CLASSIFICATION = "CLASSIFICATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    SEGMENTATION = "SEGMENTATION"
    POINT = "POINT"
    LINE = "LINE"
    MULTI = "MULTI"


class AnnotationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    SKIPPED = "SKIPPED"


class ShapeKind(StrEnum):
    RECTANGLE = "RECTANGLE"
    POLYGON = "POLYGON"
    CLASSIFICATION = "CLASSIFICATION"
    POINT = "POINT"
    LINE = "LINE"


class TrashKind(StrEnum):
    """What can sit in the trash."""

    DATASET = "DATASET"
    DATASET_VERSION = "DATASET_VERSION"
    ASSET = "ASSET"
    ANNOTATION = "ANNOTATION"
    MODEL = "MODEL"
    MODEL_VERSION = "MODEL_VERSION"
    MODEL_FILE = "MODEL_FILE"


class Role(StrEnum):
    """What a user may do inside its organization (docs/roles.md has the table)."""

    ADMIN = "admin"
    MEMBER = "member"


class AnnotationFileType(StrEnum):
    """The annotation formats a dataset version is imported from and exported to."""

    COCO = "COCO"
    YOLO = "YOLO"
    PASCAL_VOC = "PASCAL_VOC"


class ImportAnnotationMode(StrEnum):
    """What an import does to an asset that already has an annotation by the worker."""

    REPLACE = "REPLACE"  # the worker's annotation of each matched asset is replaced
    KEEP = "KEEP"  # assets that already have one are left alone
    CONCATENATE = "CONCATENATE"  # the imported shapes are added to it


class Framework(StrEnum):
    """The framework a model (or a model version) was built with."""

    PYTORCH = "PYTORCH"
    TENSORFLOW = "TENSORFLOW"
    ONNX = "ONNX"
    KERAS = "KERAS"
    OTHER = "OTHER"
    NOT_CONFIGURED = "NOT_CONFIGURED"
