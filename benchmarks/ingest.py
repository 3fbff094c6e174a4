"""Ingest benchmark: upload rate and peak memory of ``Datalake.upload_data``.

Compares, on the same synthetic JPEGs (320x240 to 1024x768):

* raw: read, sha256-hash and copy every file in one thread (the baseline);
* raw-s3 (with pg-s3, no target): read, sha256-hash and ``put_object`` every file to the
  same bucket with boto3 from 8 threads: what the S3 server itself takes on this machine;
* embedded: ``Client(workspace=<fresh dir>).get_datalake().upload_data(folder)``;
* server: the same through a real ``pixlake serve`` subprocess over loopback;
* pg-s3: the same through a real ``pixlake serve`` subprocess of a PostgreSQL + S3
  deployment: a fresh database on the local PostgreSQL server (127.0.0.1:5432, user
  postgres), ``pixlake db upgrade``d, and a fresh prefix of a bucket on ``rclone serve
  s3`` (tests/services.py), started on a loopback port for the whole benchmark. Every run
  gets a new database (dropped afterwards) and a new prefix (emptied afterwards).

Every measured run happens in a fresh child process (this script re-invoked with a hidden
``--child`` mode), so the peak RSS it reports belongs to that one upload. On Linux the peak
is VmHWM from /proc/self/status: ``ru_maxrss`` survives fork and exec, so a child's value is
floored by this (bigger) parent's peak; it is shown too, for reference.
The rate is the wall time of the ``upload_data`` call alone (of the copy loop for raw), in a
process that has uploaded once already: each pixlake child first uploads one of the files
to a datalake of its own. The first upload of a process builds what uploads need and
nothing else does (embedded, the application builds each router on the first request of
its paths, and imports the services behind it: docs/startup.md), a one-time cost that is
start-up, not throughput; it is shown apart, as ``first upload s``.

Targets on disk: embedded >= 45% of the raw rate, server >= 30%, pg-s3 >= 25%, and the
uploading process's peak RSS for 10,000 files within 150 MB of the one for 1,000 files. On
disk the raw rate swings several times over with the kernel's write-back, so:

* ``--tmpfs`` puts the pictures and everything written (raw copies, workspaces) in a
  folder of /dev/shm, a file system in memory; the targets there are embedded >= 40% of
  raw and server >= 20% of raw;
* ``--peers`` also runs, on the same files and interleaved with the rest, ``dvc add`` of
  the folder (``dvc``: hashes every file and copies it into DVC's cache) and Hugging Face
  ``datasets`` loading it as an imagefolder (``hf-datasets``: lists the files and writes
  an Arrow table of their paths; ``hf-datasets-save``: the same, then ``save_to_disk``,
  which writes their bytes into Arrow files). Neither is a dependency of pixlake: install
  them into a separate virtualenv and name its interpreter with ``--peers-python``::

      python3 -m venv ~/peers-venv
      ~/peers-venv/bin/python -m pip install dvc datasets pillow

  Every row then shows its ratio to raw and to pixlake embedded; the targets are embedded
  >= 1.5x the best peer and server >= 0.9x the best peer.

    .venv/bin/python benchmarks/ingest.py --files 1000 --cache /tmp/pixlake-bench-cache
    .venv/bin/python benchmarks/ingest.py --tmpfs --peers --peers-python ~/peers-venv/bin/python \
        --files 2000 --modes embedded,server --skip-rss --repeat 5

pg-s3 needs the PostgreSQL server (PIXLAKE_BENCH_POSTGRES overrides its URL) and rclone in
the virtualenv (the dev extras, scripts/setup.sh); tests.services is imported from the
repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from _common import (
    POSTGRES_SERVER,
    SAMPLE_GLOB,
    child_env,
    create_bucket,
    empty_bucket,
    peak_rss_mib,
    pg_s3_deployment,
    ru_maxrss_mib,
    s3_server,
    sample_folder,
    serve_deployment,
    serve_workspace,
    warm_page_cache,
)

os.environ["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"

MODES = ("embedded", "server", "pg-s3")
SERVED_MODES = ("server", "pg-s3")
PEERS = ("dvc", "hf-datasets", "hf-datasets-save")
RATE_TARGETS = {"embedded": 0.45, "server": 0.30, "pg-s3": 0.25}
TMPFS_RATE_TARGETS = {"embedded": 0.40, "server": 0.20}
"""On /dev/shm; pg-s3's database and bucket are on disk whatever the option, so no target."""
PEER_TARGETS = {"embedded": 1.5, "server": 0.9}
"""Rate at least this many times the best peer's."""
TMPFS = Path("/dev/shm")
RSS_GROWTH_TARGET_MB = 150.0
RAW_S3_THREADS = 8
CHILD_TIMEOUT = 3 * 3600
TOKEN_VARIABLE = "PIXLAKE_BENCH_TOKEN"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Child side: one measured run, reported as one JSON line on stdout.


