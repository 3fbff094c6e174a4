"""Listings benchmark: ``v.list_assets()`` and ``lake.list_data()`` of N rows, repeated.

``benchmarks/assets.py`` times each listing once, among many other steps. On a shared
2-core machine one run says little, so this script repeats only the listings, interleaved
(round after round: raw floor, embedded assets, server assets, embedded data, server data),
each SDK listing in a fresh child process, and prints for every run:

- wall seconds of the SDK call alone;
- CPU seconds of the child (user + system, ``time.process_time``): embedded, that process
  runs the API as well; and for the server, CPU seconds the ``pixlake serve`` process spent
  meanwhile (from /proc), so that "server over embedded" can be judged by work done, not
  only by wall time on a loaded machine;
- the child's peak RSS (VmHWM);
- the raw floor of the same round: a bare ``sqlite3`` SELECT of the same rows into tuples
  (the version's assets joined with their data; the datalake's data).

The 1-minute load average is printed with every round. The workspace is built as
``assets.py`` builds its template (``--originals`` real JPEGs uploaded, the other rows
bulk-inserted), plus one version holding every data; ``--workspace`` keeps it between runs.

Targets (issue 16): embedded list of 100,000 <= 1 s with peak RSS <= 250 MB, server within
1.3x of embedded, for both listings.

    .venv/bin/python benchmarks/listings.py --assets 100000 --rounds 5

``--baseline-src DIR`` runs an earlier pixlake (its ``src`` folder) beside this one in the
same rounds, each with its own server, so that before and after see the same load:

    git archive <commit> src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/listings.py --baseline-src /tmp/base/src --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import child_env, peak_rss_mib, render_table, sample_folder, serve_workspace
from assets import DATASET, DEFAULT_CACHE, VERSION, prepare_template

os.environ["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"

LISTINGS = ("assets", "data")
MODES = ("embedded", "server")
TOKEN_VARIABLE = "PIXLAKE_BENCH_TOKEN"
CHILD_TIMEOUT = 600

LIST_SECONDS = 1.0
LIST_RSS_MB = 250.0
LIST_SERVER_SLOWDOWN = 1.3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(workspace: Path, cache: Path, originals: int, total: int) -> None:
    """A workspace of ``total`` data (see ``assets.prepare_template``) and a version of all."""
    from pixlake import Client

    prepare_template(workspace, sample_folder(cache, originals, log=log), total)
    with Client(workspace=workspace) as client:
        data = client.get_datalake().list_data()
        client.create_dataset(DATASET).create_version(VERSION).add_data(data)
    (workspace / "listings-ready").write_text(str(total))


# Child side: one listing in a fresh process, one JSON line on stdout.


def run_child(listing: str, workspace: str, host: str | None) -> int:
    from pixlake import Client

    client = (
        Client(api_token=os.environ[TOKEN_VARIABLE], host=host)
        if host
        else Client(workspace=workspace)
    )
    with client:
        if listing == "assets":
            call = client.get_dataset(DATASET).get_version(VERSION).list_assets
        else:
            call = client.get_datalake().list_data
        cpu_started, started = time.process_time(), time.perf_counter()
        rows = call()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(
            json.dumps({"rows": len(rows), "seconds": seconds, "cpu": cpu, "rss": peak_rss_mib()})
        )
    return 0


def spawn(
    listing: str, workspace: Path, host: str | None, token: str | None, source: Path | None
) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", listing]
    command += ["--workspace", str(workspace)]
    if host is not None:
        command += ["--host", host]
    env = child_env(**({TOKEN_VARIABLE: token} if token else {}))
    if source is not None:
        env["PYTHONPATH"] = str(source)
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=CHILD_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {listing} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def python_path(source: Path | None) -> Iterator[None]:
    """Processes started meanwhile (``pixlake serve``, ``pixlake users create``) import
    pixlake from ``source`` (a ``src`` folder) instead of this checkout's."""
    if source is None:
        yield
        return
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(source)
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Raw floors: the same rows, bare sqlite3 into tuples.


