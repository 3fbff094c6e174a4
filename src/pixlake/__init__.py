"""pixlake: a self-hostable data platform for computer vision.

Quick start::

    from pixlake import Client

    client = Client()                       # embedded workspace at ~/.pixlake
    datalake = client.get_datalake()
    data = datalake.upload_data("images/")  # a MultiData

Every class a user meets is importable from here: the SDK objects, the shapes, the
enumerations and every error of ``pixlake.errors``. Plain result records (``VersionStats``,
``TrashItem``...) are the wire models of ``pixlake.schemas``.

Importing ``pixlake`` is cheap: the errors, the enumerations and the progress switches
are loaded with it, and every other public name (the SDK, and what it needs: pydantic,
httpx) on first use, by the module-level ``__getattr__`` below (PEP 562). The embedded
application (FastAPI, SQLAlchemy...) is loaded only when an embedded ``Client()`` opens a
workspace; see docs/startup.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The standard library only: cheap enough to load with the package.
from pixlake.enums import (
    AnnotationFileType,
    AnnotationStatus,
    DataType,
    Framework,
    ImportAnnotationMode,
    InferenceType,
    Role,
    ShapeKind,
    Target,
    TrashKind,
)
from pixlake.errors import (
    AnnotationFileError,
    BadRequestError,
    ChecksumMismatchError,
    ClientError,
    ConflictError,
    CsrfError,
    DatabaseError,
    EmptyFileError,
    FileMissingError,
    ForbiddenError,
    HeadersTooLargeError,
    IdempotencyKeyReusedError,
    InsecureFileError,
    InsufficientStorageError,
    InvalidFilenameError,
    InvalidMediaError,
    InvalidQueryError,
    LimitExceededError,
    LockedError,
    NotAFolderError,
    NotFoundError,
    OutdatedSchemaError,
    PayloadTooLargeError,
    PixlakeError,
    RequestInProgressError,
    RequestTimeoutError,
    ServiceError,
    SessionExpiredError,
    StorageError,
    TransportError,
    UnauthorizedError,
    UnsafePathError,
    UnsupportedMediaError,
    UnsupportedShapeError,
    WrongTargetError,
)
from pixlake.progress import disable_progress_bars, enable_progress_bars

if TYPE_CHECKING:
    # What type checkers and editors read; at run time these load on first use.
    from pixlake.client import Client
    from pixlake.import_schemas import ImportSummary
    from pixlake.sdk.annotation import Annotation
    from pixlake.sdk.asset import Asset, MultiAsset
    from pixlake.sdk.curation import VersionDiff
    from pixlake.sdk.data import Data, MultiData
    from pixlake.sdk.datalake import Datalake
    from pixlake.sdk.dataset import Dataset
    from pixlake.sdk.dataset_version import DatasetVersion
    from pixlake.sdk.label import Label
    from pixlake.sdk.local_files import SkippedFile
    from pixlake.sdk.model import Model
    from pixlake.sdk.model_file import ModelFile
    from pixlake.sdk.model_version import ModelVersion
    from pixlake.sdk.shapes import Classification, Line, Point, Polygon, Rectangle, Shape
    from pixlake.sdk.tag import Tag
    from pixlake.sdk.worker import Worker

_LAZY_NAMES: dict[str, str] = {
    "Annotation": "pixlake.sdk.annotation",
    "Asset": "pixlake.sdk.asset",
    "Classification": "pixlake.sdk.shapes",
    "Client": "pixlake.client",
    "Data": "pixlake.sdk.data",
    "Datalake": "pixlake.sdk.datalake",
    "Dataset": "pixlake.sdk.dataset",
    "DatasetVersion": "pixlake.sdk.dataset_version",
    "ImportSummary": "pixlake.import_schemas",
    "Label": "pixlake.sdk.label",
    "Line": "pixlake.sdk.shapes",
    "Model": "pixlake.sdk.model",
    "ModelFile": "pixlake.sdk.model_file",
    "ModelVersion": "pixlake.sdk.model_version",
    "MultiAsset": "pixlake.sdk.asset",
    "MultiData": "pixlake.sdk.data",
    "Point": "pixlake.sdk.shapes",
    "Polygon": "pixlake.sdk.shapes",
    "Rectangle": "pixlake.sdk.shapes",
    "Shape": "pixlake.sdk.shapes",
    "SkippedFile": "pixlake.sdk.local_files",
    "Tag": "pixlake.sdk.tag",
    "VersionDiff": "pixlake.sdk.curation",
    "Worker": "pixlake.sdk.worker",
}
"""Each public name loaded on first use, and the module that defines it."""


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'pixlake' has no attribute {name!r}")
    from pixlake.gcpause import paused_gc

    # The SDK's import builds thousands of long-lived objects (classes, pydantic's schemas):
    # collections along the way would only walk them again (docs/startup.md).
    with paused_gc():
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups find a plain attribute
    return value


def __dir__() -> list[str]:
    # The public names, loaded or not (what an editor offers after ``pixlake.``).
    return sorted(__all__)


__all__ = [
    "Annotation",
    "AnnotationFileError",
    "AnnotationFileType",
    "AnnotationStatus",
    "Asset",
    "BadRequestError",
    "ChecksumMismatchError",
    "Classification",
    "Client",
    "ClientError",
    "ConflictError",
    "CsrfError",
    "Data",
    "DataType",
    "DatabaseError",
    "Datalake",
    "Dataset",
    "DatasetVersion",
    "EmptyFileError",
    "FileMissingError",
    "ForbiddenError",
    "Framework",
    "HeadersTooLargeError",
    "IdempotencyKeyReusedError",
    "ImportAnnotationMode",
    "ImportSummary",
    "InferenceType",
    "InsecureFileError",
    "InsufficientStorageError",
    "InvalidFilenameError",
    "InvalidMediaError",
    "InvalidQueryError",
    "Label",
    "LimitExceededError",
    "Line",
    "LockedError",
    "Model",
    "ModelFile",
    "ModelVersion",
    "MultiAsset",
    "MultiData",
    "NotAFolderError",
    "NotFoundError",
    "OutdatedSchemaError",
    "PayloadTooLargeError",
    "PixlakeError",
    "Point",
    "Polygon",
    "Rectangle",
    "RequestInProgressError",
    "RequestTimeoutError",
    "Role",
    "ServiceError",
    "SessionExpiredError",
    "Shape",
    "ShapeKind",
    "SkippedFile",
    "StorageError",
    "Tag",
    "Target",
    "TransportError",
    "TrashKind",
    "UnauthorizedError",
    "UnsafePathError",
    "UnsupportedMediaError",
    "UnsupportedShapeError",
    "VersionDiff",
    "Worker",
    "WrongTargetError",
    "__version__",
    "disable_progress_bars",
    "enable_progress_bars",
]
