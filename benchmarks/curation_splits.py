"""Splits and diffs benchmark: a stratified three-way split and a diff of two versions.

Builds a version of N assets (``--assets``, default 100,000) with 8 labels on a long tail
(about 90% of the assets annotated, 1 to 4 rectangles each, labels drawn from weights 40%
down to 0.5%), forks it, and changes 1% of the fork's assets (a rectangle moved on half of
them, a rectangle added on the other half); ``--trashed`` more assets of the fork go to the
trash. Then, embedded and through a real ``pixlake serve`` subprocess on the same SQLite
workspace ("server"), it times, next to a plain listing of the version in the same run:

=============================================  ===========================================
step                                           target
=============================================  ===========================================
``v.split_into_multi_assets([.8, .1, .1])``    <= 2x ``v.list_assets()`` (stratified; the
                                               random split is shown too)
``v1.diff(v2)``                                "a few seconds", no baseline
=============================================  ===========================================

How the rows come to be: ``--originals`` JPEGs of ``pixlake.samples`` are uploaded through
the SDK; the other data rows are bulk-inserted by ``assets.bulk_insert_data`` (copies with
new ids and fake checksums); the assets are added through the SDK; annotations and shapes
are bulk-inserted with SQLAlchemy Core straight into the workspace's database (what the SDK
would write, without 90,000 annotation requests); the fork is the SDK's, and the 1% of
changes are written with SQLAlchemy Core too. Each timed step runs once per mode (CPU is
shared), the listing first so that both see a warm page cache.

    .venv/bin/python benchmarks/curation_splits.py --assets 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import render_table, sample_folder, serve_workspace
from assets import bulk_insert_data

DATASET = "bench-curation"
LABELS = ("l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7")
WEIGHTS = (40, 25, 15, 9, 5, 3, 2.5, 0.5)
RATIOS = [0.8, 0.1, 0.1]
SPLIT_TARGET = 2.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def annotate(database_url: str, version_id: Any, seed: int = 0) -> int:
    """Annotations (90% of the assets) and 1-4 rectangles each, straight into the database.
    Returns how many shapes."""
    from sqlalchemy import create_engine, insert, select

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.enums import AnnotationStatus, ShapeKind
    from pixlake.ids import new_id

    rng = random.Random(seed)
    engine = create_engine(database_url)
    shapes = 0
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
            annotation_rows, shape_rows = [], []
            for asset_id in asset_ids:
                if rng.random() < 0.1:
                    continue  # no annotation
                annotation_id = new_id()
                annotation_rows.append(
                    {
                        "id": annotation_id,
                        "organization_id": version.organization_id,
                        "dataset_version_id": version_id,
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
                            "id": new_id(),
                            "organization_id": version.organization_id,
                            "dataset_version_id": version_id,
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
            for start in range(0, len(annotation_rows), 10_000):
                conn.execute(insert(t.annotations_table), annotation_rows[start : start + 10_000])
            for start in range(0, len(shape_rows), 10_000):
                conn.execute(insert(t.shapes), shape_rows[start : start + 10_000])
            shapes = len(shape_rows)
    finally:
        engine.dispose()
    return shapes


def change_one_percent(database_url: str, version_id: Any, share: float = 0.01) -> int:
    """Move a rectangle on half of ``share`` of the annotated assets, add one on the other
    half. Returns how many assets changed."""
    from sqlalchemy import create_engine, insert, select, update

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.ids import new_id

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            rows = conn.execute(
                select(t.shapes)
                .join(t.annotations_table, t.annotations_table.c.id == t.shapes.c.annotation_id)
                .where(t.annotations_table.c.dataset_version_id == version_id)
                .order_by(t.shapes.c.id)
            ).all()
            first_of: dict[Any, Any] = {}
            for row in rows:
                first_of.setdefault(row.annotation_id, row)
            chosen = list(first_of.values())
            total_assets = conn.execute(
                select(t.assets.c.id).where(t.assets.c.dataset_version_id == version_id)
            ).all()
            count = int(len(total_assets) * share)
            picked = random.Random(1).sample(chosen, count)
            for index, row in enumerate(picked):
                if index % 2 == 0:
                    conn.execute(
                        update(t.shapes).where(t.shapes.c.id == row.id).values(x=row.x + 1)
                    )
                else:
                    values = dict(row._mapping)
                    values.update(id=new_id(), y=row.y + 7, created_at=utcnow())
                    conn.execute(insert(t.shapes).values(**values))
    finally:
        engine.dispose()
    return count


def build(workspace: Path, folder: Path, total: int, trashed: int) -> dict[str, Any]:
    from pixlake import Client

    database_url = f"sqlite:///{workspace / 'pixlake.db'}"
    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        lake.upload_data(folder)
        organization_id, datalake_id = lake.organization_id, lake.id
    bulk_insert_data(database_url, organization_id, datalake_id, total)
    with Client(workspace=workspace) as client:
        data = client.get_datalake().list_data()
        v1 = client.create_dataset(DATASET).create_version("v1")
        v1.add_data(data)
        for name in LABELS:
            v1.create_label(name)
        v1_id = v1.id
    shapes = annotate(database_url, v1_id)
    with Client(workspace=workspace) as client:
        v2 = client.get_dataset(DATASET).get_version("v1").fork("v2")
        v2_id = v2.id
        if trashed:
            v2.list_assets(limit=trashed).delete()
    changed = change_one_percent(database_url, v2_id)
    return {"shapes": shapes, "changed": changed, "trashed": trashed}


def measure(client: Any, total: int) -> dict[str, float]:
    dataset = client.get_dataset(DATASET)
    v1, v2 = dataset.get_version("v1"), dataset.get_version("v2")
    listed, list_seconds = _timed(v1.list_assets)
    assert len(listed) == total, (len(listed), total)
    del listed
    (parts, counts, _labels), split_seconds = _timed(
        v1.split_into_multi_assets, RATIOS, random_seed=1
    )
    assert sum(len(part) for part in parts) == total
    deviation = 0.0
    for name in LABELS:
        held = sum(part_counts[name] for part_counts in counts)
        for part_counts, ratio in zip(counts, RATIOS, strict=True):
            deviation = max(deviation, abs(part_counts[name] / held - ratio))
    del parts
    (random_parts, _, _), random_seconds = _timed(
        v1.split_into_multi_assets, RATIOS, random_seed=1, stratify=False
    )
    del random_parts
    diff, diff_seconds = _timed(v1.diff, v2)
    return {
        "list": list_seconds,
        "split": split_seconds,
        "random_split": random_seconds,
        "deviation": deviation,
        "diff": diff_seconds,
        "diff_changed": len(diff.changed),
        "diff_only_in_self": len(diff.only_in_self),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--trashed", type=int, default=100)
    parser.add_argument("--modes", default="embedded,server")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/pixlake-bench-cache"))
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help="Build the workspace here and keep it (reused when it exists already); a "
        "temporary folder by default.",
    )
    args = parser.parse_args(argv)
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    with tempfile.TemporaryDirectory(prefix="pixlake-curation-") as scratch:
        workspace = args.workspace or Path(scratch) / "workspace"
        built_file = workspace.with_name(workspace.name + "-built.json")
        if built_file.exists():
            built = json.loads(built_file.read_text())
            log(f"reusing {workspace}: {built}")
        else:
            folder = sample_folder(args.cache, args.originals, log=log)
            log(f"building a version of {args.assets} assets, and its fork")
            built, build_seconds = _timed(build, workspace, folder, args.assets, args.trashed)
            built_file.write_text(json.dumps(built))
            log(f"built in {build_seconds:.1f} s: {built}")
        results: dict[str, dict[str, float]] = {}
        if "embedded" in modes:
            with Client(workspace=workspace) as client:
                results["embedded"] = measure(client, args.assets)
            log(f"embedded: {results['embedded']}")
        if "server" in modes:
            with (
                serve_workspace(
                    workspace, user=f"bench-{uuid.uuid4().hex[:8]}", sample_rss=False
                ) as served,
                Client(api_token=served.token, host=served.url) as client,
            ):
                results["server"] = measure(client, args.assets)
            log(f"server: {results['server']}")
    rows = []
    for mode, got in results.items():
        ratio = got["split"] / got["list"]
        rows.append(
            [
                mode,
                f"{got['list']:.2f} s",
                f"{got['split']:.2f} s",
                f"{ratio:.2f}x",
                "yes" if ratio <= SPLIT_TARGET else "NO",
                f"{got['random_split']:.2f} s",
                f"{got['deviation']:.3f}",
                f"{got['diff']:.2f} s",
                f"{got['diff_changed']:.0f} / {got['diff_only_in_self']:.0f}",
            ]
        )
    print(
        f"{args.assets} assets, {built['shapes']} rectangles, 8 labels; fork with "
        f"{built['changed']} assets changed and {built['trashed']} trashed"
    )
    print(
        render_table(
            [
                "mode",
                "list_assets",
                "stratified split",
                "split/list",
                f"<= {SPLIT_TARGET}x",
                "random split",
                "worst label deviation",
                "diff",
                "changed / only in v1",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
