"""Assets benchmark: bulk operations on a dataset version of 100,000 assets.

Builds a version of N assets (``--assets``, default 100,000) and times, embedded, through a
real ``pixlake serve`` subprocess on the same SQLite workspace ("server"), and through a real
``pixlake serve`` subprocess on PostgreSQL + S3 ("pg-s3"), every bulk operation of the SDK
next to a raw floor measured in the same run:

======================================  =================================================
SDK step                                raw baseline (sqlite3 / shutil, no pixlake)
======================================  =================================================
``lake.list_data()``                    SELECT every data row of the datalake into tuples
``v.add_data(data)``                    executemany INSERT of N asset rows (scratch table
                                        with the assets table's indexes)
``v.list_assets()`` (+ its peak RSS)    SELECT the version's assets JOIN data into tuples
``assets.add_tags(tag)``                executemany INSERT OR IGNORE of N tag links
``assets.split(0.8)``                   slicing a list of N tuples
``create_multiple_rectangles(R)``       executemany INSERT of R shape rows
``assets.delete_annotations()``         executemany UPDATE annotations ... WHERE asset_id=?
                                        over the N asset ids
``MultiAsset.download`` of 2,000 files  shutil.copyfile of the same 2,000 object files,
                                        in a thread pool of the same size and in 1 thread
``assets[:10000].delete()``             executemany UPDATE assets SET deleted_at WHERE id=?
======================================  =================================================

How the N data come to be: ``--originals`` (2,000) real JPEGs from ``pixlake.samples`` are
uploaded through the SDK; the other N - 2,000 data rows are BULK-INSERTED straight into the
workspace's SQLite database with SQLAlchemy Core (``pixlake.core.tables.data``), as copies
of the uploaded rows with new ids and distinct fake checksums but the same object_name, so
every asset's bytes exist. That happens once, on a template workspace no server has open;
embedded and server then work on their own copy of it. The download step uses the assets of
the 2,000 uploaded data (the bulk rows repeat their filenames).

pg-s3 is a deployment of its own: a fresh database on the local PostgreSQL server
(127.0.0.1:5432, user postgres; ``pixlake db upgrade``, ``pixlake users create``, dropped at
the end) and a prefix of a bucket on ``rclone serve s3`` (tests/services.py, started on a
loopback port for the run). The 2,000 pictures are uploaded through a first ``pixlake
serve`` of it, which is then stopped; the other data rows are bulk-inserted the same way
into the PostgreSQL database (then ``ANALYZE data``, as autovacuum would have done on a
database that grew to that size); the measured phases run against a second, fresh ``pixlake
serve``. Downloads go through presigned URLs of the S3 server; the raw floor of that step is
boto3 ``get_object`` of the same keys, in a thread pool of the same size and in 1 thread.
The other raw floors are the sqlite3 ones, for every mode.

Every measured SDK step runs in a fresh child process (this script re-invoked with a hidden
``--child`` mode): ``build`` (list_data, add_data), ``list`` (only ``v.list_assets()``, so
that its VmHWM is the listing's peak RSS) and ``ops`` (the rest, in the order above but with
the download before the delete, which would otherwise trash the downloaded assets). The raw
database baselines run in a child of their own; the raw copies run in the ``ops`` child,
interleaved with the SDK downloads, so both see the same disk and page cache. Each step runs
once, except the download and its raw copies: median of three runs. The SDK children also
report how much of each step was spent in Python's cyclic garbage collector.

Targets: embedded list of N <= 1 s with peak RSS <= 250 MB (server within 1.3x),
add_tags of N <= 2 s, R rectangles <= 5 s, download >= 50% of the raw copy rate (same pool
size); server mode within 2x of embedded for each of those; pg-s3 list of N <= 3 s.

    .venv/bin/python benchmarks/assets.py --assets 100000 --cache /tmp/pixlake-bench-cache

pg-s3 needs the PostgreSQL server (PIXLAKE_BENCH_POSTGRES overrides its URL) and rclone in
the virtualenv (the dev extras, scripts/setup.sh); tests.services is imported from the
repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _common import (
    POSTGRES_SERVER,
    PgS3Deployment,
    child_env,
    create_bucket,
    peak_rss_mib,
    pg_s3_deployment,
    render_table,
    s3_server,
    sample_folder,
    serve_deployment,
    serve_workspace,
    warm_page_cache,
)

os.environ["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"

MODES = ("embedded", "server", "pg-s3")
SQLITE_MODES = ("embedded", "server")
"""The modes on the template workspace (SQLite database, local objects)."""
CHILD_TIMEOUT = 2 * 3600
TOKEN_VARIABLE = "PIXLAKE_BENCH_TOKEN"
DATASET = "bench-assets"
VERSION = "v1"
ASSET_TAG = "bench-asset-tag"
LABEL = "box"
SPLIT_RATIO = 0.8
DEFAULT_CACHE = Path("/tmp/pixlake-bench-cache")

# Targets.
LIST_SECONDS = 1.0
LIST_RSS_MB = 250.0
LIST_SERVER_SLOWDOWN = 1.3
ADD_TAGS_SECONDS = 2.0
RECTANGLES_SECONDS = 5.0
DOWNLOAD_SHARE_OF_RAW = 0.50
SERVER_SLOWDOWN = 2.0
PG_S3_LIST_SECONDS = 3.0

DOWNLOAD_RUNS = 3
"""The download (and its raw copies) is repeated, each time into a fresh folder; the
median run is shown. Every other step runs once: most change what the next one sees."""

# (key, label) of the timed steps, in table order.
STEPS = (
    ("list_data", "lake.list_data()"),
    ("add_data", "v.add_data(data)"),
    ("list_assets", "v.list_assets()"),
    ("add_tags", "assets.add_tags(tag)"),
    ("split", "assets.split(0.8)"),
    ("rectangles", "ann.create_multiple_rectangles"),
    ("annotations", "asset.create_annotation() each"),
    ("delete_annotations", "assets.delete_annotations()"),
    ("download", "MultiAsset.download"),
    ("delete", "assets[:K].delete()"),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(function, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


class GcClock:
    """Wall time this process spent in the cyclic garbage collector, any thread."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started: float | None = None
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.total += time.perf_counter() - self._started
            self._started = None


