"""Formats benchmark: COCO export (and, later, import) of a dataset version of 100,000
assets holding 500,000 rectangles, embedded and through a real ``pixlake serve``.

Export part (``--part export``), next to baselines measured in the same run:

=========================================  ===============================================
measured                                   baseline
=========================================  ===============================================
``v.export_annotation_file("COCO", dir)``  ``json.dumps`` of the same document, already in
(time, streamed to a file)                 memory (target: export <= 3x)
peak RSS of the exporting process          RSS of the same process idle, just before
(embedded: the SDK's process; server:      (target: <= 300 MB above it)
the ``pixlake serve`` process)
=========================================  ===============================================

How the version comes to be: one real JPEG (``pixlake.samples``) is uploaded through the
SDK, which also creates the dataset, the version, 10 labels and the worker; the other
N - 1 data rows are BULK-INSERTED into the workspace's SQLite database with SQLAlchemy Core
(copies of the uploaded row with new ids and distinct fake checksums, the same object), then
N assets, N annotations and N x ``--shapes-per-asset`` rectangles (5: 500,000 for 100,000
assets). That happens once per ``--work`` folder (reused when it holds the same sizes).

With ``--repeat N`` each export and each baseline runs N times and the least time of each
is kept (the same for CPU times; the peak RSS is the highest seen). Wall times are the
target's measure; CPU times (of the exporting process, and in server
mode of the server plus the client) are printed too, since on a shared machine the wall time
of a run split between two processes also counts the waits for a core.

Each measured export runs in a fresh child process (this script with a hidden ``--child``),
so that its peak RSS is the export's own. The server mode runs ``pixlake serve`` on the same
workspace and samples that process's RSS.

    .venv/bin/python benchmarks/formats.py --part export --assets 100000 --work /tmp/pixlake-formats

The import part (``--part import``, also in ``all``) runs ``benchmarks/formats_import.py``
on the same sizes: COCO import next to ``json.load`` plus an ``executemany`` of the same rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    child_env,
    peak_rss_mib,
    render_table,
    serve_workspace,
)

LABELS = 10


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / (1024 * 1024)


# Building the version


def _marker(work: Path) -> Path:
    return work / "built.json"


def build_version(work: Path, assets: int, shapes_per_asset: int, log: Any = print) -> Path:
    """A workspace under ``work`` holding dataset ``bench`` version ``v1`` of ``assets``
    assets and ``assets * shapes_per_asset`` rectangles; reused when already built."""
    workspace = work / "workspace"
    wanted = {"assets": assets, "shapes_per_asset": shapes_per_asset}
    if _marker(work).is_file() and json.loads(_marker(work).read_text()) == wanted:
        log(f"reusing the version built in {workspace}")
        return workspace
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    from pixlake import Client
    from pixlake.samples import make_image

    started = time.perf_counter()
    picture = make_image(work / "picture.jpg", 640, 480)
    with Client(workspace=workspace) as client:
        data = client.get_datalake().upload_data([picture])
        version = client.create_dataset("bench").create_version("v1", type="OBJECT_DETECTION")
        for index in range(LABELS):
            version.create_label(f"label-{index}")
        asset = version.add_data(data)[0]
        asset.create_annotation()
    _bulk_rows(workspace, assets, shapes_per_asset, log)
    _marker(work).write_text(json.dumps(wanted))
    log(
        f"built {assets:,} assets, {assets * shapes_per_asset:,} rectangles in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return workspace


def _bulk_rows(workspace: Path, assets: int, shapes_per_asset: int, log: Any) -> None:
    from sqlalchemy import delete, select

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.core.sql import bulk_insert
    from pixlake.core.workspace import open_workspace
    from pixlake.ids import new_id
    from pixlake.settings import Settings

    opened = open_workspace(Settings(workspace=workspace))
    try:
        with opened.context.db.write() as conn:
            data = conn.execute(select(t.data)).one()._asdict()
            asset = conn.execute(select(t.assets)).one()._asdict()
            annotation = conn.execute(select(t.annotations_table)).one()._asdict()
            labels = list(conn.execute(select(t.labels.c.id).order_by(t.labels.c.id)).scalars())
            conn.execute(delete(t.annotations_table))
            conn.execute(delete(t.assets))
        now = utcnow()
        chunk = 10_000
        for start in range(0, assets, chunk):
            data_rows, asset_rows, annotation_rows, shape_rows = [], [], [], []
            for index in range(start, min(assets, start + chunk)):
                data_id = data["id"] if index == 0 else new_id()
                if index:
                    data_rows.append(
                        {
                            **data,
                            "id": data_id,
                            "checksum": f"{index:064x}",
                            "filename": f"img_{index:06d}.jpg",
                        }
                    )
                asset_id, annotation_id = new_id(), new_id()
                asset_rows.append({**asset, "id": asset_id, "data_id": data_id})
                annotation_rows.append(
                    {**annotation, "id": annotation_id, "asset_id": asset_id, "created_at": now}
                )
                for shape in range(shapes_per_asset):
                    shape_rows.append(
                        {
                            "id": new_id(),
                            "organization_id": data["organization_id"],
                            "dataset_version_id": asset["dataset_version_id"],
                            "annotation_id": annotation_id,
                            "kind": "RECTANGLE",
                            "label_id": labels[(index + shape) % len(labels)],
                            "x": 10.5 + shape * 7.25,
                            "y": 20.25 + shape * 3.5,
                            "w": 100.125,
                            "h": 50.0 + shape,
                            "coords": None,
                            "text": None,
                            "created_at": now,
                        }
                    )
            with opened.context.db.write() as conn:
                bulk_insert(conn, t.data, data_rows)
                bulk_insert(conn, t.assets, asset_rows)
                bulk_insert(conn, t.annotations_table, annotation_rows)
                bulk_insert(conn, t.shapes, shape_rows)
            log(f"  {min(assets, start + chunk):,} assets")
    finally:
        opened.close()


# Children


def _child_export(args: argparse.Namespace) -> None:
    """Export once, in this fresh process; print a JSON line of figures."""
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    client = (
        Client(workspace=Path(args.workspace))
        if args.host is None
        else Client(api_token=args.token, host=args.host)
    )
    with client:
        version = client.get_dataset("bench").get_version("v1")
        idle = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        path = version.export_annotation_file("COCO", args.out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = peak_rss_mib()
    figures = {"seconds": seconds, "cpu": cpu, "idle_mib": idle, "peak_mib": peak, "path": path}
    print(json.dumps(figures))


def _child_dumps(args: argparse.Namespace) -> None:
    """The baseline: ``json.dumps`` of the document, loaded first (not timed)."""
    with open(args.out) as stream:
        document = json.load(stream)
    started, cpu = time.perf_counter(), time.process_time()
    text = json.dumps(document)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": len(text)}))


def _run_child(*arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *arguments],
        capture_output=True,
        text=True,
        env=child_env(),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {arguments[0]} failed:\n{done.stdout}{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# Parts


def export_part(args: argparse.Namespace) -> list[list[str]]:
    workspace = build_version(args.work, args.assets, args.shapes_per_asset)
    out = args.work / "out"
    rows = []
    embedded = _best_of(
        args.repeat,
        lambda: _run_child("export", "--workspace", str(workspace), "--out", str(out / "embedded")),
    )
    baseline = _best_of(args.repeat, lambda: _run_child("dumps", "--out", embedded["path"]))
    size_mb = Path(embedded["path"]).stat().st_size / 1e6
    rows.append(_row("embedded", embedded, baseline, embedded["idle_mib"], embedded["peak_mib"]))
    with serve_workspace(workspace, user=f"bench-{os.urandom(4).hex()}") as served:
        time.sleep(0.5)
        import psutil

        process = psutil.Process(served.process.pid)
        server_idle = process.memory_info().rss / (1024 * 1024)

        def served_export() -> dict[str, Any]:
            before = process.cpu_times()
            figures = _run_child(
                "export",
                "--host",
                served.url,
                "--token",
                served.token,
                "--out",
                str(out / "server"),
            )
            after = process.cpu_times()
            # the CPU of both ends: the server's (which writes the document) and the client's
            figures["cpu"] += (after.user - before.user) + (after.system - before.system)
            return figures

        server = _best_of(args.repeat, served_export)
        assert served.rss is not None
        server_peak = served.rss.peak_mib()
    rows.append(_row("server", server, baseline, server_idle, server_peak))
    print(
        f"\nCOCO document: {size_mb:.0f} MB, {args.assets:,} images, "
        f"{args.assets * args.shapes_per_asset:,} annotations"
    )
    return rows


def _best_of(repeat: int, run: Any) -> dict[str, Any]:
    """The figures of ``run`` repeated: the least time and the least CPU time of the runs
    (on a shared machine, the runs least slowed down by the others), the other figures of
    the last run, and the peak RSS the highest of them."""
    runs = [run() for _ in range(max(1, repeat))]
    best = dict(runs[-1])
    best["seconds"] = min(r["seconds"] for r in runs)
    best["cpu"] = min(r["cpu"] for r in runs)
    if "peak_mib" in best:
        best["peak_mib"] = max(r["peak_mib"] for r in runs)
    return best


def _row(
    mode: str, export: dict[str, Any], baseline: dict[str, Any], idle: float, peak: float
) -> list[str]:
    ratio = export["seconds"] / baseline["seconds"]
    cpu_ratio = export["cpu"] / baseline["cpu"]
    return [
        mode,
        f"{export['seconds']:.2f} s",
        f"{baseline['seconds']:.2f} s",
        f"{ratio:.2f}x {'ok' if ratio <= 3 else 'OVER'}",
        f"{export['cpu']:.2f} / {baseline['cpu']:.2f} s = {cpu_ratio:.2f}x",
        f"{idle:.0f} MiB",
        f"{peak:.0f} MiB",
        f"{peak - idle:.0f} MiB {'ok' if peak - idle <= 300 else 'OVER'}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["export", "import", "all"], default="all")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--shapes-per-asset", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pixlake-formats-bench"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each export and baseline this many times and keep the fastest (a shared "
        "machine's noise only ever adds time)",
    )
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child = argparse.ArgumentParser()
        child.add_argument("step", choices=["export", "dumps"])
        child.add_argument("--workspace")
        child.add_argument("--host")
        child.add_argument("--token")
        child.add_argument("--out")
        given = child.parse_args(args.child)
        (_child_export if given.step == "export" else _child_dumps)(given)
        return
    os.environ["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"
    if args.part in ("export", "all"):
        rows = export_part(args)
        print(
            render_table(
                [
                    "mode",
                    "COCO export",
                    "json.dumps",
                    "ratio (<= 3x)",
                    "CPU export / dumps",
                    "RSS idle",
                    "RSS peak",
                    "above idle (<= 300 MB)",
                ],
                rows,
            )
        )
    if args.part in ("import", "all"):
        # The import part lives with the importers (benchmarks/formats_import.py): run it
        # here on the same sizes, so that one command prints both parts.
        print("\nimport part (benchmarks/formats_import.py):", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("formats_import.py")),
                "--assets",
                str(args.assets),
                "--per-image",
                str(args.shapes_per_asset),
            ],
            env=child_env(),
            check=True,
        )


if __name__ == "__main__":
    main()
