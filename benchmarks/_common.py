"""Helpers shared by the benchmark scripts: sample folders, a served workspace, a PostgreSQL +
S3 deployment (rclone serve s3), RSS probes."""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PIXLAKE_CLI",
    "POSTGRES_SERVER",
    "SAMPLE_GLOB",
    "PgS3Deployment",
    "RssSampler",
    "ServedWorkspace",
    "child_env",
    "create_bucket",
    "empty_bucket",
    "free_port",
    "peak_rss_mib",
    "pg_s3_deployment",
    "render_table",
    "ru_maxrss_mib",
    "s3_server",
    "sample_folder",
    "serve_deployment",
    "serve_workspace",
    "warm_page_cache",
]

PIXLAKE_CLI = Path(sys.executable).parent / "pixlake"
"""The ``pixlake`` console script of the interpreter running the benchmark."""

SAMPLE_GLOB = "sample_*.jpg"

REPO_ROOT = Path(__file__).resolve().parent.parent

POSTGRES_SERVER = os.environ.get(
    "PIXLAKE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
"""The PostgreSQL server the pg-s3 configuration creates its databases on (trust auth)."""


BYTECODE_CACHE = Path(tempfile.gettempdir()) / "pixlake-bench-pycache"
"""Where children keep their compiled modules (``child_env``)."""


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no stray PIXLAKE_* settings, no progress bars,
    and Python's bytecode cache on (in ``BYTECODE_CACHE`` unless the environment names
    one): an installed package has its modules compiled once, by pip, while a source
    checkout run with PYTHONDONTWRITEBYTECODE would compile every module it imports in
    every child, timing the compiler wherever a child imports one first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PIXLAKE_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.setdefault("PYTHONPYCACHEPREFIX", str(BYTECODE_CACHE))
    env["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"
    env.update(extra)
    return env


def sample_folder(cache: Path, count: int, *, log=print) -> Path:
    """``cache/jpeg-<count>`` holding ``count`` JPEGs of mixed sizes, made if missing.

    A folder already holding exactly ``count`` samples is reused as is; anything else there
    is replaced. Pictures are written to a temporary sibling and renamed into place, so an
    interrupted run never leaves a folder that looks complete.
    """
    folder = cache / f"jpeg-{count}"
    if folder.is_dir() and sum(1 for _ in folder.glob(SAMPLE_GLOB)) == count:
        log(f"reusing {count} cached pictures in {folder}")
        return folder
    from pixlake.samples import make_images

    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".jpeg-{count}-", dir=cache))
    log(f"generating {count} pictures in {folder} ...")
    started = time.perf_counter()
    try:
        make_images(staging, count)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"  done in {time.perf_counter() - started:.1f} s")
    return folder


