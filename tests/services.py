"""The real external services some tests run against: PostgreSQL and an S3 server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

__all__ = ["make_postgres_database", "run_s3_server"]


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
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


S3RVER = Path(__file__).parent / "s3server" / "node_modules" / "s3rver" / "bin" / "s3rver.js"
S3RVER_KEY = "S3RVER"  # s3rver's one access key; any other is refused


def _wait_for_port(port: int, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the S3 server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the S3 server did not listen on port {port}")


@contextmanager
def _aws_environment(endpoint: str, key: str, secret: str) -> Iterator[None]:
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
             "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID=key,
                      AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1")
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
    """Run a standalone S3-compatible server on a loopback port; yield its endpoint.

    s3rver (installed by scripts/setup.sh from the npm registry) is preferred: unlike moto,
    it refuses unknown access keys and expired presigned URLs, as a real store does. Without
    Node.js, moto's server stands in. The AWS_* variables (endpoint, credentials, region)
    are set while it runs, so boto3, in the SDK and in servers alike, finds it the standard
    way.
    """
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    if S3RVER.exists() and shutil.which("node"):
        with tempfile.TemporaryDirectory(prefix="pixlake-s3-") as folder:
            process = subprocess.Popen(
                ["node", str(S3RVER), "--directory", folder, "--address", "127.0.0.1",
                 "--port", str(port), "--silent"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_for_port(port, process)
                with _aws_environment(endpoint, S3RVER_KEY, S3RVER_KEY):
                    yield endpoint
            finally:
                process.terminate()
                process.wait(timeout=10)
        return
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        _wait_for_port(port)
        with _aws_environment(endpoint, "testing", "testing"):
            yield endpoint
    finally:
        server.stop()
