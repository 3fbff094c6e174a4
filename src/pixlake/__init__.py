"""pixlake: a self-hostable data platform for computer vision.

Quick start::

    from pixlake import Client

    client = Client()                       # embedded workspace at ~/.pixlake
    datalake = client.get_datalake()
    data = datalake.upload_data("images/")  # a MultiData

Every class a user meets is importable from here: the SDK objects, the shapes, the
enumerations and every error of ``pixlake.errors``. Plain result records (``VersionStats``,
``TrashItem``...) are the wire models of ``pixlake.schemas``.
"""

__version__ = "0.1.0"

from pixlake.client import Client
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
    BadRequestError,
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
    LimitExceededError,
    LockedError,
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
    UnsupportedMediaError,
    WrongTargetError,
)
from pixlake.progress import disable_progress_bars, enable_progress_bars
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.asset import Asset, MultiAsset
from pixlake.sdk.data import Data, MultiData
from pixlake.sdk.datalake import Datalake
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.label import Label
from pixlake.sdk.local_files import SkippedFile
from pixlake.sdk.shapes import Classification, Line, Point, Polygon, Rectangle, Shape
from pixlake.sdk.tag import Tag
from pixlake.sdk.worker import Worker

__all__ = [
    "Annotation",
    "AnnotationFileType",
    "AnnotationStatus",
    "Asset",
    "BadRequestError",
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
    "InferenceType",
    "InsecureFileError",
    "InsufficientStorageError",
    "InvalidFilenameError",
    "InvalidMediaError",
    "Label",
    "LimitExceededError",
    "Line",
    "LockedError",
    "MultiAsset",
    "MultiData",
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
    "UnsupportedMediaError",
    "Worker",
    "WrongTargetError",
    "__version__",
    "disable_progress_bars",
    "enable_progress_bars",
]