_GC: GcClock | None = None


def _gc_total() -> float:
    return _GC.total if _GC is not None else 0.0


def _sdk_timed(function, *args, **kwargs) -> tuple[Any, float, float]:
    """(result, seconds, seconds of them spent in the cyclic GC)."""
    gc_before = _gc_total()
    result, seconds = _timed(function, *args, **kwargs)
    return result, seconds, _gc_total() - gc_before


# Preparing the data: a few real uploads, then bulk-inserted copies of their rows.


def bulk_insert_data(
    database_url: str,
    organization_id: uuid.UUID,
    datalake_id: uuid.UUID,
    total: int,
    *,
    chunk: int = 10_000,
) -> int:
    """Bring the datalake to ``total`` data rows by inserting copies of its existing rows.

    Straight into the database (SQLite or PostgreSQL) with SQLAlchemy Core, bypassing the
    API: each copy gets a new id (``pixlake.ids.new_id``) and a distinct fake checksum but
    keeps the object_name (and filename, size, dimensions...) of the row it copies, so its
    bytes exist. Nothing else may be writing the database meanwhile. The table is ANALYZEd
    afterwards. Returns how many rows were inserted.
    """
    from sqlalchemy import create_engine, insert, select, text

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.ids import new_id

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            originals = [
                dict(row)
                for row in conn.execute(
                    select(t.data).where(t.data.c.datalake_id == datalake_id).order_by(t.data.c.id)
                ).mappings()
            ]
            if not originals:
                raise RuntimeError(f"datalake {datalake_id} holds no data to copy")
            missing = total - len(originals)
            now = utcnow()
            for start in range(0, max(missing, 0), chunk):
                rows = []
                for index in range(start, min(start + chunk, missing)):
                    row = dict(originals[index % len(originals)])
                    row.update(
                        id=new_id(),
                        organization_id=organization_id,
                        datalake_id=datalake_id,
                        checksum=hashlib.sha256(f"pixlake-bench-bulk-{index}".encode()).hexdigest(),
                        created_at=now,
                    )
                    rows.append(row)
                conn.execute(insert(t.data), rows)
        # The service's own bulk inserts refresh the planner's statistics
        # (``pixlake.core.sql.analyze_after_bulk``); rows inserted behind its back must too.
        # On SQLite, statistics of the 200 uploaded rows made the planner believe the data
        # table tiny and drive every listing page from it: each page then built the JSON of
        # the version's assets past the page's key and sorted them (a listing of 100,000
        # assets took three times the CPU), which a workspace whose 100,000 data were
        # ingested through the API never does.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE data"))
    finally:
        engine.dispose()
    return max(missing, 0)


def prepare_template(workspace: Path, folder: Path, total: int) -> dict[str, Any]:
    """A workspace whose default datalake holds ``total`` data: the pictures of ``folder``
    uploaded through the SDK, the rest bulk-inserted. Returns what the children need."""
    from pixlake import Client

    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        uploaded, upload_seconds = _timed(lake.upload_data, folder)
        originals = [str(d.id) for d in uploaded]
        organization_id, datalake_id = lake.organization_id, lake.id
    # The client is closed: nothing else has the database open while rows go in.
    inserted, insert_seconds = _timed(
        bulk_insert_data,
        f"sqlite:///{workspace / 'pixlake.db'}",
        organization_id,
        datalake_id,
        total,
    )
    os.sync()
    return {
        "originals": originals,
        "upload_seconds": upload_seconds,
        "bulk_inserted": inserted,
        "bulk_seconds": insert_seconds,
    }


def prepare_pg_s3(
    deploy: PgS3Deployment, folder: Path, total: int, log_path: Path
) -> dict[str, Any]:
    """The same data as ``prepare_template`` in a PostgreSQL + S3 deployment: the pictures of
    ``folder`` uploaded through a ``pixlake serve`` of it (stopped afterwards), the rest
    bulk-inserted into its database. Returns what the children need."""
    from pixlake import Client

    with (
        serve_deployment(deploy, log_path, sample_rss=False) as served,
        Client(api_token=served.token, host=served.url) as client,
    ):
        lake = client.get_datalake()
        uploaded, upload_seconds = _timed(lake.upload_data, folder)
        originals = [str(d.id) for d in uploaded]
        organization_id, datalake_id = lake.organization_id, lake.id
    # The server is stopped: nothing else writes the database while rows go in.
    inserted, insert_seconds = _timed(
        bulk_insert_data, deploy.database_url, organization_id, datalake_id, total
    )
    return {
        "originals": originals,
        "upload_seconds": upload_seconds,
        "bulk_inserted": inserted,
        "bulk_seconds": insert_seconds,
        "s3": {"bucket": deploy.bucket, "prefix": deploy.prefix},
    }


# Child side: one phase of one mode, reported as one JSON line on stdout.


def _client(args: argparse.Namespace):
    from pixlake import Client

    if args.host:
        return Client(api_token=os.environ[TOKEN_VARIABLE], host=args.host)
    return Client(workspace=args.workspace)


def _version(client):
    return client.get_dataset(DATASET).get_version(VERSION)


def _expect(what: str, got: int, wanted: int) -> None:
    if got != wanted:
        raise RuntimeError(f"{what}: got {got}, expected {wanted}")


