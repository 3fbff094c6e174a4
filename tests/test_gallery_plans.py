"""The gallery's reads keep to their indexes whatever statistics SQLite's planner holds.

SQLite reads the statistics ANALYZE wrote once per connection: a pooled connection opened
before a bulk insert keeps planning with the old ones (or none) after another connection
analyzed the grown tables. A gallery page must not then fall back on reading every
annotation of the version (it did: 20 ms of a 25 ms page at 100,000 assets).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event

import pixlake
from pixlake.core.services import gallery
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.gallery_schemas import GalleryQuery
from pixlake.samples import make_image
from pixlake.settings import Settings


@pytest.fixture
def annotated(tmp_path: Path) -> Iterator[tuple[Workspace, UUID]]:
    """An embedded workspace holding a version of three annotated images; its id."""
    images = tmp_path / "images"
    images.mkdir()
    for index in range(3):
        make_image(images / f"img-{index}.jpg", 64, 48, seed=index)
    workspace = tmp_path / "workspace"
    with pixlake.Client(workspace=workspace) as client:
        version = client.create_dataset("plans").create_version("v1")
        assets = version.add_data(client.get_datalake().upload_data(images))
        label = version.create_label("box")
        for asset in assets:
            asset.create_annotation().create_rectangle(1, 2, 10, 20, label)
        version_id = version.id
    opened = open_workspace(Settings(workspace=workspace))
    yield opened, UUID(str(version_id))
    opened.close()


def _statements_of_a_page(opened: Workspace, version_id: UUID) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        seen.append((statement, params))

    engine = opened.context.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = gallery.version_gallery(
            opened.context, opened.owner, version_id, GalleryQuery(limit=100)
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [len(item["annotations"]) for item in page["items"]] == [1, 1, 1]
    return seen


def _plan(database: Path, statement: str, params: Any) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
    finally:
        conn.close()


def test_a_page_reads_annotations_by_asset_with_or_without_their_statistics(
    annotated: tuple[Workspace, UUID],
) -> None:
    opened, version_id = annotated
    database = opened.path / "pixlake.db"
    (statement, params), *_ = (
        (statement, params)
        for statement, params in _statements_of_a_page(opened, version_id)
        if "FROM annotations" in statement
    )
    with sqlite3.connect(database) as conn:
        conn.execute("ANALYZE")
        # What ANALYZE writes of one version's 100,000 annotations (the planner reads
        # nothing else of the table's size).
        conn.executemany(
            "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = 'annotations' AND idx = ?",
            [
                ("100000 1 1", "uq_annotations_asset_worker_alive"),
                ("100000 1 1 1", "ix_annotations_id_alive_asset"),
                ("100000 100000 1", "ix_annotations_version_id"),
                ("100000 1", "sqlite_autoindex_annotations_1"),
            ],
        )
    analyzed = _plan(database, statement, params)
    # What a connection opened before the annotations were bulk-inserted knows of them.
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'annotations'")
    unanalyzed = _plan(database, statement, params)
    for plan in (analyzed, unanalyzed):
        assert any("annotations USING INDEX" in step and "(asset_id=?)" in step for step in plan)
        assert not any("ix_annotations_version_id" in step for step in plan), plan
