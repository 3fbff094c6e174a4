"""Model files benchmark: ``ModelVersion.store`` and ``ModelFile.download`` of one large file.

Compares, on the same file of random bytes (1 GiB by default), in the same run:

* raw copy + sha256: ``shutil.copyfile`` of the file (the kernel's copy) and a SHA-256 of
  it, the baseline of both ways for the local configurations: what the design calls the
  raw baseline (copying and hashing), and what content addressing and a verified download
  can't do without;
* raw copy: the copy alone, for reference (its ratio is shown in brackets);
* raw boto3 (with pg-s3): ``upload_file`` and ``download_file`` of the file to and from the
  same bucket (boto3's transfer manager: multipart, 10 threads), the baseline of pg-s3;
* embedded: ``Client(workspace=<fresh dir>)``, store then download;
* server: the same through a real ``pixlake serve`` subprocess (SQLite, local folder);
* pg-s3: the same through a real ``pixlake serve`` of a PostgreSQL + S3 deployment (a fresh
  database and bucket prefix, ``rclone serve s3`` on a loopback port): bytes go straight
  between the client and the bucket through presigned URLs.

Every measured run happens in a fresh child process (this script re-invoked with
``--child``), so the peak RSS reported (VmHWM) belongs to that store and download alone;
the server's peak RSS is sampled too. Rates are the file's size over the wall time of the
``store`` call and of the ``download`` call.

Targets (issue 12): >= 0.5x the raw rate both ways; peak RSS <= 150 MB.

    .venv/bin/python benchmarks/models.py --size-mib 1024 --cache /tmp/pixlake-bench-cache
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    child_env,
    create_bucket,
    peak_rss_mib,
    pg_s3_deployment,
    render_table,
    s3_server,
    serve_deployment,
    serve_workspace,
)

MiB = 1024 * 1024
TARGET_RATIO = 0.5
TARGET_RSS_MB = 150


def make_file(cache: Path, size_mib: int) -> Path:
    """``cache/weights-<size>MiB.bin`` of random bytes, made (a chunk at a time) if missing."""
    path = cache / f"weights-{size_mib}MiB.bin"
    if path.is_file() and path.stat().st_size == size_mib * MiB:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "wb") as out:
        for _ in range(size_mib):
            out.write(os.urandom(MiB))
    partial.rename(path)
    return path


def warm(path: Path) -> None:
    with open(path, "rb") as stream:
        while stream.read(16 * MiB):
            pass


def timed(action) -> float:
    """Wall time of ``action``, from a clean slate: dirty pages of what came before are
    written out first, so no measure pays for the writeback of another."""
    os.sync()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def raw_copy(source: Path, scratch: Path) -> dict[str, float]:
    """The best of two copies (the baseline is the machine at its fastest)."""
    target = scratch / "raw-copy.bin"
    copies = []
    for _ in range(2):
        copies.append(timed(lambda: shutil.copyfile(source, target)))
        target.unlink()
    copy = min(copies)

    def copy_and_hash() -> None:
        with open(source, "rb") as stream:
            hashlib.file_digest(stream, "sha256")
        shutil.copyfile(source, target)

    hashed = timed(copy_and_hash)
    target.unlink()
    return {"copy": copy, "copy_hash": hashed}


def raw_boto3(source: Path, bucket: str, scratch: Path) -> dict[str, float]:
    import boto3

    s3 = boto3.session.Session().client("s3")
    key = f"raw-{os.getpid()}/{source.name}"
    up = timed(lambda: s3.upload_file(str(source), bucket, key))
    target = scratch / "raw-boto3.bin"
    down = timed(lambda: s3.download_file(bucket, key, str(target)))
    target.unlink()
    s3.delete_object(Bucket=bucket, Key=key)
    return {"up": up, "down": down}


def child(args: argparse.Namespace) -> None:
    """One store and one download in this fresh process; prints a JSON line."""
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    if args.host:
        client = Client(api_token=args.token, host=args.host)
    else:
        client = Client(workspace=Path(args.workspace))
    version = client.create_model(f"bench-{os.getpid()}").create_version()
    baseline = peak_rss_mib()
    source = Path(args.file)
    holder = {}
    up = timed(lambda: holder.setdefault("file", version.store("weights", source)))
    os.sync()  # the store's writeback is not the download's to pay
    out = Path(args.out)
    down = timed(lambda: holder["file"].download(out))
    (out / source.name).unlink()
    client.close()
    print(json.dumps({"up": up, "down": down, "peak": peak_rss_mib(), "baseline": baseline}))


def run_child(file: Path, scratch: Path, **where: str) -> dict[str, float]:
    arguments = [sys.executable, __file__, "--child", "--file", str(file)]
    arguments += ["--out", str(scratch / "download")]
    for name, value in where.items():
        arguments += [f"--{name}", value]
    done = subprocess.run(
        arguments, capture_output=True, text=True, env=child_env(), timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "pixlake-bench")
    parser.add_argument("--skip", action="append", default=[], help="embedded, server, pg-s3")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("file", "out", "host", "token", "workspace"):
        parser.add_argument(f"--{hidden}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    source = make_file(args.cache, args.size_mib)
    warm(source)
    size_mb = args.size_mib * MiB / 1e6
    rows: list[list[str]] = []
    verdicts: list[str] = []

    def report(
        name: str,
        up: float,
        down: float,
        baseline: tuple[float, float],
        rss: str,
        copy: float | None = None,
    ) -> None:
        ratio_up, ratio_down = baseline[0] / up, baseline[1] / down
        aside = (lambda t: f" ({copy / t:.2f}x)") if copy is not None else (lambda t: "")
        rows.append(
            [
                name,
                f"{size_mb / up:.0f}",
                f"{ratio_up:.2f}x{aside(up)}",
                f"{size_mb / down:.0f}",
                f"{ratio_down:.2f}x{aside(down)}",
                rss,
            ]
        )
        if min(ratio_up, ratio_down) < TARGET_RATIO:
            verdicts.append(f"{name}: below {TARGET_RATIO}x of its raw baseline")

    with tempfile.TemporaryDirectory(prefix="pixlake-bench-models-") as folder:
        scratch = Path(folder)
        (scratch / "download").mkdir()
        raw = raw_copy(source, scratch)
        rows.append(["raw copy + sha256", f"{size_mb / raw['copy_hash']:.0f}", "1.00x", "", "", ""])
        rows.append(["raw copy", f"{size_mb / raw['copy']:.0f}", "", "", "", ""])
        local = (raw["copy_hash"], raw["copy_hash"])

        def client_rss(measured: dict[str, float]) -> str:
            peak = measured["peak"]
            if peak > TARGET_RSS_MB * 1e6 / MiB:
                verdicts.append(f"peak RSS {peak:.0f} MiB over {TARGET_RSS_MB} MB")
            return f"{peak:.0f}"

        if "embedded" not in args.skip:
            measured = run_child(source, scratch, workspace=str(scratch / "embedded"))
            rss = client_rss(measured)
            report("embedded", measured["up"], measured["down"], local, rss, raw["copy"])
            shutil.rmtree(scratch / "embedded", ignore_errors=True)

        if "server" not in args.skip:
            workspace = scratch / "served"
            with serve_workspace(workspace) as served:
                measured = run_child(source, scratch, host=served.url, token=served.token)
                server_peak = served.rss.peak_mib() if served.rss else float("nan")
            rss = f"{client_rss(measured)} / {server_peak:.0f}"
            report("server", measured["up"], measured["down"], local, rss, raw["copy"])
            shutil.rmtree(workspace, ignore_errors=True)

        if "pg-s3" not in args.skip:
            with s3_server():
                bucket = create_bucket()
                boto = raw_boto3(source, bucket, scratch)
                rows.append(
                    [
                        "raw boto3",
                        f"{size_mb / boto['up']:.0f}",
                        "1.00x",
                        f"{size_mb / boto['down']:.0f}",
                        "1.00x",
                        "",
                    ]
                )
                with (
                    pg_s3_deployment(scratch / "pg-s3", bucket) as deploy,
                    serve_deployment(deploy, scratch / "pg-s3.log") as served,
                ):
                    measured = run_child(source, scratch, host=served.url, token=served.token)
                    server_peak = served.rss.peak_mib() if served.rss else float("nan")
                rss = f"{client_rss(measured)} / {server_peak:.0f}"
                report("pg-s3", measured["up"], measured["down"], (boto["up"], boto["down"]), rss)

    print(f"\n{args.size_mib} MiB file, store and download (MB/s; ratio to the raw baseline)")
    print(
        render_table(
            ["", "store MB/s", "x raw", "download MB/s", "x raw", "peak RSS MiB (client / server)"],
            rows,
        )
    )
    print("\n" + ("\n".join(verdicts) if verdicts else "every target met"))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