def raw_floor(database: Path, listing: str) -> tuple[int, float, float]:
    connection = sqlite3.connect(database)
    try:
        if listing == "assets":
            statement = (
                "SELECT a.id, a.dataset_version_id, a.data_id, a.created_at, a.deleted_at,"
                " d.datalake_id, d.object_name, d.filename, d.type, d.content_type, d.size,"
                " d.width, d.height, d.duration, d.checksum, d.metadata, d.custom_metadata,"
                " d.created_at FROM assets a JOIN data d ON d.id = a.data_id"
                " WHERE a.deleted_at IS NULL ORDER BY a.dataset_version_id, a.id"
            )
        else:
            statement = (
                "SELECT id, datalake_id, object_name, filename, type, content_type, size,"
                " width, height, duration, checksum, metadata, custom_metadata, created_at"
                " FROM data ORDER BY id"
            )
        cpu_started, started = time.process_time(), time.perf_counter()
        rows = connection.execute(statement).fetchall()
        return len(rows), time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        connection.close()


# Parent side.


def measure(args: argparse.Namespace, workspace: Path) -> list[dict[str, Any]]:
    """Every round: the raw floor, then each variant's embedded and server listing (this
    checkout's, and the baseline's when ``--baseline-src`` is given), listing by listing."""
    variants: list[tuple[str, Path | None]] = [("", None)]
    if args.baseline_src is not None:
        variants.insert(0, (" (baseline)", args.baseline_src.resolve()))
    runs: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        servers = {}
        for suffix, source in variants:
            # A user of its own per server: a reused workspace has the earlier runs' users.
            user = f"bench-{uuid.uuid4().hex[:8]}"
            with python_path(source):
                servers[suffix] = stack.enter_context(
                    serve_workspace(workspace, user=user, sample_rss=False)
                )
        for round_ in range(1, args.rounds + 1):
            load = os.getloadavg()[0]
            for listing in LISTINGS:
                rows, seconds, cpu = raw_floor(workspace / "pixlake.db", listing)
                runs.append(_run(round_, load, "raw", listing, rows, seconds, cpu))
                log(_line(runs[-1]))
                for suffix, source in variants:
                    served = servers[suffix]
                    for mode in MODES:
                        server_cpu = process_cpu_seconds(served.process.pid)
                        host = served.url if mode == "server" else None
                        token = served.token if host else None
                        got = spawn(listing, workspace, host, token, source)
                        run = _run(
                            round_,
                            load,
                            mode + suffix,
                            listing,
                            got["rows"],
                            got["seconds"],
                            got["cpu"],
                        )
                        run["rss"] = got["rss"]
                        if mode == "server":
                            server_cpu = process_cpu_seconds(served.process.pid) - server_cpu
                            run["server_cpu"] = server_cpu
                        runs.append(run)
                        log(_line(run))
    return runs


def _run(
    round_: int, load: float, mode: str, listing: str, rows: int, seconds: float, cpu: float
) -> dict[str, Any]:
    return {
        "round": round_,
        "load": load,
        "mode": mode,
        "listing": listing,
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
    }


def _line(run: dict[str, Any]) -> str:
    extra = f" server cpu {run['server_cpu']:.2f} s" if "server_cpu" in run else ""
    return (
        f"round {run['round']} load {run['load']:.1f} {run['mode']:>8} list_{run['listing']}: "
        f"{run['rows']} rows {run['seconds']:.2f} s, cpu {run['cpu']:.2f} s{extra}"
        + (f", peak RSS {run['rss']:.0f} MB" if "rss" in run else "")
    )


