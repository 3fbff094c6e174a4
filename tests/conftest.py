"""Shared fixtures: sample media, and the SDK client in three configurations.

``client`` is parametrized: every test that takes it runs against
- ``embedded``: an embedded workspace (SQLite and a local folder), in process;
- ``server``: a real uvicorn server on a loopback port, with SQLite and a local folder;
- ``server-pg-s3``: a real uvicorn server on PostgreSQL (a fresh database on the local
  server, dropped afterwards) and an S3-compatible bucket (``rclone serve s3``,
  started here on a loopback port).
Servers are shared by the whole run; each test gets its own organization and user, which
the platform keeps apart exactly as it keeps customers apart.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from pixlake import Client, disable_progress_bars
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.samples import make_image, make_images, make_video
from pixlake.server.app import create_app
from pixlake.server.serving import uvicorn_config
from pixlake.settings import Settings
from tests.services import POSTGRES_SERVER, make_postgres_database, run_s3_server

disable_progress_bars()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    workspace: Workspace

    def new_user(self, organization: str | None = None) -> tuple[str, str]:
        """A fresh user in a fresh (or the given) organization: (username, token)."""
        username = f"user-{uuid.uuid4().hex[:10]}"
        org = organization or f"org-{uuid.uuid4().hex[:10]}"
        _user, token = create_user(self.workspace.context, username, org)
        assert token is not None
        return username, token


def _serve(settings: Settings, protocol: type | None = None) -> Iterator[LiveServer]:
    """A real uvicorn server in a background thread, for the platform ``settings`` name,
    configured as ``pixlake serve`` configures it (``protocol`` replaces the HTTP protocol
    it picks, to run a test on both parsers)."""
    opened = open_workspace(settings)
    port = free_port()
    config = uvicorn_config(
        create_app(opened.context), settings, host="127.0.0.1", port=port, log_level="warning"
    )
    if protocol is not None:
        config.http = protocol
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    yield LiveServer(url=f"http://127.0.0.1:{port}", workspace=opened)
    server.should_exit = True
    thread.join(timeout=10)
    opened.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on SQLite and a local folder (a session-wide workspace)."""
    yield from _serve(Settings(workspace=tmp_path_factory.mktemp("server-workspace")))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped at the end of the run."""
    with make_postgres_database(POSTGRES_SERVER) as database_url:
        yield database_url


@pytest.fixture(scope="session")
def s3_bucket() -> Iterator[str]:
    """An empty bucket on a standalone S3-compatible server (``rclone serve s3``) on a
    loopback port; the AWS_* variables point boto3 at it for the whole run."""
    with run_s3_server() as endpoint:
        bucket = f"pixlake-test-{uuid.uuid4().hex[:8]}"
        import boto3

        # A new session: the default one keeps the credentials it first found.
        boto3.session.Session().client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        yield bucket


@pytest.fixture(scope="session")
def live_server_pg_s3(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, s3_bucket: str
) -> Iterator[LiveServer]:
    """A server on PostgreSQL and an S3 bucket."""
    yield from _serve(
        Settings(
            workspace=tmp_path_factory.mktemp("pg-s3-server"),
            database_url=postgres_url,
            storage_url=f"s3://{s3_bucket}/objects",
        )
    )


SERVER_FIXTURES = {"server": "live_server", "server-pg-s3": "live_server_pg_s3"}


@pytest.fixture(params=["embedded", "server", "server-pg-s3"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def server(mode: str, request: pytest.FixtureRequest) -> LiveServer:
    """The live server of the current server mode."""
    if mode not in SERVER_FIXTURES:
        pytest.skip("needs a server mode")
    return request.getfixturevalue(SERVER_FIXTURES[mode])


@pytest.fixture
def platform(mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[AppContext]:
    """The services' context of the platform ``client`` talks to (to create users...)."""
    if mode == "embedded":
        opened = open_workspace(Settings(workspace=tmp_path / "workspace"))
        yield opened.context
        opened.close()
    else:
        yield request.getfixturevalue(SERVER_FIXTURES[mode]).workspace.context


@pytest.fixture
def client(mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Client]:
    if mode == "embedded":
        made = Client(workspace=tmp_path / "workspace")
    else:
        server: LiveServer = request.getfixturevalue(SERVER_FIXTURES[mode])
        _name, token = server.new_user()
        made = Client(api_token=token, host=server.url)
    yield made
    made.close()


@pytest.fixture
def other_client(mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Client]:
    """A client of another organization on the same platform as ``client``."""
    if mode == "embedded":
        workspace = tmp_path / "workspace"
        opened = open_workspace(Settings(workspace=workspace))
        _user, token = create_user(opened.context, f"other-{uuid.uuid4().hex[:8]}", "other-org")
        opened.close()
        made = Client(workspace=workspace, api_token=token)
    else:
        server: LiveServer = request.getfixturevalue(SERVER_FIXTURES[mode])
        _name, token = server.new_user()
        made = Client(api_token=token, host=server.url)
    yield made
    made.close()


@pytest.fixture(scope="session")
def sample_images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Eight JPEGs of mixed sizes; treat as read-only."""
    return make_images(tmp_path_factory.mktemp("images"), 8)


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    """Five fresh JPEGs with distinct bytes, in a folder of the test's own."""
    return make_images(tmp_path / "images", 5, seed=uuid.uuid4().int % 10_000)


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {
        ext: make_video(folder / f"clip{ext}", 64, 48, frames=25)
        for ext in (".mp4", ".mov", ".mkv", ".avi", ".webm")
    }


@pytest.fixture
def unique_image(tmp_path: Path):
    """A factory of images whose bytes no other test shares."""
    counter = iter(range(1_000_000))

    def make(name: str = "picture.jpg", width: int = 64, height: int = 48, **kwargs) -> Path:
        return make_image(
            tmp_path / "unique" / f"{next(counter)}" / name,
            width,
            height,
            seed=uuid.uuid4().int % 1_000_000,
            **kwargs,
        )

    return make


def stored_objects(workspace: Path) -> list[Path]:
    """Every object file of a workspace's local store."""
    root = workspace / "objects"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Tests leave nothing in the repository: the controller (or the only process, without
# xdist) notes what git sees before the run and fails the run if anything was added.

REPOSITORY = Path(__file__).resolve().parent.parent
_ENTRIES_BEFORE = pytest.StashKey[set[str] | None]()


def repository_entries() -> set[str] | None:
    """Changed tracked files and untracked entries (empty folders included, which
    ``git status`` does not show); None outside a git checkout."""
    commands = (
        ["git", "status", "--porcelain", "--untracked-files=no"],
        ["git", "ls-files", "--others", "--exclude-standard", "--directory"],
    )
    entries: set[str] = set()
    for command in commands:
        try:
            done = subprocess.run(
                command, cwd=REPOSITORY, capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        entries.update(line for line in done.stdout.splitlines() if line)
    return entries


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[_ENTRIES_BEFORE] = repository_entries()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):
        return
    before = session.config.stash.get(_ENTRIES_BEFORE, None)
    after = repository_entries()
    if before is None or after is None:
        return
    left = sorted(after - before)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep(
                "=", "tests left these in the repository: " + ", ".join(left), red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
