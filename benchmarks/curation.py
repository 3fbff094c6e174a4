"""Curation benchmark: queries (``q=``) on a dataset version of 100,000 annotated assets.

``--part query`` builds, once, an embedded workspace whose version holds N assets
(``--assets``, default 100,000) with labels and rectangles, then times, in the same process
and the same run, each query listing next to a plain listing of as many assets:

===================================================  =====================================
SDK step                                             baseline
===================================================  =====================================
selective: ``v.list_assets(q='annotations.           ``v.list_assets(limit=M)``, M the
rectangles.label.name = "x" and width > 640')``      number of assets the query returned
broad: ``v.list_assets(q='annotations.count >= 1     the same, with its own M
and (tags.name is null or width >= 320)')``
``v.count_assets(q=...)`` of each                    ``v.count_assets()``
===================================================  =====================================

Target: each query listing <= 1.5x its plain listing.

How the version comes to be: ``--originals`` (100) real JPEGs from ``pixlake.samples`` are
uploaded through the SDK, a dataset, a version, labels ``x``, ``y``, ``z`` and one annotation
(which makes the owner a worker) are created through the SDK; then the rest is
BULK-INSERTED straight into the workspace's SQLite database with SQLAlchemy Core
(``pixlake.core.tables``): data rows copying the uploaded ones (new ids, fake checksums,
widths cycling over 320, 640, 800 and 1280), one asset per data, an annotation on 80% of the
assets, one to three rectangles each; label ``x`` on about one image in ten, ``y`` and ``z``
on the others. The workspace is kept in ``--cache`` and reused by later runs of the same size.

Each measured step runs three times, alternating with its baseline; the medians are shown.

    .venv/bin/python benchmarks/curation.py --part query --assets 100000 \\
        --cache /tmp/pixlake-bench-cache

``--part split``, ``diff`` and ``all`` name the other parts of the curation benchmark; this
script holds the query part.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import render_table, sample_folder

SELECTIVE = 'annotations.rectangles.label.name = "x" and width > 640'
BROAD = "annotations.count >= 1 and (tags.name is null or width >= 320)"
WIDTHS = (320, 640, 800, 1280)
RUNS = 3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(workspace: Path, folder: Path, total: int) -> None:
    """The workspace of the query part (see the module's docstring)."""
    from pixlake import Client

    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        originals = lake.upload_data(folder)
        version = client.create_dataset("curation").create_version("v1")
        labels = {name: version.create_label(name).id for name in ("x", "y", "z")}
        first = version.add_data(originals[0])[0]
        first.create_annotation()  # makes the owner a worker of the dataset
        ids = {
            "organization": lake.organization_id,
            "datalake": lake.id,
            "version": version.id,
            "labels": labels,
        }
    _bulk_rows(workspace / "pixlake.db", ids, total)


def _bulk_rows(database: Path, ids: dict[str, Any], total: int) -> None:
    import hashlib

    from sqlalchemy import create_engine, delete, insert, select

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
        for start in range(0, len(data_rows), 10_000):
            conn.execute(insert(t.data), data_rows[start : start + 10_000])
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
        for table, rows in ((t.assets, assets), (t.annotations_table, annotations)):
            for start in range(0, len(rows), 10_000):
                conn.execute(insert(table), rows[start : start + 10_000])
        for start in range(0, len(shapes), 10_000):
            conn.execute(insert(t.shapes), shapes[start : start + 10_000])
    engine.dispose()
    log(f"  {len(assets)} assets, {len(annotations)} annotations, {len(shapes)} rectangles")


def _median_seconds(step: Callable[[], Any]) -> tuple[Any, float]:
    result, times = None, []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def _interleaved(query: Callable[[], Any], plain: Callable[[], Any]) -> tuple[Any, float, float]:
    """Median seconds of ``query`` and ``plain``, run in turn (so both see the same cache)."""
    query_times, plain_times, result = [], [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = query()
        query_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        plain()
        plain_times.append(time.perf_counter() - started)
    return result, statistics.median(query_times), statistics.median(plain_times)


def run_query_part(args: argparse.Namespace) -> list[list[str]]:
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    workspace = args.cache / f"curation-query-{args.assets}"
    if not (workspace / "pixlake.db").is_file():
        log(f"building a version of {args.assets} assets in {workspace} ...")
        shutil.rmtree(workspace, ignore_errors=True)
        staging = workspace.with_name(workspace.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        started = time.perf_counter()
        build(staging, sample_folder(args.cache, args.originals, log=log), args.assets)
        staging.rename(workspace)
        log(f"  built in {time.perf_counter() - started:.1f} s")
    rows = []
    with Client(workspace=workspace) as client:
        version = client.get_dataset("curation").get_version("v1")
        total = version.count_assets()
        assert total == args.assets, (total, args.assets)
        version.list_assets()  # warm the page cache once
        for name, q in (("selective", SELECTIVE), ("broad", BROAD)):
            matched = len(version.list_assets(q=q))
            found, query_s, plain_s = _interleaved(
                lambda q=q: version.list_assets(q=q),
                lambda matched=matched: version.list_assets(limit=matched),
            )
            assert len(found) == matched
            rows.append(
                [
                    f"{name} list_assets(q)",
                    f"{matched}",
                    f"{query_s:.2f}",
                    f"{plain_s:.2f}",
                    f"{query_s / plain_s:.2f}x",
                ]
            )
            counted, count_s, plain_count_s = _interleaved(
                lambda q=q: version.count_assets(q=q), version.count_assets
            )
            assert counted == matched
            rows.append(
                [
                    f"{name} count_assets(q)",
                    f"{counted}",
                    f"{count_s:.3f}",
                    f"{plain_count_s:.3f}",
                    f"{count_s / plain_count_s:.2f}x",
                ]
            )
        stats, stats_s = _median_seconds(lambda: version.retrieve_stats(q=SELECTIVE))
        rows.append(
            ["selective retrieve_stats(q)", f"{stats.nb_assets}", f"{stats_s:.3f}", "-", "-"]
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("query", "split", "diff", "all"), default="all")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--originals", type=int, default=100)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/pixlake-bench-cache"))
    args = parser.parse_args()
    if args.part in ("split", "diff"):
        log(f"the {args.part} part is not in this script")
        return 2
    rows = run_query_part(args)
    print(f"\nQueries on a version of {args.assets} assets, embedded (SQLite), median of {RUNS}")
    print(render_table(["step", "assets", "query s", "plain s", "ratio"], rows))
    print("target: each query listing <= 1.5x the plain listing of as many assets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