def child_build(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        lake = client.get_datalake()
        data, list_seconds, list_gc = _sdk_timed(lake.list_data)
        _expect("lake.list_data()", len(data), args.assets)
        version = client.create_dataset(DATASET).create_version(VERSION)
        assets, add_seconds, add_gc = _sdk_timed(version.add_data, data)
        _expect("v.add_data()", len(assets), args.assets)
        return {
            "steps": {
                "list_data": [len(data), list_seconds, list_gc],
                "add_data": [len(assets), add_seconds, add_gc],
            },
            "version_id": str(version.id),
            "peak_rss_mb": peak_rss_mib(),
        }


def child_list(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        version = _version(client)
        rss_before = peak_rss_mib()
        assets, seconds, gc_seconds = _sdk_timed(version.list_assets)
        _expect("v.list_assets()", len(assets), args.assets)
        return {
            "steps": {"list_assets": [len(assets), seconds, gc_seconds]},
            "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mib(),
        }


def child_ops(args: argparse.Namespace) -> dict[str, Any]:
    from pixlake.enums import Target

    plan = json.loads(Path(args.plan).read_text())
    steps: dict[str, list[float]] = {}
    with _client(args) as client:
        version = _version(client)
        assets = version.list_assets()
        _expect("v.list_assets()", len(assets), args.assets)

        tag = client.create_tag(ASSET_TAG, Target.ASSET)
        _, seconds, gc_seconds = _sdk_timed(assets.add_tags, tag)
        _expect(
            "assets tagged", version.retrieve_stats().tag_repartition.get(ASSET_TAG, 0), len(assets)
        )
        steps["add_tags"] = [len(assets), seconds, gc_seconds]

        (train, test), seconds, gc_seconds = _sdk_timed(assets.split, SPLIT_RATIO)
        _expect("split", len(train) + len(test), len(assets))
        steps["split"] = [len(assets), seconds, gc_seconds]

        label = version.create_label(LABEL)
        annotation = assets[0].create_annotation()
        rng = random.Random(0)
        rectangles = [
            (
                rng.uniform(0, 300),
                rng.uniform(0, 200),
                rng.uniform(1, 50),
                rng.uniform(1, 50),
                label,
            )
            for _ in range(args.rectangles)
        ]
        created, seconds, gc_seconds = _sdk_timed(annotation.create_multiple_rectangles, rectangles)
        _expect("rectangles created", len(created), args.rectangles)
        steps["rectangles"] = [len(created), seconds, gc_seconds]
        del created, rectangles

        # A few hundred more annotations (one request each), spread over the version, so
        # that delete_annotations finds some; most assets have none.
        stride = max(1, len(assets) // max(args.annotations, 1))
        annotated = assets[1::stride][: args.annotations]
        started, gc_before = time.perf_counter(), _gc_total()
        for asset in annotated:
            asset.create_annotation()
        steps["annotations"] = [
            len(annotated),
            time.perf_counter() - started,
            _gc_total() - gc_before,
        ]

        _expect(
            "annotations before delete_annotations",
            version.retrieve_stats().nb_annotations,
            len(annotated) + 1,
        )
        _, seconds, gc_seconds = _sdk_timed(assets.delete_annotations)
        _expect(
            "annotations left after delete_annotations", version.retrieve_stats().nb_annotations, 0
        )
        steps["delete_annotations"] = [len(assets), seconds, gc_seconds]

        originals = version.list_assets(data_ids=plan["originals"])
        _expect("assets of the uploaded data", len(originals), len(plan["originals"]))
        # The raw copies run in this same process, interleaved with the SDK downloads, so
        # that both see the same disk and page cache; each kind goes first once.
        if "s3" in plan:
            raw_copy = _s3_copier(plan["s3"], [a.object_name for a in originals], args.workers)
        else:
            sources = [Path(args.workspace) / "objects" / a.object_name for a in originals]
            warm_page_cache_files(sources)

            def raw_copy(target: Path, workers: int) -> None:
                _copy_files(sources, target, workers)

        kinds = ["download", "raw_download", "raw_download_1"]
        runs: dict[str, list[list[float]]] = {kind: [] for kind in kinds}
        for run in range(DOWNLOAD_RUNS):
            for kind in kinds[run % 3 :] + kinds[: run % 3]:
                target = Path(args.target) / f"{kind}-{run}"
                os.sync()
                if kind == "download":
                    downloaded, seconds, gc_seconds = _sdk_timed(
                        originals.download, target, max_workers=args.workers
                    )
                    _expect("files downloaded", downloaded, len(originals))
                else:
                    workers = args.workers if kind == "raw_download" else 1
                    _, seconds, gc_seconds = _sdk_timed(raw_copy, target, workers)
                _expect(
                    f"files in the {kind} folder",
                    sum(1 for p in target.iterdir() if not p.name.startswith(".")),
                    len(originals),
                )
                shutil.rmtree(target)
                runs[kind].append([len(originals), seconds, gc_seconds])
        for kind in kinds:
            steps[kind] = _median_run(runs[kind])

        doomed = assets[: args.delete]
        _, seconds, gc_seconds = _sdk_timed(doomed.delete)
        _expect(
            "assets after delete", version.retrieve_stats().nb_assets, len(assets) - len(doomed)
        )
        steps["delete"] = [len(doomed), seconds, gc_seconds]
        return {"steps": steps, "peak_rss_mb": peak_rss_mib()}


def child_raw(args: argparse.Namespace) -> dict[str, Any]:
    """The raw database floors: sqlite3 only, no pixlake code in the timed parts (the raw
    copies of the download step run in the ops child)."""
    plan = json.loads(Path(args.plan).read_text())
    workspace, scratch = Path(args.workspace), Path(args.target)
    scratch.mkdir(parents=True, exist_ok=True)
    version_hex = uuid.UUID(plan["version_id"]).hex
    steps: dict[str, list[float]] = {}
    result: dict[str, Any] = {"steps": steps}

    # Reads, on the mode's own database (WAL: readers don't disturb the server).
    # The asset listing first, so that this process's VmHWM right after it is its peak.
    db = sqlite3.connect(workspace / "pixlake.db")
    rss_before = peak_rss_mib()
    assets, seconds = _timed(
        lambda: db.execute(
            "SELECT a.id, a.dataset_version_id, a.data_id, a.created_at, a.deleted_at, "
            "d.datalake_id, d.object_name, d.filename, d.type, d.content_type, d.size, d.width, "
            "d.height, d.duration, d.checksum, d.metadata, d.custom_metadata, d.created_at "
            "FROM assets a JOIN data d ON d.id = a.data_id "
            "WHERE a.dataset_version_id = ? AND a.deleted_at IS NULL ORDER BY a.id",
            (version_hex,),
        ).fetchall()
    )
    steps["list_assets"] = [len(assets), seconds]
    result["list_rss_mb"] = peak_rss_mib()
    result["rss_before_mb"] = rss_before
    rows, seconds = _timed(
        lambda: db.execute(
            "SELECT * FROM data WHERE datalake_id = (SELECT datalake_id FROM data LIMIT 1) "
            "ORDER BY id"
        ).fetchall()
    )
    steps["list_data"] = [len(rows), seconds]
    del rows
    db.close()
    _expect("raw listing", len(assets), args.assets)

    _, seconds = _timed(_split, assets, SPLIT_RATIO)
    steps["split"] = [len(assets), seconds]
    asset_ids = [row[0] for row in assets]
    del assets

    # Writes, on a scratch database with the same pragmas and the same indexes.
    out = sqlite3.connect(scratch / "raw.db", isolation_level=None)
    out.execute("PRAGMA journal_mode=WAL")
    out.execute("PRAGMA synchronous=NORMAL")
    out.executescript("""
        CREATE TABLE assets (id CHAR(32) PRIMARY KEY, organization_id CHAR(32) NOT NULL,
            dataset_version_id CHAR(32) NOT NULL, data_id CHAR(32) NOT NULL,
            created_at DATETIME NOT NULL, deleted_at DATETIME);
        CREATE UNIQUE INDEX uq_assets ON assets (dataset_version_id, data_id)
            WHERE deleted_at IS NULL;
        CREATE INDEX ix_assets_version ON assets (dataset_version_id, id);
        CREATE INDEX ix_assets_data ON assets (data_id);
        CREATE TABLE tag_links (tag_id CHAR(32), object_id CHAR(32),
            PRIMARY KEY (tag_id, object_id));
        CREATE INDEX ix_tag_links_object ON tag_links (object_id, tag_id);
        CREATE TABLE annotations (id CHAR(32) PRIMARY KEY, asset_id CHAR(32) NOT NULL,
            worker_id CHAR(32) NOT NULL, deleted_at DATETIME);
        CREATE UNIQUE INDEX uq_annotations ON annotations (asset_id, worker_id)
            WHERE deleted_at IS NULL;
        CREATE TABLE shapes (id CHAR(32) PRIMARY KEY, organization_id CHAR(32) NOT NULL,
            dataset_version_id CHAR(32) NOT NULL, annotation_id CHAR(32) NOT NULL,
            kind VARCHAR(16) NOT NULL, label_id CHAR(32) NOT NULL, x FLOAT, y FLOAT,
            w FLOAT, h FLOAT, coords JSON, text VARCHAR, created_at DATETIME NOT NULL);
        CREATE INDEX ix_shapes_annotation ON shapes (annotation_id, id);
        CREATE INDEX ix_shapes_label ON shapes (label_id);
    """)

    def write(sql: str, rows: list[tuple]) -> float:
        started = time.perf_counter()
        out.execute("BEGIN IMMEDIATE")
        out.executemany(sql, rows)
        out.execute("COMMIT")
        return time.perf_counter() - started

    org, now = uuid.uuid4().hex, "2025-01-01 00:00:00.000000"
    new_ids = [uuid.uuid4().hex for _ in asset_ids]
    steps["add_data"] = [
        len(asset_ids),
        write(
            "INSERT INTO assets VALUES (?, ?, ?, ?, ?, NULL)",
            [
                (new, org, version_hex, old, now)
                for new, old in zip(new_ids, asset_ids, strict=True)
            ],
        ),
    ]
    tag = uuid.uuid4().hex
    steps["add_tags"] = [
        len(new_ids),
        write("INSERT OR IGNORE INTO tag_links VALUES (?, ?)", [(tag, i) for i in new_ids]),
    ]
    annotation, label, rng = uuid.uuid4().hex, uuid.uuid4().hex, random.Random(0)
    shapes = [
        (
            uuid.uuid4().hex,
            org,
            version_hex,
            annotation,
            "RECTANGLE",
            label,
            rng.uniform(0, 300),
            rng.uniform(0, 200),
            rng.uniform(1, 50),
            rng.uniform(1, 50),
            None,
            None,
            now,
        )
        for _ in range(args.rectangles)
    ]
    steps["rectangles"] = [
        len(shapes),
        write("INSERT INTO shapes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", shapes),
    ]
    del shapes
    worker = uuid.uuid4().hex
    stride = max(1, len(new_ids) // max(args.annotations, 1))
    annotated = [new_ids[0], *new_ids[1::stride][: args.annotations]]
    # The same annotations as the SDK step creates (no raw figure: those are per-request).
    write(
        "INSERT INTO annotations VALUES (?, ?, ?, NULL)",
        [(uuid.uuid4().hex, a, worker) for a in annotated],
    )
    steps["delete_annotations"] = [
        len(new_ids),
        write(
            "UPDATE annotations SET deleted_at = ? WHERE asset_id = ? AND deleted_at IS NULL",
            [(now, i) for i in new_ids],
        ),
    ]
    doomed = new_ids[: args.delete]
    steps["delete"] = [
        len(doomed),
        write("UPDATE assets SET deleted_at = ? WHERE id = ?", [(now, i) for i in doomed]),
    ]
    out.close()

    result["peak_rss_mb"] = peak_rss_mib()
    return result


def _copy_files(sources: list[Path], target: Path, workers: int) -> None:
    """The raw floor of a download: shutil.copyfile of every source into ``target``."""
    target.mkdir(parents=True)
    pairs = [(src, target / f"{index:06d}-{src.name}") for index, src in enumerate(sources)]
    if workers == 1:
        for src, dst in pairs:
            shutil.copyfile(src, dst)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda pair: shutil.copyfile(*pair), pairs))


def _s3_copier(s3: dict[str, str], object_names: list[str], pool_size: int):
    """The raw floor of a download from the bucket: boto3 ``get_object`` of every object
    into a file, in a thread pool (one boto3 client, as many connections as threads).
    Every object is read once first, as the local copies read every file first."""
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", config=Config(max_pool_connections=max(10, pool_size)))
    bucket = s3["bucket"]
    keys = [f"{s3['prefix']}/{name}" for name in object_names]

    def fetch(index: int, key: str, target: Path) -> None:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        with open(target / f"{index:06d}-{key.rsplit('/', 1)[-1]}", "wb") as out:
            shutil.copyfileobj(body, out, 1024 * 1024)

    def copy(target: Path, workers: int) -> None:
        target.mkdir(parents=True)
        if workers == 1:
            for index, key in enumerate(keys):
                fetch(index, key, target)
            return
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda pair: fetch(*pair, target), enumerate(keys)))

    with tempfile.TemporaryDirectory(prefix="pixlake-bench-warm-") as warm:
        copy(Path(warm) / "objects", pool_size)
    return copy


