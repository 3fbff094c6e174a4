"""Asset and data JSON written by the database: exact values on SQLite and PostgreSQL,
compared with the validated model of the same asset or data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest

from pixlake.core import tables as t
from pixlake.core.context import utcnow
from pixlake.core.services import assets as asset_service
from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.services import datasets as dataset_service
from pixlake.core.services.wire_json import KNOWN_DATALAKES, asset_json_select
from pixlake.core.sql import bulk_insert
from pixlake.core.workspace import Workspace
from pixlake.enums import InferenceType
from pixlake.ids import new_id
from pixlake.schemas import AssetPublic, AssetQuery, DataPublic, DataQuery
from tests.services import opened_workspace

DURATIONS = [10.033333333333333, 0.30000000000000004, 123456789.12345679, 1.0, 1e-7, None]


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    with opened_workspace(request.param, tmp_path) as opened:
        yield opened


def insert_data(workspace: Workspace) -> list[UUID]:
    """Data rows with every kind of value the JSON must keep exactly; their ids."""
    ctx, owner = workspace.context, workspace.owner
    lake = datalake_service.list_datalakes(ctx, owner)[0]
    rows = [
        {
            "id": new_id(),
            "organization_id": owner.organization_id,
            "datalake_id": lake.id,
            "object_name": f"{lake.id}/00/{index:064x}",
            "filename": f'clip \u2028 "{index}".mp4',
            "type": "VIDEO",
            "content_type": "video/mp4",
            "size": 1000 + index,
            "checksum": f"{index:064x}",
            "width": 64,
            "height": None,
            "duration": duration,
            "metadata": {"codec": "h264", "big": 2**53 + 1, "nothing": None, "é": "\u0000"},
            "custom_metadata": {},
            "created_at": utcnow(),
        }
        for index, duration in enumerate(DURATIONS)
    ]
    with ctx.db.write() as conn:
        bulk_insert(conn, t.data, rows)
    return [row["id"] for row in rows]


def test_listed_data_json_equals_the_model(workspace: Workspace) -> None:
    ctx, owner = workspace.context, workspace.owner
    data_ids = insert_data(workspace)
    lake = datalake_service.list_datalakes(ctx, owner)[0]
    page = data_service.search_data(ctx, owner, lake.id, DataQuery(limit=4))
    listed = orjson.loads(orjson.dumps(page.items))
    rest = data_service.search_data(ctx, owner, lake.id, DataQuery(after=page.next_after))
    listed += orjson.loads(orjson.dumps(rest.items))
    assert rest.next_after is None
    assert [d["id"] for d in listed] == sorted(str(i) for i in data_ids)

    for answer in listed:
        alone = data_service.get_data(ctx, owner, UUID(answer["id"]))
        assert DataPublic.model_validate(answer) == alone
        assert list(answer) == list(DataPublic.model_fields)  # the model's own key order
        assert answer["duration"] == alone.duration  # exactly: 17 digits, not 15
        assert answer["created_at"].endswith("+00:00")
    only = data_service.search_data(ctx, owner, lake.id, DataQuery(ids=[data_ids[2]]))
    assert [d["id"] for d in orjson.loads(orjson.dumps(only.items))] == [str(data_ids[2])]


def test_listed_asset_json_equals_the_model(workspace: Workspace) -> None:
    ctx, owner = workspace.context, workspace.owner
    data_ids = insert_data(workspace)
    dataset = dataset_service.create_dataset(ctx, owner, "d", "")
    version = dataset_service.create_version(
        ctx, owner, dataset.id, "v1", "", InferenceType.NOT_CONFIGURED
    )

    added = orjson.loads(orjson.dumps(asset_service.add_data(ctx, owner, version.id, data_ids)))
    page = asset_service.search_assets(ctx, owner, version.id, AssetQuery(limit=3))
    listed = orjson.loads(orjson.dumps(page.items))
    rest = asset_service.search_assets(
        ctx, owner, version.id, AssetQuery(limit=10, after=page.next_after)
    )
    listed += orjson.loads(orjson.dumps(rest.items))
    assert rest.next_after is None
    assert [a["data_id"] for a in added] == [str(i) for i in data_ids]
    assert sorted(a["id"] for a in listed) == sorted(a["id"] for a in added)

    for answer in [*added, *listed]:
        alone = asset_service.get_asset(ctx, owner, UUID(answer["id"]))
        assert AssetPublic.model_validate(answer) == alone
        assert list(answer) == list(AssetPublic.model_fields)
        assert answer["duration"] == alone.duration  # exactly: 17 digits, not 15
        assert answer["created_at"].endswith("+00:00")


def test_listed_data_json_keeps_to_its_datalake_and_writes_large(workspace: Workspace) -> None:
    # The SQLite statement writes the datalake's id as a constant: each listing must hold
    # its own datalake's data only, each with that id, and the large flag per row.
    ctx, owner = workspace.context, workspace.owner
    insert_data(workspace)
    other = datalake_service.create_datalake(ctx, owner, "other-lake")
    threshold = ctx.settings.large_file_threshold
    rows = [
        _image_row(owner.organization_id, other.id, index, f"big-{index}.jpg", size)
        for index, size in enumerate([threshold - 1, threshold, threshold + 1])
    ]
    with ctx.db.write() as conn:
        bulk_insert(conn, t.data, rows)
    lake = datalake_service.list_datalakes(ctx, owner, name=None)
    first = next(d for d in lake if d.id != other.id)
    for datalake_id, count in ((first.id, len(DURATIONS)), (other.id, len(rows))):
        page = data_service.search_data(ctx, owner, datalake_id, DataQuery())
        listed = orjson.loads(orjson.dumps(page.items))
        assert len(listed) == count
        assert {d["datalake_id"] for d in listed} == {str(datalake_id)}
        for answer in listed:
            alone = data_service.get_data(ctx, owner, UUID(answer["id"]))
            assert DataPublic.model_validate(answer) == alone
            assert answer["large"] is (answer["size"] >= threshold)


def test_listed_asset_json_dashes_every_datalake_id(workspace: Workspace) -> None:
    # On SQLite the ids of up to KNOWN_DATALAKES datalakes of the organization are written
    # into the statement, the others dashed row by row: a version holding data of a known
    # datalake and of one past that limit lists both with their exact ids.
    ctx, owner = workspace.context, workspace.owner
    for index in range(KNOWN_DATALAKES):
        datalake_service.create_datalake(ctx, owner, f"lake-{index}")
    lakes = sorted(datalake_service.list_datalakes(ctx, owner), key=lambda lake: lake.id)
    assert len(lakes) == KNOWN_DATALAKES + 1
    rows = [
        _image_row(owner.organization_id, lake.id, index, f"lake-{index}.jpg", 10)
        for index, lake in enumerate([lakes[0], lakes[-1]])
    ]
    with ctx.db.write() as conn:
        bulk_insert(conn, t.data, rows)
    dataset = dataset_service.create_dataset(ctx, owner, "d", "")
    version = dataset_service.create_version(
        ctx, owner, dataset.id, "v1", "", InferenceType.NOT_CONFIGURED
    )
    asset_service.add_data(ctx, owner, version.id, [row["id"] for row in rows])

    def listed_lakes() -> list[str]:
        page = asset_service.search_assets(ctx, owner, version.id, AssetQuery())
        answers = orjson.loads(orjson.dumps(page.items))
        for answer in answers:
            alone = asset_service.get_asset(ctx, owner, UUID(answer["id"]))
            assert AssetPublic.model_validate(answer) == alone
        return sorted(answer["datalake_id"] for answer in answers)

    # Nine datalakes: too many to write, every id dashed.
    assert listed_lakes() == sorted([str(lakes[0].id), str(lakes[-1].id)])
    # Eight left (the last one's data kept): all written, each row looks its datalake up.
    with ctx.db.write() as conn:
        conn.execute(t.datalakes.delete().where(t.datalakes.c.id == lakes[1].id))
    assert listed_lakes() == sorted([str(lakes[0].id), str(lakes[-1].id)])

    # A datalake outside the statement's ids takes the dashing branch of the same CASE.
    with ctx.db.read() as conn:
        statement = asset_json_select(
            conn.dialect.name, ctx.settings.large_file_threshold, version.id, [lakes[0].id]
        ).where(t.assets.c.dataset_version_id == version.id)
        written = sorted(orjson.loads(row.json)["datalake_id"] for row in conn.execute(statement))
    assert written == sorted([str(lakes[0].id), str(lakes[-1].id)])


def _image_row(
    organization_id: UUID, datalake_id: UUID, index: int, filename: str, size: int
) -> dict[str, Any]:
    """A data row of an 8x8 JPEG, bulk-inserted as the listings under test read it."""
    return {
        "id": new_id(),
        "organization_id": organization_id,
        "datalake_id": datalake_id,
        "object_name": f"{datalake_id}/00/{index:064x}",
        "filename": filename,
        "type": "IMAGE",
        "content_type": "image/jpeg",
        "size": size,
        "checksum": f"{index:064x}",
        "width": 8,
        "height": 8,
        "duration": None,
        "metadata": {},
        "custom_metadata": {},
        "created_at": utcnow(),
    }
