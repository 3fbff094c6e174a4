"""``analyze_after_bulk`` on SQLite: statistics made when a table has none, refreshed when
an insert adds a quarter of its analyzed rows, and what they change: a listing filtered on
``filename`` is read from the data's filename index, with the same assets as without them,
and only within the organization."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Index, Integer, MetaData, String, Table, create_engine, text

from pixlake import Client, NotFoundError
from pixlake.core.sql import SQLITE_REANALYZE_FRACTION, analyze_after_bulk, bulk_insert
from pixlake.sdk.dataset_version import DatasetVersion


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'statistics.db'}")
    yield engine
    engine.dispose()


def _table(engine: Engine) -> Table:
    metadata = MetaData()
    table = Table(
        "items",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False),
        Index("ix_items_name", "name"),
    )
    metadata.create_all(engine)
    return table


def _analyzed_rows(engine: Engine) -> int | None:
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            stat = conn.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'items' LIMIT 1")
            ).scalar()
            return int(stat.split()[0]) if stat else None
    return None


def _insert(engine: Engine, table: Table, start: int, count: int) -> None:
    with engine.begin() as conn:
        rows = [{"id": i, "name": f"n{i % 7}"} for i in range(start, start + count)]
        bulk_insert(conn, table, rows)
        analyze_after_bulk(conn, table, count)


def test_sqlite_statistics_made_then_refreshed_geometrically(engine: Engine) -> None:
    table = _table(engine)
    assert _analyzed_rows(engine) is None
    _insert(engine, table, 0, 400)
    assert _analyzed_rows(engine) == 400  # none yet: analyzed whatever the size
    _insert(engine, table, 400, 400 // SQLITE_REANALYZE_FRACTION - 1)
    assert _analyzed_rows(engine) == 400  # under a quarter: left as they were
    _insert(engine, table, 1000, 200)
    assert _analyzed_rows(engine) == 400 + 99 + 200  # a quarter or more: the whole table
    with engine.begin() as conn:
        analyze_after_bulk(conn, table, 0)  # nothing inserted, nothing to do
    assert _analyzed_rows(engine) == 699


@pytest.mark.parametrize("mode", ["embedded"])
def test_filename_query_lists_the_same_assets_with_statistics(
    tmp_path: Path, unique_image, client: Client, other_client: Client
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    for index in range(40):
        unique_image(f"p{index:02}.jpg", width=64 + index).replace(folder / f"p{index:02}.jpg")
    lake = client.get_datalake()
    lake.upload_data(folder)
    version = client.create_dataset("stats").create_version("v1")
    version.add_data(lake.list_data())
    query = 'width > 70 and filename = "p09.jpg"'
    expected = {a.id for a in version.list_assets() if a.filename == "p09.jpg" and a.width > 70}
    assert len(expected) == 1

    raw = create_engine(f"sqlite:///{tmp_path / 'workspace' / 'pixlake.db'}")
    try:
        with raw.connect() as conn:
            analyzed = set(conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars())
    finally:
        raw.dispose()
    assert {"data", "assets"} <= analyzed  # made by the upload and by add_data
    assert {a.id for a in version.list_assets(q=query)} == expected
    assert version.count_assets(q=query) == 1

    forged = DatasetVersion(other_client._connection, version._schema)
    with pytest.raises(NotFoundError):
        forged.list_assets(q=query)
