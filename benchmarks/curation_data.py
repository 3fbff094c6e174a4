"""The workspaces of the curation benchmark (``curation.py``), built once and kept.

- ``build_query_workspace``: a version ``curation/v1`` of N assets for the query part.
  ``--originals`` real JPEGs are uploaded through the SDK; a dataset, a version, labels ``x``,
  ``y``, ``z`` and one annotation (which makes the owner a worker) through the SDK; the rest
  is BULK-INSERTED with SQLAlchemy Core (``pixlake.core.tables``): data rows copying the
  uploaded ones (new ids, fake checksums, widths cycling over 320, 640, 800 and 1280), one
  asset per data, an annotation on 80% of the assets with one to three rectangles, of label
  ``x`` on about one image in ten, ``y`` or ``z`` on the others.
- ``build_curation_workspace``: versions ``bench-curation/v1`` and ``v2`` for the split and
  diff parts. v1 holds N assets with 8 labels on a long tail (about 90% of the assets
  annotated, 1 to 4 rectangles each, labels drawn from weights 40% down to 0.5%); the
  originals are uploaded and the assets added through the SDK, the other data rows
  bulk-inserted by ``assets.bulk_insert_data``, annotations and rectangles bulk-inserted.
  v2 is the SDK's fork of v1, with ``--trashed`` assets sent to the trash through the SDK and
  1% of its assets changed with SQLAlchemy Core: a rectangle moved on a third of them, one
  added on a third, the annotation accepted on the last third.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

from assets import bulk_insert_data

QUERY_DATASET = "curation"
WIDTHS = (320, 640, 800, 1280)

CURATION_DATASET = "bench-curation"
LABELS = ("l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7")
WEIGHTS = (40, 25, 15, 9, 5, 3, 2.5, 0.5)
CHANGED_SHARE = 0.01

__all__ = [
    "CURATION_DATASET",
    "LABELS",
    "QUERY_DATASET",
    "build_curation_workspace",
    "build_query_workspace",
]


def _insert_in_chunks(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), 10_000):
        conn.execute(insert(table), rows[start : start + 10_000])


# The query part's version


def build_query_workspace(workspace: Path, folder: Path, total: int) -> dict[str, int]:
    """The query part's workspace (see the module's docstring); returns its counts."""
    from pixlake import Client

    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        originals = lake.upload_data(folder)
        version = client.create_dataset(QUERY_DATASET).create_version("v1")
        labels = {name: version.create_label(name).id for name in ("x", "y", "z")}
        first = version.add_data(originals[0])[0]
        first.create_annotation()  # makes the owner a worker of the dataset
        ids = {
            "organization": lake.organization_id,
            "datalake": lake.id,
            "version": version.id,
            "labels": labels,
        }
    return _query_rows(workspace / "pixlake.db", ids, total)


def _query_rows(database: Path, ids: dict[str, Any], total: int) -> dict[str, int]:
    from sqlalchemy import create_engine, delete, select

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.ids import new_id

    rng = random.Random(13)
    engine = create_engine(f"sqlite:///{database}")
    now = utcnow()
    common = {"organization_id": ids["organization"], "dataset_version_id": ids["version"]}
    with engine.begin() as conn:
        worker_id = conn.execute(select(t.workers.c.id)).scalar_one()
        # The asset and annotation made through the SDK go: every row below is made alike.
        conn.execute(delete(t.annotations_table))
        conn.execute(delete(t.assets))
        originals = [dict(row) for row in conn.execute(select(t.data)).mappings()]
        data_rows = [
            {**row, "width": WIDTHS[index % len(WIDTHS)]} for index, row in enumerate(originals)
        ]
        for index in range(len(originals), total):
            row = dict(originals[index % len(originals)])
            checksum = hashlib.sha256(f"curation-{index}".encode()).hexdigest()
            row.update(id=new_id(), checksum=checksum, width=WIDTHS[index % len(WIDTHS)])
            data_rows.append(row)
        conn.execute(delete(t.data))
        _insert_in_chunks(conn, t.data, data_rows)
        assets, annotations, shapes = [], [], []
        for row in data_rows:
            asset_id = new_id()
            assets.append({**common, "id": asset_id, "data_id": row["id"], "created_at": now})
            if rng.random() >= 0.8:
                continue
            annotation_id = new_id()
            annotations.append(
                {
                    **common,
                    "id": annotation_id,
                    "asset_id": asset_id,
                    "worker_id": worker_id,
                    "duration": 1.0,
                    "status": "PENDING",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            label = "x" if rng.random() < 0.1 else rng.choice("yz")
            for _ in range(rng.randint(1, 3)):
                shapes.append(
                    {
                        **common,
                        "id": new_id(),
                        "annotation_id": annotation_id,
                        "kind": "RECTANGLE",
                        "label_id": ids["labels"][label],
                        "x": 1.0,
                        "y": 1.0,
                        "w": 10.0,
                        "h": 10.0,
                        "coords": None,
                        "text": None,
                        "created_at": now,
                    }
                )
        _insert_in_chunks(conn, t.assets, assets)
        _insert_in_chunks(conn, t.annotations_table, annotations)
        _insert_in_chunks(conn, t.shapes, shapes)
    engine.dispose()
    return {"assets": len(assets), "annotations": len(annotations), "shapes": len(shapes)}


# The split and diff parts' versions


def build_curation_workspace(
    workspace: Path, folder: Path, total: int, trashed: int
) -> dict[str, int]:
    """The split and diff parts' workspace (see the module's docstring); returns its counts:
    rectangles of v1, assets of v2 changed, assets of v2 trashed."""
    from pixlake import Client

    database_url = f"sqlite:///{workspace / 'pixlake.db'}"
    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        lake.upload_data(folder)
        organization_id, datalake_id = lake.organization_id, lake.id
    bulk_insert_data(database_url, organization_id, datalake_id, total)
    with Client(workspace=workspace) as client:
        data = client.get_datalake().list_data()
        v1 = client.create_dataset(CURATION_DATASET).create_version("v1")
        v1.add_data(data)
        for name in LABELS:
            v1.create_label(name)
        v1_id = v1.id
    shapes = _annotate(database_url, v1_id)
    with Client(workspace=workspace) as client:
        v2 = client.get_dataset(CURATION_DATASET).get_version("v1").fork("v2")
        v2_id = v2.id
        if trashed:
            v2.list_assets(limit=trashed).delete()
    changed = _change_a_share(database_url, v2_id, CHANGED_SHARE)
    return {"shapes": shapes, "changed": changed, "trashed": trashed}


def _annotate(database_url: str, version_id: Any, seed: int = 0) -> int:
    """Annotations (90% of the assets) and 1-4 rectangles each, straight into the database.
    Returns how many rectangles."""
    from sqlalchemy import create_engine, select

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.enums import AnnotationStatus, ShapeKind
    from pixlake.ids import new_id

    rng = random.Random(seed)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            version = conn.execute(
                select(t.dataset_versions).where(t.dataset_versions.c.id == version_id)
            ).one()
            worker_id = conn.execute(
                select(t.workers.c.id).where(t.workers.c.dataset_id == version.dataset_id)
            ).scalar_one()
            labels = dict(
                conn.execute(
                    select(t.labels.c.name, t.labels.c.id).where(
                        t.labels.c.dataset_version_id == version_id
                    )
                ).all()
            )
            label_ids = [labels[name] for name in LABELS]
            asset_ids = list(
                conn.execute(
                    select(t.assets.c.id).where(t.assets.c.dataset_version_id == version_id)
                ).scalars()
            )
            now = utcnow()
            common = {
                "organization_id": version.organization_id,
                "dataset_version_id": version_id,
            }
            annotation_rows, shape_rows = [], []
            for asset_id in asset_ids:
                if rng.random() < 0.1:
                    continue  # no annotation
                annotation_id = new_id()
                annotation_rows.append(
                    {
                        **common,
                        "id": annotation_id,
                        "asset_id": asset_id,
                        "worker_id": worker_id,
                        "duration": 1.0,
                        "status": AnnotationStatus.PENDING.value,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for label_id in rng.choices(label_ids, WEIGHTS, k=rng.randint(1, 4)):
                    shape_rows.append(
                        {
                            **common,
                            "id": new_id(),
                            "annotation_id": annotation_id,
                            "kind": ShapeKind.RECTANGLE.value,
                            "label_id": label_id,
                            "x": rng.uniform(0, 300),
                            "y": rng.uniform(0, 200),
                            "w": rng.uniform(1, 50),
                            "h": rng.uniform(1, 50),
                            "created_at": now,
                        }
                    )
            _insert_in_chunks(conn, t.annotations_table, annotation_rows)
            _insert_in_chunks(conn, t.shapes, shape_rows)
    finally:
        engine.dispose()
    return len(shape_rows)


def _change_a_share(database_url: str, version_id: Any, share: float) -> int:
    """Change ``share`` of the version's assets, among the annotated ones: move a rectangle
    on a third, add one on a third, accept the annotation on the last third. Returns how
    many assets changed."""
    from sqlalchemy import create_engine, insert, select, update

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.enums import AnnotationStatus
    from pixlake.ids import new_id

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            rows = conn.execute(
                select(t.shapes)
                .join(t.annotations_table, t.annotations_table.c.id == t.shapes.c.annotation_id)
                .join(t.assets, t.assets.c.id == t.annotations_table.c.asset_id)
                .where(
                    t.annotations_table.c.dataset_version_id == version_id,
                    t.assets.c.deleted_at.is_(None),
                )
                .order_by(t.shapes.c.id)
            ).all()
            first_of: dict[Any, Any] = {}
            for row in rows:
                first_of.setdefault(row.annotation_id, row)
            assets = conn.execute(
                select(t.assets.c.id).where(t.assets.c.dataset_version_id == version_id)
            ).all()
            count = int(len(assets) * share)
            picked = random.Random(1).sample(list(first_of.values()), count)
            for index, row in enumerate(picked):
                if index % 3 == 0:
                    conn.execute(
                        update(t.shapes).where(t.shapes.c.id == row.id).values(x=row.x + 1)
                    )
                elif index % 3 == 1:
                    values = dict(row._mapping)
                    values.update(id=new_id(), y=row.y + 7, created_at=utcnow())
                    conn.execute(insert(t.shapes).values(**values))
                else:
                    conn.execute(
                        update(t.annotations_table)
                        .where(t.annotations_table.c.id == row.annotation_id)
                        .values(status=AnnotationStatus.ACCEPTED.value)
                    )
    finally:
        engine.dispose()
    return count
