"""The names importable from ``pixlake`` and the shape of the error hierarchy."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pixlake
import pixlake.sdk
from pixlake import enums, errors
from pixlake.sdk.base import SdkObject
from pixlake.sdk.multi import MultiObject


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name in dir(pixlake)
        if not name.startswith("_") and not inspect.ismodule(getattr(pixlake, name))
    }
    assert set(pixlake.__all__) == public | {"__version__"}
    assert pixlake.__all__ == sorted(pixlake.__all__)


def test_public_api_is_complete() -> None:
    """Every SDK object, collection, enumeration and error a user meets is importable from
    ``pixlake`` (found by walking the modules, so a new one can't be forgotten)."""
    exported = {getattr(pixlake, name) for name in pixlake.__all__}
    met: set[type] = set()
    for module_info in pkgutil.iter_modules(pixlake.sdk.__path__, "pixlake.sdk."):
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if (
                inspect.isclass(value)
                and issubclass(value, SdkObject | MultiObject)
                and value not in (SdkObject, MultiObject)
            ):
                met.add(value)
    met |= {getattr(errors, name) for name in errors.__all__ if name.endswith("Error")}
    met |= {getattr(enums, name) for name in enums.__all__}
    missing = sorted(cls.__name__ for cls in met - exported)
    assert missing == []
    assert {
        "Dataset",
        "DatasetVersion",
        "Asset",
        "MultiAsset",
        "Annotation",
        "Label",
        "Worker",
        "Rectangle",
        "Polygon",
        "LockedError",
    } <= set(pixlake.__all__)


def test_top_level_imports() -> None:
    from pixlake import Client, DataType, Target  # noqa: F401

    assert {t.value for t in pixlake.Target} >= {
        "DATA",
        "ASSET",
        "DATASET",
        "DATASET_VERSION",
        "MODEL",
        "MODEL_VERSION",
    }
    assert {t.value for t in pixlake.DataType} == {"IMAGE", "VIDEO"}


def test_errors_inherit_matching_builtins() -> None:
    assert issubclass(errors.NotFoundError, LookupError)
    assert issubclass(errors.BadRequestError, ValueError)
    assert issubclass(errors.UnauthorizedError, PermissionError)
    assert issubclass(errors.ForbiddenError, PermissionError)
    assert issubclass(errors.FileMissingError, FileNotFoundError)
    assert issubclass(errors.StorageError, OSError)
    assert issubclass(errors.InvalidMediaError, errors.BadRequestError)
    assert issubclass(errors.ConflictError, errors.ClientError)


def test_every_error_code_maps_back_to_its_class() -> None:
    classes = [getattr(errors, name) for name in errors.__all__ if name.endswith("Error")]
    for cls in classes:
        assert errors.error_class_for_code(cls.code, cls.status_code) is cls
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))


def test_unknown_code_falls_back_on_status() -> None:
    assert errors.error_class_for_code("nope", 404) is errors.NotFoundError
    assert errors.error_class_for_code("nope", 502) is errors.ServiceError


def test_error_keeps_message_and_details() -> None:
    error = errors.NotFoundError("data x not found", details={"id": "x"})
    assert str(error) == "data x not found"
    assert error.to_body() == {
        "code": "not_found",
        "message": "data x not found",
        "details": {"id": "x"},
    }
    storage = errors.StorageError("disk full")
    assert str(storage) == "disk full"