def _median_run(runs: list[list[float]]) -> list[float]:
    """The run of median duration (the lower middle one for an even count)."""
    return sorted(runs, key=lambda run: run[1])[(len(runs) - 1) // 2]


def _split(items: list, ratio: float) -> tuple[list, list]:
    cut = round(ratio * len(items))
    return items[:cut], items[cut:]


def warm_page_cache_files(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()


CHILDREN = {"build": child_build, "list": child_list, "ops": child_ops, "raw": child_raw}


def run_child(args: argparse.Namespace) -> int:
    global _GC
    _GC = GcClock()
    print(json.dumps(CHILDREN[args.child](args)))
    return 0


# Parent side.


def spawn(
    phase: str,
    args: argparse.Namespace,
    *,
    workspace: Path,
    plan: Path,
    target: Path | None = None,
    host: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        phase,
        "--workspace",
        str(workspace),
        "--plan",
        str(plan),
        "--assets",
        str(args.assets),
        "--rectangles",
        str(args.rectangles),
        "--annotations",
        str(args.annotations),
        "--delete",
        str(args.delete),
        "--workers",
        str(args.workers),
    ]
    if target is not None:
        command += ["--target", str(target)]
    if host is not None:
        command += ["--host", host]
    env = child_env(**({TOKEN_VARIABLE: token} if token is not None else {}))
    os.sync()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=CHILD_TIMEOUT)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"child {phase!r} exited with {done.returncode}:\n{done.stderr.rstrip()}"
        )
    return json.loads(lines[-1])