def _child_raw(folder: Path, dest: Path) -> tuple[int, float]:
    dest.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    paths = sorted(folder.glob(SAMPLE_GLOB))
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        (dest / path.name).write_bytes(data)
    return len(paths), time.perf_counter() - started


def _child_raw_s3(folder: Path, bucket_and_prefix: str) -> tuple[int, float]:
    import boto3
    from botocore.config import Config

    bucket, prefix = bucket_and_prefix.split("/", 1)
    s3 = boto3.client("s3", config=Config(max_pool_connections=RAW_S3_THREADS))

    def put(path: Path) -> None:
        data = path.read_bytes()
        checksum = hashlib.sha256(data).hexdigest()
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{checksum}", Body=data)

    started = time.perf_counter()
    paths = sorted(folder.glob(SAMPLE_GLOB))
    with ThreadPoolExecutor(RAW_S3_THREADS) as pool:
        list(pool.map(put, paths))
    return len(paths), time.perf_counter() - started


def _child_dvc(folder: Path, target: Path) -> tuple[int, float]:
    """``dvc add`` of a copy of the folder inside a fresh DVC repository (DVC tracks only
    what is inside its repository); the copy and ``dvc init`` are not timed."""
    from dvc.repo import Repo

    target.mkdir(parents=True, exist_ok=True)
    Repo.init(str(target), no_scm=True)
    data = target / "data"
    shutil.copytree(folder, data)
    os.sync()
    repo = Repo(str(target))
    started = time.perf_counter()
    repo.add(str(data))
    seconds = time.perf_counter() - started
    return sum(1 for _ in data.glob(SAMPLE_GLOB)), seconds


def _child_hf(folder: Path, target: Path, save: bool) -> tuple[int, float]:
    """``datasets.load_dataset("imagefolder")`` of the folder, with a cache of its own in
    ``target``; with ``save``, then ``save_to_disk`` (which writes the bytes)."""
    os.environ.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
    import datasets

    datasets.disable_progress_bars()
    started = time.perf_counter()
    loaded = datasets.load_dataset(
        "imagefolder", data_dir=str(folder), cache_dir=str(target / "cache"), split="train"
    )
    if save:
        loaded.save_to_disk(str(target / "saved"))
    return len(loaded), time.perf_counter() - started


WARM_UP_DATALAKE = "bench-first-upload"


def _child_upload(folder: Path, client, max_workers: int | None) -> tuple[int, float, float, float]:
    """Files uploaded, wall seconds, CPU seconds of this process (every thread), and the
    wall seconds of the process's first upload (one file, to another datalake)."""
    with client:
        first_file = min(path for path in folder.iterdir() if path.is_file())
        started = time.perf_counter()
        client.create_datalake(WARM_UP_DATALAKE).upload_data([first_file])
        first_seconds = time.perf_counter() - started
        datalake = client.get_datalake()
        started, cpu = time.perf_counter(), time.process_time()
        uploaded = datalake.upload_data(folder, max_workers=max_workers)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return len(uploaded), seconds, cpu, first_seconds


