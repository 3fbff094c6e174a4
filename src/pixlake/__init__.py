"""pixlake: a self-hostable data platform for computer vision.

Quick start::

    from pixlake import Client

    client = Client()                       # embedded workspace at ~/.pixlake
    datalake = client.get_datalake()
    data = datalake.upload_data("images/")  # a MultiData
"""

__version__ = "0.1.0"

from pixlake.enums import DataType, Target
from pixlake.errors import (
    BadRequestError,
    ClientError,
    ConflictError,
    EmptyFileError,
    FileMissingError,
    ForbiddenError,
    HeadersTooLargeError,
    IdempotencyKeyReusedError,
    InsufficientStorageError,
    InvalidFilenameError,
    InvalidMediaError,
    LimitExceededError,
    LockedError,
    NotFoundError,
    PayloadTooLargeError,
    PixlakeError,
    RequestInProgressError,
    RequestTimeoutError,
    ServiceError,
    StorageError,
    TransportError,
    UnauthorizedError,
    UnsupportedMediaError,
    WrongTargetError,
)
from pixlake.progress import disable_progress_bars, enable_progress_bars
from pixlake.sdk.client import Client
from pixlake.sdk.data import Data, MultiData
from pixlake.sdk.datalake import Datalake
from pixlake.sdk.tag import Tag

__all__ = [
    "BadRequestError",
    "Client",
    "ClientError",
    "ConflictError",
    "Data",
    "DataType",
    "Datalake",
    "EmptyFileError",
    "FileMissingError",
    "ForbiddenError",
    "HeadersTooLargeError",
    "IdempotencyKeyReusedError",
    "InsufficientStorageError",
    "InvalidFilenameError",
    "InvalidMediaError",
    "LimitExceededError",
    "LockedError",
    "MultiData",
    "NotFoundError",
    "PayloadTooLargeError",
    "PixlakeError",
    "RequestInProgressError",
    "RequestTimeoutError",
    "ServiceError",
    "StorageError",
    "Tag",
    "Target",
    "TransportError",
    "UnauthorizedError",
    "UnsupportedMediaError",
    "WrongTargetError",
    "__version__",
    "disable_progress_bars",
    "enable_progress_bars",
]
