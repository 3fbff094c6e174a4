"""Keyset pages whose JSON array the database joins (``json_pages``), on SQLite and
PostgreSQL: exactly the page's items in key order, and a next key only when a row that
matches follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import orjson
import pytest

from pixlake.core import tables as t
from pixlake.core.context import utcnow
from pixlake.core.services import assets as asset_service
from pixlake.core.services import data as data_service
from pixlake.core.services import datalakes as datalake_service
from pixlake.core.services import datasets as dataset_service
from pixlake.core.services.wire_json import JsonPage
from pixlake.core.sql import bulk_insert
from pixlake.core.workspace import Workspace
from pixlake.enums import InferenceType
from pixlake.ids import new_id
from pixlake.schemas import AssetQuery, DataQuery
from tests.services import opened_workspace

ROWS = 12


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    with opened_workspace(request.param, tmp_path) as opened:
        yield opened


def insert_data(workspace: Workspace, count: int) -> tuple[UUID, list[UUID]]:
    """``count`` image rows in the first datalake, named ``even-*`` and ``odd-*`` by the
    parity of their rank in id order; the datalake's id and the ids in that order."""
    ctx, owner = workspace.context, workspace.owner
    lake = datalake_service.list_datalakes(ctx, owner)[0]
    ids = sorted(new_id() for _ in range(count))
    rows = [
        {
            "id": data_id,
            "organization_id": owner.organization_id,
            "datalake_id": lake.id,
            "object_name": f"{lake.id}/00/{rank:064x}",
            "filename": f"{'odd' if rank % 2 else 'even'}-{rank}.jpg",
            "type": "IMAGE",
            "content_type": "image/jpeg",
            "size": 100 + rank,
            "checksum": f"{rank:064x}",
            "width": 8,
            "height": 8,
            "duration": None,
            "metadata": {"rank": rank},
            "custom_metadata": {},
            "created_at": utcnow(),
        }
        for rank, data_id in enumerate(ids)
    ]
    with ctx.db.write() as conn:
        bulk_insert(conn, t.data, rows)
    return lake.id, ids


def ids_of(page: JsonPage) -> list[UUID]:
    return [UUID(item["id"]) for item in orjson.loads(orjson.dumps(page.items))]


def test_data_pages_hold_their_items_in_order_and_end_without_a_next_key(
    workspace: Workspace,
) -> None:
    ctx, owner = workspace.context, workspace.owner
    lake_id, ids = insert_data(workspace, ROWS)

    def page(**query: object) -> JsonPage:
        return data_service.search_data(ctx, owner, lake_id, DataQuery.model_validate(query))

    listed: list[UUID] = []
    after = None
    for _ in range(3):  # 12 rows in pages of 4: the third, full, is the last
        found = page(limit=4, after=after)
        listed += ids_of(found)
        after = found.next_after
        if after is None:
            break
        assert after == str(listed[-1])
    assert listed == ids
    assert after is None

    offset = page(limit=5, offset=8)
    assert ids_of(offset) == ids[8:] and offset.next_after is None
    beyond = page(limit=5, offset=ROWS)
    assert ids_of(beyond) == [] and beyond.next_after is None
    short = page(limit=5, offset=3)
    assert ids_of(short) == ids[3:8] and short.next_after == str(ids[7])


def test_a_filtered_page_has_a_next_key_only_when_a_match_follows(workspace: Workspace) -> None:
    ctx, owner = workspace.context, workspace.owner
    lake_id, ids = insert_data(workspace, ROWS)
    evens = [str(i) for i in ids[0::2]]

    # The last even row is followed by an odd one only: no next page.
    tail = data_service.search_data(
        ctx,
        owner,
        lake_id,
        DataQuery(limit=2, after=ids[7], filenames=["even-8.jpg", "even-10.jpg"]),
    )
    assert ids_of(tail) == [ids[8], ids[10]] and tail.next_after is None
    first = data_service.search_data(
        ctx, owner, lake_id, DataQuery(limit=3), q='filename like "even-%"'
    )
    assert [str(i) for i in ids_of(first)] == evens[:3] and first.next_after == evens[2]


def test_asset_pages_hold_their_items_in_order(workspace: Workspace) -> None:
    ctx, owner = workspace.context, workspace.owner
    _, data_ids = insert_data(workspace, ROWS)
    dataset = dataset_service.create_dataset(ctx, owner, "d", "")
    version = dataset_service.create_version(
        ctx, owner, dataset.id, "v1", "", InferenceType.NOT_CONFIGURED
    )
    added = orjson.loads(orjson.dumps(asset_service.add_data(ctx, owner, version.id, data_ids)))
    asset_ids = sorted(UUID(a["id"]) for a in added)

    listed: list[UUID] = []
    after = None
    while True:
        found = asset_service.search_assets(
            ctx, owner, version.id, AssetQuery(limit=6, after=after)
        )
        listed += ids_of(found)
        if found.next_after is None:
            break
        after = UUID(found.next_after)
    assert listed == asset_ids
    empty = asset_service.search_assets(
        ctx, owner, version.id, AssetQuery(limit=6, after=asset_ids[-1])
    )
    assert ids_of(empty) == [] and empty.next_after is None