def run_child(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    cpu: float | None = None
    first_seconds: float | None = None
    if args.child == "raw":
        files, seconds = _child_raw(folder, Path(args.target))
    elif args.child == "raw-s3":
        files, seconds = _child_raw_s3(folder, args.target)
    elif args.child == "dvc":
        files, seconds = _child_dvc(folder, Path(args.target))
    elif args.child in ("hf-datasets", "hf-datasets-save"):
        files, seconds = _child_hf(folder, Path(args.target), args.child == "hf-datasets-save")
    else:
        from pixlake import Client

        if args.child == "embedded":
            client = Client(workspace=args.target)
        else:
            client = Client(api_token=os.environ[TOKEN_VARIABLE], host=args.host)
        files, seconds, cpu, first_seconds = _child_upload(folder, client, args.max_workers)
    print(
        json.dumps(
            {
                "files": files,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "first_upload_seconds": first_seconds,
                "peak_rss_mb": peak_rss_mib(),
                "ru_maxrss_mb": ru_maxrss_mib(),
            }
        )
    )
    return 0


# Parent side: samples, children, the server, the table.


@dataclass
class Row:
    mode: str
    count: int
    files: int = 0
    runs: int = 1
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    ru_maxrss_mb: float | None = None
    server_rss_mb: float | None = None
    client_cpu_us: float | None = None
    server_cpu_us: float | None = None
    first_upload_s: float | None = None
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds > 0 else 0.0


def measure(
    row: Row,
    folder: Path,
    target: Path,
    *,
    host: str | None = None,
    token: str | None = None,
    max_workers: int | None = None,
    python: str = sys.executable,
) -> Row:
    command = [
        python,
        str(Path(__file__).resolve()),
        "--child",
        row.mode,
        "--folder",
        str(folder),
        "--target",
        str(target),
    ]
    if host is not None:
        command += ["--host", host]
    if max_workers is not None:
        command += ["--max-workers", str(max_workers)]
    env = child_env(**({TOKEN_VARIABLE: token} if token is not None else {}))
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=CHILD_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        row.error = f"timed out after {CHILD_TIMEOUT} s"
        return row
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        row.error = f"child exited with {done.returncode}"
        log(f"  {row.mode} x {row.count} FAILED:\n{done.stderr.rstrip()}")
        return row
    report = json.loads(lines[-1])
    row.files, row.seconds = report["files"], report["seconds"]
    row.peak_rss_mb, row.ru_maxrss_mb = report["peak_rss_mb"], report["ru_maxrss_mb"]
    row.first_upload_s = report.get("first_upload_seconds")
    if report.get("cpu_seconds") is not None and row.files:
        row.client_cpu_us = report["cpu_seconds"] * 1e6 / row.files
    if row.files != row.count:
        row.error = f"uploaded {row.files} of {row.count} files"
    return row


def measure_server(row: Row, folder: Path, workspace: Path, max_workers: int | None) -> Row:
    workspace.mkdir(parents=True)
    try:
        with serve_workspace(workspace) as served:
            before = _cpu_seconds(served.process.pid)
            measure(
                row, folder, workspace, host=served.url, token=served.token, max_workers=max_workers
            )
            after = _cpu_seconds(served.process.pid)
            if before is not None and after is not None and row.files:
                row.server_cpu_us = (after - before) * 1e6 / row.files
            if served.rss is not None:
                row.server_rss_mb = served.rss.peak_mib()
    except RuntimeError as exc:
        row.error = "server failed"
        log(f"  server x {row.count} FAILED: {exc}")
    return row


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU of a process (every thread), when psutil is there. Steadier
    than wall time under load; around a child's whole run, its start-up included."""
    try:
        import psutil
    except ImportError:
        return None
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def measure_pg_s3(
    row: Row, folder: Path, workdir: Path, bucket: str | None, max_workers: int | None
) -> Row:
    """One run on a fresh PostgreSQL database and bucket prefix, dropped and emptied after."""
    if bucket is None:
        row.error = "no S3 server"
        return row
    workdir.mkdir(parents=True)
    try:
        with (
            pg_s3_deployment(workdir / "server", bucket) as deploy,
            serve_deployment(deploy, workdir.with_name(workdir.name + "-server.log")) as served,
        ):
            measure(
                row, folder, workdir, host=served.url, token=served.token, max_workers=max_workers
            )
            if served.rss is not None:
                row.server_rss_mb = served.rss.peak_mib()
    except Exception as exc:  # the database, the bucket or the server: report, go on
        row.error = "pg-s3 deployment failed"
        log(f"  pg-s3 x {row.count} FAILED: {exc}")
    return row


def measure_raw_s3(row: Row, folder: Path, bucket: str | None) -> Row:
    """The raw-s3 child on a fresh prefix of the bucket, emptied afterwards."""
    if bucket is None:
        row.error = "no S3 server"
        return row
    prefix = f"raw-{uuid.uuid4().hex[:8]}"
    try:
        return measure(row, folder, Path(f"{bucket}/{prefix}"))
    finally:
        empty_bucket(bucket, prefix + "/")


def _merge(samples: list[Row]) -> Row:
    """One row for repeated runs: the median time, the highest peaks."""
    failed = next((r for r in samples if r.error is not None), None)
    if failed is not None:
        return failed

    def highest(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return max(known) if known else None

    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    first = samples[0]
    return Row(
        first.mode,
        first.count,
        files=first.files,
        runs=len(samples),
        seconds=statistics.median(r.seconds for r in samples),
        peak_rss_mb=highest([r.peak_rss_mb for r in samples]),
        ru_maxrss_mb=highest([r.ru_maxrss_mb for r in samples]),
        server_rss_mb=highest([r.server_rss_mb for r in samples]),
        client_cpu_us=median([r.client_cpu_us for r in samples]),
        server_cpu_us=median([r.server_cpu_us for r in samples]),
        first_upload_s=median([r.first_upload_s for r in samples]),
    )


def run_count(
    count: int,
    folder: Path,
    modes: list[str],
    scratch: Path,
    max_workers: int | None,
    repeat: int,
    bucket: str | None = None,
    measure_s3_at: int | None = None,
    peers: tuple[str, ...] = (),
    peers_python: str = sys.executable,
) -> list[Row]:
    """Every mode on ``count`` files, ``repeat`` rounds interleaved so drift hits all alike.

    Each round starts one mode further on (raw, embedded, server, pg-s3; embedded, server,
    pg-s3, raw; ...) so that no mode always runs right after another's heavy writes.
    """
    warm_page_cache(folder)
    order = ["raw", *(["raw-s3"] if "pg-s3" in modes and count == measure_s3_at else []), *modes]
    order += [peer for peer in peers if count == measure_s3_at]
    samples: dict[str, list[Row]] = {mode: [] for mode in order}
    for round_ in range(1, repeat + 1):
        shift = (round_ - 1) % len(order)
        for mode in order[shift:] + order[:shift]:
            done = samples[mode]
            target = scratch / f"{mode}-{count}"
            log(f"measuring {mode} x {count} (run {round_}/{repeat}) ...")
            # Flush the previous run's writes so they are not paid for by this one.
            os.sync()
            try:
                if mode == "server":
                    row = measure_server(Row(mode, count), folder, target, max_workers)
                elif mode == "pg-s3":
                    row = measure_pg_s3(Row(mode, count), folder, target, bucket, max_workers)
                elif mode == "raw-s3":
                    row = measure_raw_s3(Row(mode, count), folder, bucket)
                elif mode in PEERS:
                    row = measure(Row(mode, count), folder, target, python=peers_python)
                else:
                    row = measure(Row(mode, count), folder, target, max_workers=max_workers)
            finally:
                shutil.rmtree(target, ignore_errors=True)
            if row.error is None:
                log(
                    f"  {row.files} files in {row.seconds:.2f} s = {row.rate:.1f} files/s, "
                    f"peak RSS {row.peak_rss_mb:.1f} MB"
                )
            done.append(row)
    return [_merge(done) for done in samples.values()]


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_table(rows: list[Row]) -> str:
    raw_rate = {r.count: r.rate for r in rows if r.mode == "raw" and r.error is None}
    embedded_rate = {r.count: r.rate for r in rows if r.mode == "embedded" and r.error is None}
    header = (
        "mode",
        "files",
        "runs",
        "seconds",
        "files/s",
        "vs raw",
        "vs embedded",
        "peak RSS MB",
        "server RSS MB",
        "ru_maxrss MB",
        "client CPU us/file",
        "server CPU us/file",
        "first upload s",
    )
    lines = [header]
    for r in rows:
        if r.error is not None:
            lines.append((r.mode, str(r.count), "", "FAILED", r.error, *[""] * 8))
            continue
        ratio = r.rate / raw_rate[r.count] if raw_rate.get(r.count) else None
        to_embedded = r.rate / embedded_rate[r.count] if embedded_rate.get(r.count) else None
        lines.append(
            (
                r.mode,
                str(r.count),
                str(r.runs),
                f"{r.seconds:.2f}",
                f"{r.rate:.1f}",
                _fmt(None if ratio is None else ratio * 100, ".1f") + "%",
                _fmt(to_embedded, ".2f") + "x",
                _fmt(r.peak_rss_mb, ".1f"),
                _fmt(r.server_rss_mb, ".1f"),
                _fmt(r.ru_maxrss_mb, ".1f"),
                _fmt(r.client_cpu_us, ".0f"),
                _fmt(r.server_cpu_us, ".0f"),
                _fmt(r.first_upload_s, ".3f"),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append(" | ".join(cells).rstrip())
        if index == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def format_targets(
    rows: list[Row],
    files: int,
    rss_pair: tuple[int, int] | None,
    modes: list[str],
    *,
    tmpfs: bool = False,
    peers: tuple[str, ...] = (),
) -> tuple[str, bool]:
    ok = {(r.mode, r.count): r for r in rows if r.error is None}
    lines, all_pass = [], True

    def verdict(passed: bool | None) -> str:
        nonlocal all_pass
        if passed is None:
            all_pass = False
            return "n/a (measurement failed)"
        all_pass = all_pass and passed
        return "PASS" if passed else "MISS"

    raw = ok.get(("raw", files))
    targets = TMPFS_RATE_TARGETS if tmpfs else RATE_TARGETS
    for mode in (m for m in modes if m in targets):
        goal = targets[mode]
        row = ok.get((mode, files))
        if row is None or raw is None or raw.rate == 0:
            lines.append(f"{mode} rate >= {goal:.0%} of raw ({files} files): " + verdict(None))
            continue
        ratio = row.rate / raw.rate
        lines.append(
            f"{mode} rate >= {goal:.0%} of raw ({files} files): {ratio:.1%}  "
            + verdict(ratio >= goal)
        )
    peer_rows = [ok[(peer, files)] for peer in peers if (peer, files) in ok]
    if peers:
        best = max(peer_rows, key=lambda r: r.rate, default=None)
        for mode in (m for m in modes if m in PEER_TARGETS):
            goal, row = PEER_TARGETS[mode], ok.get((mode, files))
            name = f"{mode} rate >= {goal:.1f}x the best peer"
            if best is None or row is None or best.rate == 0:
                lines.append(f"{name}: " + verdict(None))
                continue
            ratio = row.rate / best.rate
            lines.append(f"{name} ({best.mode}): {ratio:.2f}x  " + verdict(ratio >= goal))
    raw_s3, pg_s3 = ok.get(("raw-s3", files)), ok.get(("pg-s3", files))
    if raw_s3 is not None and pg_s3 is not None and raw_s3.rate:
        lines.append(
            f"pg-s3 rate vs raw-s3, what the S3 server takes (no target): "
            f"{pg_s3.rate / raw_s3.rate:.1%}"
        )
    if rss_pair is not None:
        small, large = rss_pair
        for mode in modes:
            label = "SDK process" if mode in SERVED_MODES else "process"
            name = f"{mode} {label} RSS({large}) - RSS({small}) <= {RSS_GROWTH_TARGET_MB:.0f} MB"
            a, b = ok.get((mode, small)), ok.get((mode, large))
            if a is None or b is None or a.peak_rss_mb is None or b.peak_rss_mb is None:
                lines.append(f"{name}: " + verdict(None))
                continue
            growth = b.peak_rss_mb - a.peak_rss_mb
            lines.append(f"{name}: {growth:+.1f} MB  " + verdict(growth <= RSS_GROWTH_TARGET_MB))
        for mode in (m for m in SERVED_MODES if m in modes):
            a, b = ok.get((mode, small)), ok.get((mode, large))
            if a is not None and b is not None and a.server_rss_mb and b.server_rss_mb:
                lines.append(
                    f"{mode} server process RSS({large}) - RSS({small}) "
                    f"(no target): {b.server_rss_mb - a.server_rss_mb:+.1f} MB"
                )
    return "\n".join(f"  {line}" for line in lines), all_pass


PEER_MODULES = {"dvc": "dvc.repo", "hf-datasets": "datasets", "hf-datasets-save": "datasets"}


def available_peers(python: str) -> tuple[str, ...]:
    """The peers whose package ``python`` can import."""
    found = []
    for peer in PEERS:
        done = subprocess.run(
            [python, "-c", f"import {PEER_MODULES[peer]}"], capture_output=True, timeout=120
        )
        if done.returncode == 0:
            found.append(peer)
        else:
            log(f"{peer}: {PEER_MODULES[peer]} can't be imported by {python}, skipped")
    return tuple(found)


def _copy_to(folder: Path, parent: Path) -> Path:
    """A copy of a sample folder under ``parent`` (the tmpfs scratch)."""
    copy = parent / folder.name
    log(f"copying {folder} to {copy} ...")
    shutil.copytree(folder, copy)
    return copy


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if len(counts) != 2 or min(counts) < 1 or counts[0] == counts[1]:
        raise argparse.ArgumentTypeError(
            f"expected two different positive counts, like 1000,10000; got {text!r}"
        )
    return sorted(counts)


def _modes(text: str) -> list[str]:
    modes = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise argparse.ArgumentTypeError(
            f"modes are a comma-separated subset of {','.join(MODES)}; got {text!r}"
        )
    return list(dict.fromkeys(modes))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark upload_data (embedded, served, served on PostgreSQL + S3) "
        "against a raw "
        "read+sha256+copy baseline: files/s and peak RSS.",
        epilog="Example: %(prog)s --files 1000 --cache /tmp/pixlake-bench-cache",
    )
    parser.add_argument(
        "--files",
        type=_positive,
        default=1000,
        help="pictures for the rate measurements (default: 1000)",
    )
    parser.add_argument(
        "--rss-files",
        type=_counts,
        default=[1000, 10000],
        metavar="A,B",
        help="the pair of upload sizes whose peak RSS is compared (default: 1000,10000)",
    )
    parser.add_argument(
        "--skip-rss", action="store_true", help="measure only --files, not the RSS pair"
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
        default=None,
        metavar="DIR",
        help="folder keeping the generated pictures between runs "
        "(default: a temporary folder removed at the end)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive,
        default=3,
        help="runs of each mode on --files pictures, interleaved; the table "
        "shows the median time (default: 3; RSS-only sizes run once)",
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the raw copies and the workspaces are written, in a "
        "temporary folder removed at the end (default: the system's "
        "temporary folder)",
    )
    parser.add_argument(
        "--max-workers",
        type=_positive,
        default=None,
        help="max_workers passed to upload_data (default: the SDK's)",
    )
    parser.add_argument(
        "--tmpfs",
        action="store_true",
        help=f"put the pictures, the raw copies and the workspaces in {TMPFS} (memory), "
        "where the raw rate does not swing with the kernel's write-back",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also run dvc add and Hugging Face datasets imagefolder loading (and "
        "save_to_disk) on the --files pictures, those that --peers-python has",
    )
    parser.add_argument(
        "--peers-python",
        default=sys.executable,
        metavar="PYTHON",
        help="the interpreter that has dvc and datasets installed (default: this one)",
    )
    # Internal: one measured run in a fresh process.
    parser.add_argument(
        "--child", choices=["raw", "raw-s3", *MODES, *PEERS], help=argparse.SUPPRESS
    )
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args)

    started = time.perf_counter()
    # SIGTERM unwinds like Ctrl-C, so servers, the S3 server and databases are still cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    rss_pair = None if args.skip_rss else tuple(args.rss_files)
    counts = sorted({args.files, *(rss_pair or ())})
    if args.tmpfs:
        if args.scratch is not None:
            sys.exit("--tmpfs and --scratch both say where to write: give one of them")
        if not TMPFS.is_dir():
            sys.exit(f"--tmpfs needs {TMPFS}, which this machine lacks")
        args.scratch = TMPFS
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
    peers = available_peers(args.peers_python) if args.peers else ()
    with contextlib.ExitStack() as stack:
        scratch_name = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="pixlake-bench-", dir=args.scratch)
        )
        scratch = Path(scratch_name)
        cache = args.cache.expanduser().resolve() if args.cache else scratch / "cache"
        folders = {count: sample_folder(cache, count, log=log) for count in counts}
        if args.tmpfs and not cache.is_relative_to(scratch):
            folders = {
                count: _copy_to(folder, scratch / "sources") for count, folder in folders.items()
            }
        bucket = None
        if "pg-s3" in args.modes:
            log("starting the S3 server ...")
            endpoint = stack.enter_context(s3_server())
            bucket = create_bucket()
            log(f"  bucket {bucket} on {endpoint}")
        rows = []
        for count in counts:
            repeat = args.repeat if count == args.files else 1
            rows += run_count(
                count,
                folders[count],
                args.modes,
                scratch,
                args.max_workers,
                repeat,
                bucket,
                measure_s3_at=args.files,
                peers=peers,
                peers_python=args.peers_python,
            )

    workers = args.max_workers or "SDK default"
    print()
    print(
        f"Ingest benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"upload_data max_workers={workers}, scratch in {Path(scratch_name).parent}"
    )
    if "pg-s3" in args.modes:
        print(
            "pg-s3: `pixlake serve` on a fresh PostgreSQL database "
            f"({POSTGRES_SERVER.split('@')[-1]}) and a bucket on rclone serve s3 (loopback)"
        )
    if args.tmpfs:
        print(f"--tmpfs: pictures, raw copies and workspaces in {TMPFS} (memory)")
    if args.peers:
        missing = [p for p in PEERS if p not in peers]
        print(
            f"peers run with {args.peers_python}"
            + (f"; not installed there, so skipped: {', '.join(missing)}" if missing else "")
        )
    print(format_table(rows))
    print("seconds: median of the runs; files/s and vs raw follow from it; peaks: the highest run.")
    print(
        "peak RSS: VmHWM of the uploading process (the child running upload_data);\n"
        "server RSS: peak of the `pixlake serve` process (PostgreSQL and the S3 server not "
        "counted);\n"
        "ru_maxrss: the uploading process's getrusage value, floored by the parent's peak\n"
        "(kept across fork+exec); MB = 2^20 bytes;\n"
        "client CPU: the uploading process's CPU time (all threads) during upload_data, per "
        "file;\nserver CPU: the `pixlake serve` process's over the child's whole run, per file "
        "(medians of the runs);\nfirst upload: the child's upload of one file before the "
        "measured one (what a process's first upload builds, not in seconds)"
    )
    print()
    print("Targets:")
    targets, _ = format_targets(
        rows, args.files, rss_pair, args.modes, tmpfs=args.tmpfs, peers=peers
    )
    print(targets)
    print()
    print(f"Total run time: {time.perf_counter() - started:.0f} s")
    failed = any(r.error is not None for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
