"""Bulk answers parsed without validation give what full validation gives."""

from __future__ import annotations

import copy
import pickle
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, SafeUUID

import orjson

from pixlake.enums import DataType
from pixlake.schemas import AssetPublic
from pixlake.sdk.wire import parse_many

VERSION, LAKE = uuid.uuid4(), uuid.uuid4()


def asset_row(index: int, **changes: Any) -> dict[str, Any]:
    """One asset as the API writes it: decoded JSON."""
    row = {
        "id": str(uuid.uuid4()),
        "dataset_version_id": str(VERSION),
        "data_id": str(uuid.uuid4()),
        "datalake_id": str(LAKE),
        "object_name": f"{LAKE}/ab/{index}",
        "filename": f"clip_{index}.mp4",
        "type": "VIDEO",
        "content_type": "video/mp4",
        "size": 1000 + index,
        "width": 640,
        "height": None,
        "duration": 3,
        "large": False,
        "checksum": f"{index:064x}",
        "metadata": {"codec": "h264"},
        "custom_metadata": {"k": [1, 2]},
        "data_created_at": "2026-11-27T10:00:00.123456+00:00",
        "created_at": f"2026-11-27T10:00:{index:02d}+01:00",
        "deleted_at": None,
    }
    return {**row, **changes}


def test_parsed_rows_equal_validated_ones() -> None:
    rows = [
        asset_row(1),
        asset_row(
            2, deleted_at="2026-11-28T00:00:00+00:00", duration=2.5, type="IMAGE", width=None
        ),
    ]
    expected = [AssetPublic.model_validate(orjson.loads(orjson.dumps(r))) for r in rows]
    parsed = parse_many(AssetPublic, rows)
    assert parsed == expected
    assert [p.model_dump() for p in parsed] == [e.model_dump() for e in expected]
    assert isinstance(parsed[0].duration, float) and parsed[0].duration == 3.0
    assert parsed[0].type is DataType.VIDEO and isinstance(parsed[0].id, uuid.UUID)
    assert parsed[1].deleted_at == datetime(2026, 11, 28, tzinfo=UTC)


def test_values_repeated_across_rows_are_shared_and_ids_are_not() -> None:
    rows = [asset_row(1), asset_row(2)]
    ids = [(UUID(r["id"]), UUID(r["data_id"])) for r in rows]
    first, second = parse_many(AssetPublic, rows)
    assert first.dataset_version_id is second.dataset_version_id
    assert [(first.id, first.data_id), (second.id, second.data_id)] == ids


def test_unknown_fields_are_dropped_and_missing_ones_are_none() -> None:
    row = asset_row(3, added_by_a_newer_server="x")
    del row["width"]
    (parsed,) = parse_many(AssetPublic, [row])
    assert parsed.width is None
    assert "added_by_a_newer_server" not in parsed.model_dump()
    assert list(parsed.model_dump()) == list(AssetPublic.model_fields)  # in the model's order


def test_shared_values_are_shared_across_combinations_and_dicts_are_not() -> None:
    rows = [asset_row(1), asset_row(2, width=1234), asset_row(3, width=1234)]
    first, second, third = parse_many(AssetPublic, rows)
    assert first.datalake_id is second.datalake_id is third.datalake_id
    assert second.width == 1234 and second.width is third.width
    # Metadata dicts are the rows' own: changing one asset's leaves the others alone.
    assert first.metadata == second.metadata and first.metadata is not second.metadata
    first.custom_metadata["k"] = "v"
    assert second.custom_metadata == {"k": [1, 2]}


def test_ids_read_from_the_wire_are_plain_uuids() -> None:
    row = asset_row(4)
    wanted = UUID(row["id"])
    (parsed,) = parse_many(AssetPublic, [row])
    assert parsed.id == wanted and hash(parsed.id) == hash(wanted)
    assert str(parsed.id) == str(wanted) and parsed.id.version == wanted.version
    assert {parsed.id: 1}[wanted] == 1
    # Both slots of a UUID are set, as UUID() sets them: it pickles and copies as one.
    assert parsed.id.is_safe is SafeUUID.unknown
    assert pickle.loads(pickle.dumps(parsed.id)) == wanted == copy.copy(parsed.id)


def test_parsed_models_pickle_copy_and_compare_as_validated_ones() -> None:
    row = asset_row(5)
    (parsed,) = parse_many(AssetPublic, [row])
    validated = AssetPublic.model_validate(row)
    assert pickle.loads(pickle.dumps(parsed)) == validated
    assert parsed.model_copy(update={"width": 7}).width == 7
    assert parsed.model_fields_set == validated.model_fields_set