def run_mode(
    mode: str,
    args: argparse.Namespace,
    template: Path | None,
    scratch: Path,
    plan: dict[str, Any],
    results: dict[str, Any],
    *,
    folder: Path,
    bucket: str | None = None,
) -> None:
    """Every phase of ``mode``. embedded and server work on a copy of ``template`` (whose
    ``plan`` is given); pg-s3 on a deployment of its own, prepared here from ``folder``."""
    workspace = scratch / f"ws-{mode}"
    plan_path = scratch / f"plan-{mode}.json"
    mine: dict[str, Any] = {"steps": {}}
    results[mode] = mine

    def phases(host: str | None, token: str | None) -> None:
        common = {"workspace": workspace, "plan": plan_path, "host": host, "token": token}
        log(f"[{mode}] build: list_data + add_data of {args.assets} ...")
        build = spawn("build", args, **common)
        mine["steps"].update(build["steps"])
        mine["build_rss_mb"] = build["peak_rss_mb"]
        plan["version_id"] = build["version_id"]
        plan_path.write_text(json.dumps(plan))
        if "raw" not in results and mode in SQLITE_MODES:
            log(f"[{mode}] raw baselines ...")
            results["raw"] = spawn(
                "raw", args, workspace=workspace, plan=plan_path, target=scratch / "raw"
            )
        log(f"[{mode}] list: v.list_assets() in a child of its own ...")
        listed = spawn("list", args, **common)
        mine["steps"].update(listed["steps"])
        mine["list_rss_mb"], mine["list_rss_before_mb"] = (
            listed["peak_rss_mb"],
            listed["rss_before_mb"],
        )
        log(f"[{mode}] ops: tags, split, rectangles, annotations, download, delete ...")
        ops = spawn("ops", args, **common, target=scratch / f"download-{mode}")
        mine["steps"].update(ops["steps"])
        mine["ops_rss_mb"] = ops["peak_rss_mb"]
        for key, (items, seconds, gc_seconds) in mine["steps"].items():
            log(f"  {key}: {items} in {seconds:.3f} s (cyclic GC {gc_seconds:.3f} s)")

    started = time.perf_counter()
    try:
        if mode == "pg-s3":
            if bucket is None:
                raise RuntimeError("no S3 server")
            with pg_s3_deployment(workspace, bucket) as deploy:
                log(
                    f"[{mode}] preparing: uploading {args.originals} pictures through a "
                    f"pg-s3 server, then bulk-inserting {args.assets - args.originals} data "
                    "rows into PostgreSQL ..."
                )
                plan.clear()
                plan.update(
                    prepare_pg_s3(
                        deploy, folder, args.assets, scratch / f"{mode}-prepare-server.log"
                    )
                )
                log(
                    f"  uploaded in {plan['upload_seconds']:.1f} s; bulk-inserted "
                    f"{plan['bulk_inserted']} rows in {plan['bulk_seconds']:.1f} s"
                )
                mine["prepare"] = {
                    k: plan[k] for k in ("upload_seconds", "bulk_inserted", "bulk_seconds")
                }
                plan_path.write_text(json.dumps(plan))
                with serve_deployment(deploy, scratch / f"{mode}-server.log") as served:
                    phases(served.url, served.token)
                    if served.rss is not None:
                        mine["server_rss_mb"] = served.rss.peak_mib()
        else:
            if template is None:
                raise RuntimeError("no template workspace")
            log(f"[{mode}] copying the template workspace ...")
            shutil.copytree(template, workspace)
            plan_path.write_text(json.dumps(plan))
            if mode == "server":
                with serve_workspace(workspace) as served:
                    phases(served.url, served.token)
                    if served.rss is not None:
                        mine["server_rss_mb"] = served.rss.peak_mib()
            else:
                phases(None, None)
    except Exception as exc:  # a child, a server, the database, the bucket: report, go on
        mine["error"] = (str(exc).splitlines() or [type(exc).__name__])[0]
        log(f"[{mode}] FAILED: {exc}")
    finally:
        mine["wall_seconds"] = time.perf_counter() - started
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.rmtree(scratch / f"download-{mode}", ignore_errors=True)


