"""The real external services some tests run against: PostgreSQL and an S3 server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

POSTGRES_SERVER = os.environ.get("PIXLAKE_TEST_POSTGRES",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432")
"""The PostgreSQL server tests create their databases on (trust authentication)."""

__all__ = [
    "POSTGRES_SERVER",
    "ServeProcess",
    "make_postgres_database",
    "pixlake_environment",
    "run_pixlake",
    "run_s3_server",
    "run_signature_checking_s3_server",
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
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_FOLDER_MIN_FREE = 2 * 1024**3  # the benchmarks fill a few hundred MB at most


def _bucket_folder_parent() -> str | None:
    """Where the S3 server keeps its objects: in memory where Linux offers a tmpfs.

    In a deployment the object store runs on other machines, and its disk writes are not
    paid for by the API server's cores and disk. Keeping the test store in memory comes
    closer to that than sharing this machine's disk with the code under test.
    """
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK):
        stats = os.statvfs(MEMORY_FOLDER)
        if stats.f_bavail * stats.f_frsize >= MEMORY_FOLDER_MIN_FREE:
            return str(MEMORY_FOLDER)
    return None


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
    it refuses unknown access keys and expired presigned URLs, as a real store does (it does
    not check SigV4 signatures: run_signature_checking_s3_server does). Without
    Node.js, moto's server stands in. The AWS_* variables (endpoint, credentials, region)
    are set while it runs, so boto3, in the SDK and in servers alike, finds it the standard
    way.
    """
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    if S3RVER.exists() and shutil.which("node"):
        with tempfile.TemporaryDirectory(prefix="pixlake-s3-",
                                         dir=_bucket_folder_parent()) as folder:
            process = subprocess.Popen(
                # s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3
                # only offers through its legacy provider.
                ["node", "--openssl-legacy-provider", str(S3RVER), "--directory", folder,
                 "--address", "127.0.0.1", "--port", str(port), "--silent"],
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


@dataclass(frozen=True)
class SigningS3Server:
    endpoint: str
    access_key: str
    secret_key: str


@contextmanager
def run_signature_checking_s3_server() -> Iterator[SigningS3Server]:
    """moto's S3 server with request authentication on, on a loopback port.

    s3rver does not check SigV4 signatures; this one does, for the access key it yields
    (allowed every S3 action). Nothing of the environment is changed.
    """
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    # moto leaves this many requests unauthenticated: the three that make the user.
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        import boto3

        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam.create_user(UserName="pixlake")
        iam.put_user_policy(UserName="pixlake", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="pixlake")["AccessKey"]
        yield SigningS3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        process.terminate()
        process.wait(timeout=10)


PIXLAKE = str(Path(sys.executable).parent / "pixlake")


def pixlake_environment(**settings: str) -> dict[str, str]:
    """This process's environment without PIXLAKE_* settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXLAKE_")}
    env["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"
    env.update({f"PIXLAKE_{name.upper()}": value for name, value in settings.items()})
    return env


def run_pixlake(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PIXLAKE, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


class ServeProcess:
    """A real ``pixlake serve`` process on a free loopback port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env = env
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        import httpx

        self.process = subprocess.Popen(
            [PIXLAKE, "serve", "--port", str(self.port), "--log-level", "warning"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("pixlake serve exited: "
                                   + self.process.stderr.read().decode()[-2000:])
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
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