def summary(runs: list[dict[str, Any]]) -> str:
    header = [
        "listing",
        "mode",
        "runs",
        "median s",
        "min s",
        "median cpu s",
        "server cpu s",
        "x raw (s)",
        "x emb (s)",
        "x emb (cpu)",
        "peak RSS MB",
    ]
    table = []
    # "" for this checkout, " (baseline)" for --baseline-src: baseline first, as measured.
    embedded = [r["mode"] for r in runs if r["mode"].startswith("embedded")]
    suffixes = sorted({m[len("embedded") :] for m in embedded}, reverse=True)
    for listing in LISTINGS:

        def of(mode: str, key: str, listing: str = listing) -> list[float]:
            return [r[key] for r in runs if r["mode"] == mode and r["listing"] == listing]

        raw = statistics.median(of("raw", "seconds"))
        table.append([f"list_{listing}", "raw", str(len(of("raw", "seconds")))])
        table[-1] += [f"{raw:.2f}", f"{min(of('raw', 'seconds')):.2f}"]
        table[-1] += [f"{statistics.median(of('raw', 'cpu')):.2f}", "", "", "", "", ""]
        for suffix in suffixes:
            emb = statistics.median(of("embedded" + suffix, "seconds"))
            emb_cpu = statistics.median(of("embedded" + suffix, "cpu"))
            for mode in (m + suffix for m in MODES):
                seconds, cpus = of(mode, "seconds"), of(mode, "cpu")
                median, cpu = statistics.median(seconds), statistics.median(cpus)
                served = mode.startswith("server")
                server_cpu = statistics.median(of(mode, "server_cpu")) if served else 0.0
                # A served listing's work is the server's CPU plus the SDK's.
                table.append(
                    [
                        f"list_{listing}",
                        mode,
                        str(len(seconds)),
                        f"{median:.2f}",
                        f"{min(seconds):.2f}",
                        f"{cpu:.2f}",
                        f"{server_cpu:.2f}" if served else "",
                        f"{median / raw:.1f}x",
                        f"{median / emb:.2f}x" if served else "",
                        f"{(cpu + server_cpu) / emb_cpu:.2f}x" if served else "",
                        f"{statistics.median(of(mode, 'rss')):.0f}",
                    ]
                )
    return render_table(header, table)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time v.list_assets() and lake.list_data() embedded and through "
        "`pixlake serve`, interleaved, next to a bare sqlite3 select of the same rows.",
    )
    parser.add_argument("--assets", type=int, default=100_000, help="rows (default: 100000)")
    parser.add_argument(
        "--originals", type=int, default=200, help="real JPEGs uploaded (default: 200)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default: 5)")
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help="prepared workspace to reuse (built there when missing); default: a "
        "temporary one, removed at the end",
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="sample JPEG cache")
    parser.add_argument(
        "--baseline-src",
        type=Path,
        default=None,
        metavar="DIR",
        help="also run, interleaved in the same rounds, the pixlake of this src folder (say "
        "an earlier commit's, from `git archive <commit> src | tar -x -C DIR/..`), with "
        "a server of its own",
    )
    parser.add_argument("--child", choices=LISTINGS, help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and not 0 < args.originals <= args.assets:
        parser.error("--originals must be between 1 and --assets")
    if not args.child and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args.child, str(args.workspace), args.host)
    with tempfile.TemporaryDirectory(prefix="pixlake-bench-listings-") as scratch:
        workspace = args.workspace or Path(scratch) / "workspace"
        ready = workspace / "listings-ready"
        if not ready.exists() or ready.read_text() != str(args.assets):
            if workspace.exists() and any(workspace.iterdir()):
                raise SystemExit(f"{workspace} holds another workspace: give an empty folder")
            log(f"preparing {args.assets} assets in {workspace} ...")
            prepare(workspace, args.cache.expanduser().resolve(), args.originals, args.assets)
        runs = measure(args, workspace)
    print()
    print(
        f"Listings benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{args.assets} rows, {args.rounds} interleaved rounds, load average "
        f"{min(r['load'] for r in runs):.1f}-{max(r['load'] for r in runs):.1f}"
    )
    print(summary(runs))
    print(
        "cpu: of the child process (embedded: SDK and API together); server cpu: of the "
        "`pixlake serve`\nprocess meanwhile; 'x emb (cpu)' = (child + server cpu) over "
        "embedded cpu. Medians of the rounds."
    )
    print()
    embedded = [r for r in runs if r["mode"] == "embedded"]
    for listing in LISTINGS:
        emb = statistics.median(r["seconds"] for r in embedded if r["listing"] == listing)
        rss = max(r["rss"] for r in embedded if r["listing"] == listing)
        server = statistics.median(
            r["seconds"] for r in runs if r["mode"] == "server" and r["listing"] == listing
        )
        print(
            f"list_{listing}: embedded {emb:.2f} s (target <= {LIST_SECONDS} s), peak RSS "
            f"{rss:.0f} MB (<= {LIST_RSS_MB:.0f}), server {server / emb:.2f}x embedded "
            f"(<= {LIST_SERVER_SLOWDOWN}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
