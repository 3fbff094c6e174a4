"""COCO import benchmark: 500,000 rectangles on 100,000 assets, embedded and served.

Builds a version of N assets (``--assets``, default 100,000): one real JPEG is uploaded
through the SDK and the other N - 1 data rows are bulk-inserted straight into the
workspace's SQLite database (copies of its row with distinct filenames and fake checksums),
then added to a version through the SDK. A COCO document of N images and N x ``--per-image``
(5) rectangles with float coordinates is written, and imported with
``DatasetVersion.import_annotations_coco_file``:

- embedded: in this process, on a copy of the prepared workspace;
- server: through a real ``pixlake serve`` subprocess on another copy (SQLite).

Next to each, in the same run, the raw floor: ``json.load`` of the same file plus an
``executemany`` of the same number of rows (the shapes table's 13 columns) into a scratch
SQLite table in a fresh file. Target: import <= 3x that floor.

    .venv/bin/python benchmarks/formats_import.py --assets 100000

(This is the import part of item 7; the export part lives with the export code.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import render_table, serve_workspace


def prepare(root: Path, assets: int) -> tuple[Path, str, str]:
    """A template workspace with a version of ``assets`` assets; (workspace, dataset name,
    version name)."""
    from sqlalchemy import create_engine, insert, select

    from pixlake import Client
    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.ids import new_id
    from pixlake.samples import make_image

    workspace = root / "template"
    picture = make_image(root / "pictures" / "img_000000.jpg", 640, 480, seed=1)
    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        lake.upload_data([picture])
        lake_id = lake.id
    engine = create_engine(f"sqlite:///{workspace / 'pixlake.db'}")
    with engine.begin() as conn:
        original = dict(
            conn.execute(select(t.data).where(t.data.c.datalake_id == lake_id)).mappings().one()
        )
        now = utcnow()
        for start in range(1, assets, 10_000):
            rows = []
            for index in range(start, min(start + 10_000, assets)):
                row = dict(original)
                row.update(
                    id=new_id(),
                    filename=f"img_{index:06d}.jpg",
                    checksum=hashlib.sha256(f"bench-{index}".encode()).hexdigest(),
                    created_at=now,
                )
                rows.append(row)
            conn.execute(insert(t.data), rows)
    engine.dispose()
    with Client(workspace=workspace) as client:
        version = client.create_dataset("bench").create_version("v1")
        version.add_data(client.get_datalake().list_data())
    return workspace, "bench", "v1"


def write_coco(path: Path, assets: int, per_image: int) -> int:
    rng = random.Random(7)
    images = [
        {"id": i + 1, "file_name": f"img_{i:06d}.jpg", "width": 640, "height": 480}
        for i in range(assets)
    ]
    annotations = []
    for image in images:
        for _ in range(per_image):
            w, h = rng.uniform(5, 200), rng.uniform(5, 200)
            x, y = rng.uniform(0, 640 - w), rng.uniform(0, 480 - h)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image["id"],
                    "category_id": rng.randint(1, 10),
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
            )
    categories = [{"id": i, "name": f"class-{i}"} for i in range(1, 11)]
    path.write_text(
        json.dumps({"images": images, "annotations": annotations, "categories": categories})
    )
    return len(annotations)


def raw_floor(path: Path, rows: int, scratch: Path) -> tuple[float, float]:
    """Seconds of json.load of the file, and of an executemany of ``rows`` shape-like rows
    into a scratch SQLite table."""
    started = time.perf_counter()
    with open(path) as stream:
        document = json.load(stream)
    loaded = time.perf_counter() - started
    db = sqlite3.connect(scratch)
    db.execute(
        "CREATE TABLE shapes (id TEXT PRIMARY KEY, organization_id TEXT, dataset_version_id TEXT,"
        " annotation_id TEXT, kind TEXT, label_id TEXT, x REAL, y REAL, w REAL, h REAL,"
        " coords TEXT, text TEXT, created_at TEXT)"
    )
    org, version, label = (uuid.uuid4().hex for _ in range(3))
    now = "2026-01-01 00:00:00"
    started = time.perf_counter()
    db.executemany(
        "INSERT INTO shapes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                uuid.uuid4().hex,
                org,
                version,
                str(a["image_id"]),
                "RECTANGLE",
                label,
                *a["bbox"],
                None,
                None,
                now,
            )
            for a in document["annotations"][:rows]
        ),
    )
    db.commit()
    inserted = time.perf_counter() - started
    db.close()
    return loaded, inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--per-image", type=int, default=5)
    parser.add_argument("--modes", default="embedded,server")
    args = parser.parse_args()
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    root = Path(tempfile.mkdtemp(prefix="pixlake-bench-import-"))
    try:
        print(f"preparing {args.assets} assets in {root} ...", flush=True)
        started = time.perf_counter()
        template, dataset, version_name = prepare(root, args.assets)
        coco = root / "instances.json"
        rows = write_coco(coco, args.assets, args.per_image)
        megabytes = coco.stat().st_size / 1e6
        prepared = time.perf_counter() - started
        print(f"  prepared in {prepared:.1f} s; {megabytes:.0f} MB, {rows} rectangles", flush=True)
        loaded, inserted = raw_floor(coco, rows, root / "scratch.db")
        floor = loaded + inserted
        print(f"  floor: json.load {loaded:.2f} s + executemany {inserted:.2f} s", flush=True)
        results = []
        for mode in args.modes.split(","):
            workspace = root / mode
            shutil.copytree(template, workspace)
            if mode == "embedded":
                client = Client(workspace=workspace)
                served = None
            else:
                served_context = serve_workspace(workspace, sample_rss=False)
                served = served_context.__enter__()
                client = Client(api_token=served.token, host=served.url)
            try:
                version = client.get_dataset(dataset).get_version(version_name)
                started = time.perf_counter()
                summary = version.import_annotations_coco_file(coco)
                seconds = time.perf_counter() - started
                assert summary.shapes_created == rows, summary
            finally:
                client.close()
                if served is not None:
                    served_context.__exit__(None, None, None)
            results.append((mode, seconds))
            print(f"  {mode}: {seconds:.2f} s (floor {floor:.2f} s)", flush=True)
        print()
        print(
            render_table(
                ["mode", "import", "json.load", "executemany", "floor", "ratio", "target"],
                [
                    [
                        mode,
                        f"{seconds:.2f} s",
                        f"{loaded:.2f} s",
                        f"{inserted:.2f} s",
                        f"{floor:.2f} s",
                        f"{seconds / floor:.2f}x",
                        "<= 3x",
                    ]
                    for mode, seconds in results
                ],
            )
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