# The report.


def _seconds(results: dict[str, Any], mode: str, key: str) -> float | None:
    step = results.get(mode, {}).get("steps", {}).get(key)
    return None if step is None else step[1]


def _gc_seconds(results: dict[str, Any], mode: str, key: str) -> float | None:
    step = results.get(mode, {}).get("steps", {}).get(key)
    return None if step is None or len(step) < 3 else step[2]


def _raw_seconds(results: dict[str, Any], mode: str, key: str) -> float | None:
    """The raw floor of a step; the download's was measured in each mode's own child."""
    if key == "download":
        return _seconds(results, mode, "raw_download")
    return _seconds(results, "raw", key)


def _items(results: dict[str, Any], key: str) -> int | None:
    for mode in (*MODES, "raw"):
        step = results.get(mode, {}).get("steps", {}).get(key)
        if step is not None:
            return int(step[0])
    return None


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b <= 0 else f"{a / b:.1f}x"


def _compared(modes: list[str]) -> list[str]:
    """The modes shown next to embedded (as mode/emb ratios), when embedded ran."""
    return [m for m in modes if m != "embedded"] if "embedded" in modes else []


def format_steps(results: dict[str, Any], modes: list[str], args: argparse.Namespace) -> str:
    header = ["step", "items", "raw s"]
    for mode in modes:
        header += [f"{mode} s", "in GC", "vs raw"]
    header += [f"{mode}/emb" for mode in _compared(modes)]
    rows = []
    for key, label in STEPS:
        if key == "delete":
            label = f"assets[:{args.delete}].delete()"
        if key == "annotations":
            count = _items(results, key)
            per_call = [_seconds(results, mode, key) for mode in modes]
            row = [label, "-" if count is None else str(count), "-"]
            for mode, value in zip(modes, per_call, strict=True):
                row += [
                    _fmt_s(value),
                    _fmt_s(_gc_seconds(results, mode, key)),
                    "-" if value is None or not count else f"{value / count * 1000:.1f}ms/call",
                ]
            row += [
                _ratio(_seconds(results, mode, key), _seconds(results, "embedded", key))
                for mode in _compared(modes)
            ]
            rows.append(row)
            continue
        items = _items(results, key)
        raw = _raw_seconds(results, modes[0], key)
        row = [label, "-" if items is None else str(items), _fmt_s(raw)]
        for mode in modes:
            value = _seconds(results, mode, key)
            row += [
                _fmt_s(value),
                _fmt_s(_gc_seconds(results, mode, key)),
                _ratio(value, _raw_seconds(results, mode, key)),
            ]
        row += [
            _ratio(_seconds(results, mode, key), _seconds(results, "embedded", key))
            for mode in _compared(modes)
        ]
        rows.append(row)
    return render_table(header, rows)


def _rate(results: dict[str, Any], mode: str, key: str = "download") -> float | None:
    step = results.get(mode, {}).get("steps", {}).get(key)
    return None if step is None or step[1] <= 0 else step[0] / step[1]


def format_download(results: dict[str, Any], modes: list[str], workers: int) -> str:
    rows = []
    for mode in modes:
        raw = _rate(results, mode, "raw_download")
        single = _rate(results, mode, "raw_download_1")
        sdk = _rate(results, mode)
        floor = "boto3 get_object" if mode == "pg-s3" else "shutil.copyfile"
        rows += [
            [
                f"{mode}: raw {floor}, pool of {workers}",
                _fmt_rate(raw),
                "-" if raw is None else "100.0%",
            ],
            [f"{mode}: raw {floor}, 1 thread", _fmt_rate(single), _share(single, raw)],
            [
                f"{mode}: MultiAsset.download(max_workers={workers})",
                _fmt_rate(sdk),
                _share(sdk, raw),
            ],
        ]
    return render_table(["download of the uploaded originals", "files/s", "vs raw pool"], rows)


def _fmt_rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0f}"