def warm_page_cache(folder: Path) -> int:
    """Read every sample once so no measured run pays for cold reads; returns bytes read."""
    total = 0
    for path in sorted(folder.glob(SAMPLE_GLOB)):
        total += len(path.read_bytes())
    return total


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ru_maxrss_mib() -> float:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` of this process, in MiB.

    Beware: Linux keeps ru_maxrss across fork and exec, so a child started by a bigger
    process reports at least its parent's peak (see ``peak_rss_mib``).
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _vm_hwm_bytes(pid: int | str) -> int | None:
    """The kernel's RSS high-water mark (VmHWM) of a process image, when /proc has it."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def peak_rss_mib() -> float:
    """Peak resident set size of this process image so far, in MiB.

    VmHWM where /proc has it: unlike ru_maxrss, it starts afresh at exec, so it is not
    floored by the peak of the process that spawned this one. ru_maxrss elsewhere.
    """
    hwm = _vm_hwm_bytes("self")
    return hwm / (1024 * 1024) if hwm is not None else ru_maxrss_mib()


@dataclass
class RssSampler:
    """Samples another process's RSS every ``interval`` seconds in a daemon thread."""

    pid: int
    interval: float = 0.05
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        import psutil

        process = psutil.Process(self.pid)

        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.peak_bytes = max(self.peak_bytes, process.memory_info().rss)
                except psutil.Error:
                    return
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=run, name=f"rss-{self.pid}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def peak_mib(self) -> float:
        """The sampled peak, or the kernel's exact high-water mark (VmHWM) when larger."""
        return max(self.peak_bytes, _vm_hwm_bytes(self.pid) or 0) / (1024 * 1024)


@dataclass
class ServedWorkspace:
    url: str
    token: str
    process: subprocess.Popen
    rss: RssSampler | None
    log_path: Path


def _create_user(workspace: Path, name: str) -> str:
    done = subprocess.run(
        [str(PIXLAKE_CLI), "users", "create", name, "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`pixlake users create` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError("`pixlake users create` printed no token")
    return lines[-1].strip()


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode} before it was "
                f"healthy:\n{log_path.read_text(errors='replace')}"
            )
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(
        f"the server at {url} was not healthy after {timeout:.0f} s:\n"
        f"{log_path.read_text(errors='replace')}"
    )


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly on SIGINT / SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def _serve(
    arguments: list[str],
    env: dict[str, str],
    token: str,
    log_path: Path,
    *,
    sample_rss: bool,
    startup_timeout: float,
) -> Iterator[ServedWorkspace]:
    """``pixlake serve <arguments>`` on a free loopback port until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(PIXLAKE_CLI), "serve", *arguments, "--port", str(port), "--log-level", "warning"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    sampler = None
    try:
        if sample_rss:
            with contextlib.suppress(ImportError):
                sampler = RssSampler(process.pid).start()
        _wait_healthy(url, process, log_path, startup_timeout)
        yield ServedWorkspace(url, token, process, sampler, log_path)
    finally:
        if sampler is not None:
            sampler.stop()
        _terminate(process)


@contextlib.contextmanager
def serve_workspace(
    workspace: Path, *, user: str = "bench", sample_rss: bool = True, startup_timeout: float = 60.0
) -> Iterator[ServedWorkspace]:
    """A real ``pixlake serve`` subprocess on a free loopback port, with a user's token.

    The server is always stopped on exit, and its log is kept next to the workspace.
    """
    token = _create_user(workspace, user)
    log_path = workspace.with_name(workspace.name + "-server.log")
    with _serve(
        ["--workspace", str(workspace)],
        child_env(),
        token,
        log_path,
        sample_rss=sample_rss,
        startup_timeout=startup_timeout,
    ) as served:
        yield served


# PostgreSQL + S3: the services the test suite runs against (tests/services.py).


def _services():
    """``tests.services`` (the repository root is put on sys.path when missing)."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.append(str(REPO_ROOT))
    from tests import services

    return services


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """``rclone serve s3`` (tests/services.py) on a free loopback port while the block
    runs; yields its endpoint. The AWS_* variables (endpoint, credentials, region) point boto3 at it
    meanwhile, in this process and in every child started with ``child_env``."""
    with _services().run_s3_server() as endpoint:
        yield endpoint


def create_bucket(prefix: str = "pixlake-bench") -> str:
    """A new, empty bucket on the S3 server the AWS_* variables name."""
    import boto3

    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def empty_bucket(bucket: str, prefix: str = "") -> int:
    """Delete every object under ``prefix`` in ``bucket``; returns how many."""
    import boto3

    s3 = boto3.client("s3")
    deleted = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
    return deleted


@dataclass
class PgS3Deployment:
    """A fresh PostgreSQL database (upgraded) and a bucket prefix, with one user."""

    database_url: str
    bucket: str
    prefix: str
    env: dict[str, str]
    token: str
    workspace: Path
    """The server's own folder: staging of incoming files only."""


def _cli(env: dict[str, str], *arguments: str) -> str:
    done = _services().run_pixlake(env, *arguments)
    if done.returncode != 0:
        raise RuntimeError(
            f"`pixlake {' '.join(arguments)}` failed ({done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return done.stdout


@contextlib.contextmanager
def pg_s3_deployment(
    workspace: Path, bucket: str, *, user: str = "bench", server_url: str = POSTGRES_SERVER
) -> Iterator[PgS3Deployment]:
    """A new database on ``server_url`` (``pixlake db upgrade``d, dropped at the end) and a
    new prefix of ``bucket`` (emptied at the end), with ``user``'s token; no server yet.

    As in a real deployment: ``PIXLAKE_DATABASE_URL``, ``PIXLAKE_STORAGE_URL=s3://...`` and
    ``PIXLAKE_SECRET_KEY`` in the environment; the workspace folder only stages uploads.
    """
    services = _services()
    workspace.mkdir(parents=True, exist_ok=True)
    with services.make_postgres_database(server_url) as database_url:
        prefix = f"run-{uuid.uuid4().hex[:8]}"
        env = services.pixlake_environment(
            database_url=database_url,
            storage_url=f"s3://{bucket}/{prefix}",
            secret_key=secrets.token_hex(32),
            workspace=str(workspace),
        )
        try:
            _cli(env, "db", "upgrade")
            lines = _cli(env, "users", "create", user).strip().splitlines()
            if not lines:
                raise RuntimeError("`pixlake users create` printed no token")
            yield PgS3Deployment(database_url, bucket, prefix, env, lines[-1].strip(), workspace)
        finally:
            with contextlib.suppress(Exception):
                empty_bucket(bucket, prefix + "/")


@contextlib.contextmanager
def serve_deployment(
    deploy: PgS3Deployment,
    log_path: Path,
    *,
    sample_rss: bool = True,
    startup_timeout: float = 60.0,
) -> Iterator[ServedWorkspace]:
    """A real ``pixlake serve`` subprocess of ``deploy`` on a free loopback port."""
    with _serve(
        [],
        deploy.env,
        deploy.token,
        log_path,
        sample_rss=sample_rss,
        startup_timeout=startup_timeout,
    ) as served:
        yield served


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned, a rule
    under the header. Rows shorter than the header are padded with empty cells."""
    lines = [list(header)] + [list(row) + [""] * (len(header) - len(row)) for row in rows]
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
