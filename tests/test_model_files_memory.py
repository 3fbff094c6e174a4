"""A 2 GiB model file stored and downloaded keeps the memory of every process flat.

The file is sparse (2 GiB of zeros but for a random head and tail, so that its checksum is
new): nothing holds it in memory but a transfer that would. The store and the download run
in a fresh child process (``python -c``), which reports its RSS high-water mark (VmHWM)
before and after; with a server, ``pixlake serve`` is a process of its own too, and its
high-water mark is read from /proc while it runs.

Each deployment moves 4 GiB through a hash and a disk (and, for the S3 one, a loopback
bucket server): about half a minute to a minute apiece on a shared machine. The test is
marked ``large_files``; ``-m "not large_files"`` leaves it out.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.services import (
    POSTGRES_SERVER,
    ServeProcess,
    make_postgres_database,
    pixlake_environment,
    run_pixlake,
)

pytestmark = [
    pytest.mark.large_files,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc"),
]

GiB = 1024**3
MiB = 1024**2
SIZE = 2 * GiB
FLAT = 64 * MiB
"""The most a process may grow while it moves 2 GiB: buffers of a few chunks in flight."""

CHILD = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from pixlake import Client, disable_progress_bars

    def hwm():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

    disable_progress_bars()
    where = json.loads(sys.argv[1])
    client = Client(**where["client"])
    version = client.create_model("big").create_version()
    version.store("warm-up", where["small"])  # every code path imported before measuring
    client.get_model("big").get_version(1).get_file("warm-up").download(where["out"])
    before = hwm()
    stored = version.store("weights", where["file"])
    after_store = hwm()
    stored.download(where["out"])
    print(json.dumps({"before": before, "store": after_store, "download": hwm(),
                      "checksum": stored.checksum, "size": stored.size}))
    client.close()
    """
)


def server_hwm(process: subprocess.Popen[bytes]) -> int:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def sparse_file(path: Path) -> Path:
    """2 GiB whose only written bytes are a random head and tail (a new checksum)."""
    with open(path, "wb") as out:
        out.write(os.urandom(4096))
        out.truncate(SIZE)
        out.seek(SIZE - 4096)
        out.write(os.urandom(4096))
    return path


def run_child(where: dict, tmp_path: Path) -> dict:
    small = tmp_path / "warm-up.bin"
    small.write_bytes(os.urandom(1024))
    where = {**where, "file": str(tmp_path / "weights.bin"), "small": str(small)}
    where["out"] = str(tmp_path / "out")
    env = pixlake_environment()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(where)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def check(report: dict, tmp_path: Path) -> None:
    grown = {way: (report[way] - report["before"]) / MiB for way in ("store", "download")}
    print(f"client VmHWM {report['before'] / MiB:.0f} MiB before, grown by {grown}")
    assert report["size"] == SIZE
    downloaded = tmp_path / "out" / "weights.bin"
    assert downloaded.stat().st_size == SIZE  # verified against the checksum by download
    assert report["store"] - report["before"] < FLAT, report
    assert report["download"] - report["before"] < FLAT, report


def serve_and_check(env: dict[str, str], tmp_path: Path) -> None:
    created = run_pixlake(env, "users", "create", "big", "--org", "big")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    server = ServeProcess(env).start()
    try:
        assert server.process is not None
        started = server_hwm(server.process)
        report = run_child({"client": {"host": server.url, "api_token": token}}, tmp_path)
        grown = server_hwm(server.process) - started
    finally:
        server.stop()
    print(f"server VmHWM {started / MiB:.0f} MiB before, grown by {grown / MiB:.1f} MiB")
    check(report, tmp_path)
    assert grown < FLAT, f"the server grew by {grown / MiB:.0f} MiB"


def test_2_gib_embedded(tmp_path: Path) -> None:
    sparse_file(tmp_path / "weights.bin")
    report = run_child({"client": {"workspace": str(tmp_path / "ws")}}, tmp_path)
    check(report, tmp_path)


def test_2_gib_through_a_server(tmp_path: Path) -> None:
    sparse_file(tmp_path / "weights.bin")
    serve_and_check(pixlake_environment(workspace=str(tmp_path / "ws")), tmp_path)


def test_2_gib_through_a_server_on_postgresql_and_s3(tmp_path: Path, s3_bucket: str) -> None:
    """The bytes go straight between the client and the bucket (presigned parts)."""
    sparse_file(tmp_path / "weights.bin")
    with make_postgres_database(POSTGRES_SERVER) as database_url:
        env = pixlake_environment(
            workspace=str(tmp_path / "ws"),
            database_url=database_url,
            storage_url=f"s3://{s3_bucket}/big-{secrets.token_hex(4)}",
            secret_key=secrets.token_hex(32),
        )
        upgraded = run_pixlake(env, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        serve_and_check(env, tmp_path)