def _share(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b <= 0 else f"{a / b:.1%}"


def format_memory(results: dict[str, Any], modes: list[str]) -> str:
    raw = results.get("raw", {})
    rows = [
        [
            "raw sqlite3 listing",
            _fmt_mb(raw.get("list_rss_mb")),
            _fmt_mb(raw.get("rss_before_mb")),
            "-",
            "-",
        ]
    ]
    for mode in modes:
        mine = results.get(mode, {})
        rows.append(
            [
                f"{mode} v.list_assets()",
                _fmt_mb(mine.get("list_rss_mb")),
                _fmt_mb(mine.get("list_rss_before_mb")),
                _fmt_mb(mine.get("ops_rss_mb")),
                _fmt_mb(mine.get("server_rss_mb")),
            ]
        )
    return render_table(
        [
            "process listing all assets",
            "peak RSS MB",
            "before listing MB",
            "ops child MB",
            "server MB",
        ],
        rows,
    )


def _fmt_mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_targets(
    results: dict[str, Any], modes: list[str], args: argparse.Namespace
) -> tuple[str, bool]:
    lines: list[str] = []
    all_pass = True

    def check(name: str, shown: str | None, passed: bool | None) -> None:
        nonlocal all_pass
        if passed is None:
            all_pass = False
            lines.append(f"{name}: n/a (measurement failed or mode not run)")
            return
        all_pass = all_pass and passed
        lines.append(f"{name}: {shown}  {'PASS' if passed else 'MISS'}")

    def limit(name: str, value: float | None, bound: float, unit: str) -> None:
        check(
            name,
            None if value is None else f"{value:.2f} {unit}",
            None if value is None else value <= bound,
        )

    n, r = args.assets, args.rectangles
    emb = "embedded" in modes
    if emb:
        limit(
            f"embedded list {n} <= {LIST_SECONDS:g} s",
            _seconds(results, "embedded", "list_assets"),
            LIST_SECONDS,
            "s",
        )
        limit(
            f"embedded list {n} peak RSS <= {LIST_RSS_MB:g} MB",
            results.get("embedded", {}).get("list_rss_mb"),
            LIST_RSS_MB,
            "MB",
        )
        limit(
            f"embedded add_tags {n} <= {ADD_TAGS_SECONDS:g} s",
            _seconds(results, "embedded", "add_tags"),
            ADD_TAGS_SECONDS,
            "s",
        )
        limit(
            f"embedded {r} rectangles <= {RECTANGLES_SECONDS:g} s",
            _seconds(results, "embedded", "rectangles"),
            RECTANGLES_SECONDS,
            "s",
        )
        rate = _rate(results, "embedded")
        raw = _rate(results, "embedded", "raw_download")
        share = None if rate is None or not raw else rate / raw
        check(
            f"embedded download >= {DOWNLOAD_SHARE_OF_RAW:.0%} of raw pool copy rate",
            None if share is None else f"{share:.1%}",
            None if share is None else share >= DOWNLOAD_SHARE_OF_RAW,
        )
    if "server" in modes:
        if not emb:
            lines.append("server within 2x of embedded: n/a (embedded not run)")
        else:
            for key, what, bound in (
                ("list_assets", f"list {n}", LIST_SERVER_SLOWDOWN),
                ("add_tags", f"add_tags {n}", SERVER_SLOWDOWN),
                ("rectangles", f"{r} rectangles", SERVER_SLOWDOWN),
            ):
                s, e = _seconds(results, "server", key), _seconds(results, "embedded", key)
                ratio = None if s is None or not e else s / e
                check(
                    f"server {what} <= {bound:g}x embedded",
                    None if ratio is None else f"{ratio:.2f}x",
                    None if ratio is None else ratio <= bound,
                )
            s_mb = results.get("server", {}).get("list_rss_mb")
            e_mb = results.get("embedded", {}).get("list_rss_mb")
            ratio = None if s_mb is None or not e_mb else s_mb / e_mb
            check(
                f"server list peak RSS (SDK process) <= {SERVER_SLOWDOWN:g}x embedded",
                None if ratio is None else f"{ratio:.2f}x",
                None if ratio is None else ratio <= SERVER_SLOWDOWN,
            )
            s, e = _rate(results, "server"), _rate(results, "embedded")
            ratio = None if s is None or not e else s / e
            check(
                f"server download rate >= 1/{SERVER_SLOWDOWN:g} of embedded",
                None if ratio is None else f"{ratio:.2f}x",
                None if ratio is None else ratio >= 1 / SERVER_SLOWDOWN,
            )
    if "pg-s3" in modes:
        limit(
            f"pg-s3 list {n} <= {PG_S3_LIST_SECONDS:g} s",
            _seconds(results, "pg-s3", "list_assets"),
            PG_S3_LIST_SECONDS,
            "s",
        )
    return "\n".join(f"  {line}" for line in lines), all_pass


# Arguments and main.


def _modes(text: str) -> list[str]:
    modes = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise argparse.ArgumentTypeError(
            f"modes are a comma-separated subset of {','.join(MODES)}; got {text!r}"
        )
    return [m for m in MODES if m in modes]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from pixlake.sdk.transfer import default_workers

    parser = argparse.ArgumentParser(
        description="Benchmark the bulk operations of a dataset version of many assets "
        "(list, tag, split, rectangles, delete annotations, download, delete), "
        "embedded, served, and served on PostgreSQL + S3, against raw "
        "sqlite3/shutil/boto3 floors.",
        epilog="Example: %(prog)s --assets 100000 --rectangles 100000 "
        "--cache /tmp/pixlake-bench-cache",
    )
    parser.add_argument(
        "--assets",
        type=_positive,
        default=100_000,
        help="assets in the version, i.e. data in the datalake; all but "
        "--originals of them are bulk-inserted rows (default: 100000)",
    )
    parser.add_argument(
        "--rectangles",
        type=_positive,
        default=100_000,
        help="rectangles created on one annotation in one call (default: 100000)",
    )
    parser.add_argument(
        "--originals",
        type=_positive,
        default=2000,
        help="real pictures uploaded through the SDK; the download step "
        "fetches their assets (default: 2000)",
    )
    parser.add_argument(
        "--annotations",
        type=_positive,
        default=300,
        help="extra annotations created one request each before delete_annotations (default: 300)",
    )
    parser.add_argument(
        "--delete",
        type=_positive,
        default=10_000,
        help="assets deleted by assets[:K].delete() (default: 10000)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        help="download threads, for the SDK and the raw copy alike "
        "(default: the SDK's, os.cpu_count() + 4)",
    )
    parser.add_argument(
        "--modes",
        type=_modes,
        default=list(MODES),
        help="comma-separated modes to measure (default: embedded,server,pg-s3)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        metavar="DIR",
        help=f"folder keeping the generated pictures between runs (default: {DEFAULT_CACHE})",
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the workspaces and copies are written, in a temporary "
        "folder removed at the end (default: the system's temporary "
        "folder)",
    )
    # Internal: one phase of one mode in a fresh process.
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        if args.originals > args.assets:
            parser.error(f"--originals ({args.originals}) must not exceed --assets ({args.assets})")
        if args.delete > args.assets:
            parser.error(f"--delete ({args.delete}) must not exceed --assets ({args.assets})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args)

    started = time.perf_counter()
    # SIGTERM unwinds like Ctrl-C, so servers, the S3 server and databases are still cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    # The bulk insert and the raw baselines need the workspace's own SQLite database and
    # object folder: no PIXLAKE_DATABASE_URL / PIXLAKE_STORAGE_URL from the environment
    # (the children get the same clean environment from child_env).
    for key in [k for k in os.environ if k.startswith("PIXLAKE_")]:
        if key != "PIXLAKE_DISABLE_PROGRESS_BARS":
            log(f"ignoring {key} from the environment")
            del os.environ[key]
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    plan: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        scratch_name = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="pixlake-bench-assets-", dir=args.scratch)
        )
        scratch = Path(scratch_name)
        folder = sample_folder(args.cache.expanduser().resolve(), args.originals, log=log)
        warm_page_cache(folder)
        template = None
        if any(mode in SQLITE_MODES for mode in args.modes):
            template = scratch / "template"
            log(
                f"preparing the template workspace: uploading {args.originals} pictures, "
                f"then bulk-inserting {args.assets - args.originals} data rows ..."
            )
            plan = prepare_template(template, folder, args.assets)
            log(
                f"  uploaded in {plan['upload_seconds']:.1f} s; bulk-inserted "
                f"{plan['bulk_inserted']} rows in {plan['bulk_seconds']:.1f} s"
            )
        bucket = None
        if "pg-s3" in args.modes:
            log("starting the S3 server ...")
            try:
                endpoint = stack.enter_context(s3_server())
                bucket = create_bucket()
                log(f"  bucket {bucket} on {endpoint}")
            except Exception as exc:
                log(f"  FAILED: {exc}")
        for mode in args.modes:
            run_mode(
                mode, args, template, scratch, dict(plan), results, folder=folder, bucket=bucket
            )

    print()
    print(
        f"Assets benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{args.assets} assets, {args.rectangles} rectangles, scratch in "
        f"{Path(scratch_name).parent}"
    )
    if plan:
        print(
            f"Data: {args.originals} real JPEGs uploaded through the SDK "
            f"({plan['upload_seconds']:.1f} s); the other {plan['bulk_inserted']} data rows "
            f"were BULK-INSERTED with SQLAlchemy Core\n"
            f"straight into the workspace's SQLite database ({plan['bulk_seconds']:.1f} s): "
            f"copies of the uploaded rows (new ids, fake checksums, same object_name)."
        )
    prepared = results.get("pg-s3", {}).get("prepare")
    if prepared:
        print(
            f"pg-s3: `pixlake serve` on a fresh PostgreSQL database "
            f"({POSTGRES_SERVER.split('@')[-1]}) and a bucket on rclone serve s3 (loopback);\n"
            f"the {args.originals} JPEGs uploaded through a first server "
            f"({prepared['upload_seconds']:.1f} s), {prepared['bulk_inserted']} rows "
            f"BULK-INSERTED the same way into PostgreSQL\n"
            f"({prepared['bulk_seconds']:.1f} s, with ANALYZE data); the steps run against a "
            f"second, fresh server."
        )
    for mode in args.modes:
        if "error" in results.get(mode, {}):
            print(f"{mode}: FAILED: {results[mode]['error']}")
    print()
    print(format_steps(results, args.modes, args))
    print(
        textwrap.fill(
            "seconds: one run each, wall time of the SDK call alone (of the raw statement or copy"
            " loop for raw); 'vs raw' = slower by; 'X/emb' = X's seconds over embedded's. 'in GC':"
            " of those seconds, the time the SDK process spent in Python's cyclic garbage"
            " collector (gc.callbacks; embedded, that process runs the API too; server and pg-s3,"
            " the `pixlake serve` process is not counted)."
            f" 'create_annotation() each' is {args.annotations} one-request calls (no raw floor;"
            " ms per call shown), made only so that delete_annotations (over every asset) finds"
            f" some; the other assets have none, and one annotation holds all {args.rectangles}"
            " rectangles. Raw writes go to a scratch SQLite table with the same indexes and"
            " pragmas (WAL, synchronous=NORMAL), ids generated beforehand; raw reads run on the"
            " first SQLite mode's database. pg-s3 is compared with these sqlite3 floors too"
            " (there is no PostgreSQL floor), except for the download. The download (median of"
            f" {DOWNLOAD_RUNS} runs, each into a fresh folder) runs before the delete, which would"
            " trash the downloaded assets; its raw copies run in the same child, interleaved with"
            " it ('raw s' shows the first mode's; each mode's 'vs raw' uses its own:"
            " shutil.copyfile of the object files, or for pg-s3 boto3 get_object from the S3"
            " server).",
            width=100,
        )
    )
    print()
    print(format_download(results, args.modes, args.workers))
    print()
    print(format_memory(results, args.modes))
    print(
        "peak RSS: VmHWM of a child process that only opens a client and lists every "
        "asset\n(raw: a child that only ran the sqlite3 listings); MB = 2^20 bytes"
    )
    print()
    print("Targets:")
    targets, _ = format_targets(results, args.modes, args)
    print(targets)
    print()
    print(f"Total run time: {time.perf_counter() - started:.0f} s")
    failed = any("error" in results.get(mode, {}) for mode in args.modes) or (
        "raw" not in results and any(mode in SQLITE_MODES for mode in args.modes)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
