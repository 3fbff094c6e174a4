"""How cost grows: the same operations on versions of 10,000, 100,000 and 1,000,000 assets.

For each backend (SQLite workspace, PostgreSQL database) and each size, a workspace is built
with a few real pictures uploaded through the SDK and the rest of the rows BULK-INSERTED
straight into the database (data rows as ``benchmarks/assets.py`` makes them, then one asset
per data in one version, 1% of the assets tagged). Then a fresh child process, with an
embedded client on that database, times:

- ``list all``: ``v.list_assets()`` of every asset;
- ``deep page``: one keyset page of 100 assets after the asset at 90% of the listing;
- ``filtered``: ``v.list_assets(tags=...)`` (the 1% tagged) and ``v.list_assets(q=...)``;
- ``add_tags``: one tag on every asset (``assets.add_tags``);
- ``COCO``: ``v.build_coco_file_locally()`` of the whole version;

and reports each as microseconds per asset of the version, of wall time and of CPU time (the
child's, where the embedded server runs, plus that of the PostgreSQL backends serving it:
on a shared machine wall time is mostly waiting for a core), and the child's peak RSS.
Cost per asset should stay flat from the smallest size to the largest (within 1.5x); the
listing holds every asset in the SDK, so its memory is shown per asset, the rest of the
process's memory must not grow with the version.

    .venv/bin/python benchmarks/scale.py --sizes 10000,100000 --backends sqlite,postgresql

PostgreSQL is the server at PIXLAKE_BENCH_POSTGRES (127.0.0.1:5432, user postgres); a fresh
database per size, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import POSTGRES_SERVER, child_env, peak_rss_mib, render_table, sample_folder

os.environ["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"

BACKENDS = ("sqlite", "postgresql")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
ORIGINALS = 200
TAG, RARE_TAG = "scale-all", "scale-rare"
QUERY = 'width > 100 and filename = "sample_000007.jpg"'
FLAT_WITHIN = 1.5
STEPS = ("list_all", "deep_page", "filter_tags", "filter_q", "add_tags", "coco")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _database(backend: str, workspace: Path) -> tuple[str, str | None]:
    """(database URL, name of a PostgreSQL database to drop afterwards)."""
    if backend == "sqlite":
        return f"sqlite:///{workspace / 'pixlake.db'}", None
    from sqlalchemy import create_engine, text

    name = f"pixlake_scale_{uuid.uuid4().hex[:12]}"
    engine = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{POSTGRES_SERVER}/{name}", name


def _drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(workspace: Path, database_url: str, folder: Path, size: int) -> dict[str, Any]:
    """A version of ``size`` assets: ORIGINALS uploaded, the rest bulk-inserted rows."""
    from assets import bulk_insert_data
    from sqlalchemy import create_engine, insert, select, text

    from pixlake import Client
    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.enums import Target
    from pixlake.ids import new_id

    os.environ["PIXLAKE_DATABASE_URL"] = database_url
    with Client(workspace=workspace) as client:
        lake = client.get_datalake()
        lake.upload_data(folder)
        version = client.create_dataset("scale").create_version("v1")
        client.create_tag(TAG, Target.ASSET)
        rare = client.create_tag(RARE_TAG, Target.ASSET)
        organization_id, datalake_id, version_id = lake.organization_id, lake.id, version.id
        rare_id = rare.id
    started = time.perf_counter()
    bulk_insert_data(database_url, organization_id, datalake_id, size)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        data_ids = list(
            conn.execute(select(t.data.c.id).where(t.data.c.datalake_id == datalake_id)).scalars()
        )
        now = utcnow()
        asset_ids = []
        for start in range(0, len(data_ids), 10_000):
            rows = []
            for data_id in data_ids[start : start + 10_000]:
                asset_id = new_id()
                asset_ids.append(asset_id)
                rows.append(
                    {
                        "id": asset_id,
                        "organization_id": organization_id,
                        "dataset_version_id": version_id,
                        "data_id": data_id,
                        "created_at": now,
                    }
                )
            conn.execute(insert(t.assets), rows)
        conn.execute(
            insert(t.tag_links),
            [{"tag_id": rare_id, "object_id": a} for a in asset_ids[::100]],
        )
    # Rows inserted straight into the database bypass the services, which refresh the
    # planner's statistics after bulk inserts (``pixlake.core.sql.analyze_after_bulk``).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    os.environ.pop("PIXLAKE_DATABASE_URL")
    return {"bulk_seconds": time.perf_counter() - started}


def child(args: argparse.Namespace) -> dict[str, Any]:
    from pixlake import Client

    os.environ["PIXLAKE_DATABASE_URL"] = args.database_url
    steps: dict[str, list[float]] = {}

    database_cpu = _DatabaseCpu(args.database_url)

    def timed(key: str, function: Any, per: int) -> Any:
        started, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu.seconds()
        result = function()
        # [wall, assets, CPU]: of this process, where the embedded server runs (on SQLite
        # all of the step's work), plus that of the PostgreSQL backends serving it
        spent = time.process_time() - cpu + database_cpu.seconds() - db_cpu
        steps[key] = [time.perf_counter() - started, per, spent]
        return result

    with Client(workspace=args.workspace) as client:
        version = client.get_dataset("scale").get_version("v1")
        rss_before = peak_rss_mib()
        assets = timed("list_all", version.list_assets, args.size)
        if len(assets) != args.size:
            raise RuntimeError(f"listed {len(assets)} assets, expected {args.size}")
        rss_listed = peak_rss_mib()
        after = str(assets[int(args.size * 0.9)].id)
        ids = assets.ids
        del assets
        page = timed(
            "deep_page",
            lambda: version._connection.request(
                "POST", f"/versions/{version.id}/assets/search", json={"after": after, "limit": 100}
            ),
            args.size,
        )
        if len(page["items"]) != 100:
            raise RuntimeError("deep page: not 100 assets")
        rare = timed("filter_tags", lambda: version.list_assets(tags=[RARE_TAG]), args.size)
        if len(rare) != len(range(0, args.size, 100)):
            raise RuntimeError(f"tag filter: {len(rare)} assets")
        timed("filter_q", lambda: version.list_assets(q=QUERY), args.size)
        from pixlake.sdk.asset import MultiAsset

        del rare
        everything = MultiAsset(version._connection, [])
        everything.items = [_Id(i) for i in ids]  # add_tags only reads the ids
        timed("add_tags", lambda: everything.add_tags(TAG), args.size)
        coco = timed("coco", version.build_coco_file_locally, args.size)
        if len(coco["images"]) != args.size:
            raise RuntimeError(f"COCO export: {len(coco['images'])} images")
        del coco
    return {
        "steps": steps,
        "rss_before_mb": rss_before,
        "rss_listed_mb": rss_listed,
        "peak_rss_mb": peak_rss_mib(),
    }


class _DatabaseCpu:
    """CPU time of the PostgreSQL backends connected to the benchmark's database, read from
    /proc (the server runs on this machine); always 0 on SQLite, where there are none."""

    def __init__(self, database_url: str) -> None:
        self.engine = None
        if database_url.startswith("postgresql"):
            from sqlalchemy import create_engine

            self.engine = create_engine(database_url, poolclass=_null_pool())
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.finished = 0.0  # of backends that have gone since: counted when last seen
        self.last: dict[int, float] = {}

    def seconds(self) -> float:
        if self.engine is None:
            return 0.0
        from sqlalchemy import text

        with self.engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ).scalars()
            now = {pid: cpu for pid in pids if (cpu := self._cpu(pid)) is not None}
        self.finished += sum(cpu for pid, cpu in self.last.items() if pid not in now)
        self.last = now
        return self.finished + sum(now.values())

    def _cpu(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.ticks  # utime + stime


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


class _Id:
    """Stands for an asset where only its id is read."""

    __slots__ = ("id",)

    def __init__(self, asset_id: Any) -> None:
        self.id = asset_id


def run_size(backend: str, size: int, folder: Path, scratch: Path) -> dict[str, Any]:
    workspace = scratch / f"{backend}-{size}"
    database_url, dropped = _database(backend, workspace)
    try:
        log(f"[{backend} {size}] building ...")
        built = build(workspace, database_url, folder, size)
        log(f"[{backend} {size}] bulk rows in {built['bulk_seconds']:.1f} s; measuring ...")
        command = [
            sys.executable,
            __file__,
            "--child",
            "--workspace",
            str(workspace),
            "--database-url",
            database_url,
            "--size",
            str(size),
        ]
        done = subprocess.run(command, env=child_env(), capture_output=True, text=True)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1:]}
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if dropped:
            _drop(dropped)


def report(results: dict[tuple[str, int], dict[str, Any]], sizes: list[int]) -> str:
    headers = ["backend", "assets", "figure", *STEPS, "list MB/1k", "peak MB"]
    rows = []
    for (backend, size), found in results.items():
        if "error" in found:
            failed = [backend, str(size), f"FAILED: {found['error']}"]
            rows.append(failed + [""] * (len(headers) - len(failed)))
            continue
        steps = found["steps"]
        listed = found["rss_listed_mb"] - found["rss_before_mb"]
        for figure, index in (("wall us/asset", 0), ("cpu us/asset", 2)):
            rows.append(
                [backend, str(size), figure]
                + [f"{steps[s][index] / steps[s][1] * 1e6:.2f}" for s in STEPS]
                + [f"{listed / size * 1000:.2f}", f"{found['peak_rss_mb']:.0f}"]
            )
    lines = [
        render_table(headers, rows),
        "",
        "Flat (largest size's us/asset over the smallest's, wall / process CPU):",
    ]
    for backend in dict.fromkeys(b for b, _ in results):
        small, large = results.get((backend, sizes[0])), results.get((backend, sizes[-1]))
        if not small or not large or "error" in small or "error" in large:
            continue
        for step in STEPS:
            a, b = small["steps"][step], large["steps"][step]
            wall, cpu = ((b[i] / b[1]) / (a[i] / a[1]) for i in (0, 2))
            verdict = "PASS" if min(wall, cpu) <= FLAT_WITHIN else "MISS"
            lines.append(f"  {backend} {step}: {wall:.2f}x / {cpu:.2f}x  {verdict}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of assets (default: 10000,100000,1000000)",
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated subset of sqlite,postgresql (default: both)",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/pixlake-bench-cache"))
    parser.add_argument("--scratch", type=Path, default=None, help="where workspaces go")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        args.sizes = sorted(int(s) for s in args.sizes.split(","))
        if any(s < ORIGINALS for s in args.sizes):
            parser.error(f"every size must be at least {ORIGINALS}")
        args.backends = [b.strip() for b in args.backends.split(",")]
        if not args.backends or any(b not in BACKENDS for b in args.backends):
            parser.error(f"backends are a subset of {','.join(BACKENDS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    for key in [k for k in os.environ if k.startswith("PIXLAKE_")]:
        if key != "PIXLAKE_DISABLE_PROGRESS_BARS":
            del os.environ[key]
    folder = sample_folder(args.cache.expanduser().resolve(), ORIGINALS, log=log)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pixlake-scale-", dir=args.scratch) as scratch:
        for backend in args.backends:
            for size in args.sizes:
                results[(backend, size)] = found = run_size(backend, size, folder, Path(scratch))
                log(f"  {found}")
    print(f"Scale benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(report(results, args.sizes))
    print(
        "us/asset: wall time (and CPU time of the measuring process, which runs the embedded"
        " server) of the step over the version's assets, one run each; a step is flat when"
        " either ratio is within 1.5x (on a shared machine the wall time is mostly waiting"
        " for a core); 'list MB/1k': RSS the listing added per 1,000 assets; 'peak MB': the"
        " child's VmHWM."
    )
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
