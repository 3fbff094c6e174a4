"""The ``pixlake`` command line, run in-process with click's CliRunner on a temporary workspace.

Every test starts from an environment without any PIXLAKE_* variable (no PIXLAKE_HOST or
PIXLAKE_API_TOKEN leaking in from the caller's shell), with progress bars off.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pixlake
from pixlake.cli.main import cli
from pixlake.enums import Role
from pixlake.samples import make_images
from pixlake.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PIXLAKE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIXLAKE_DISABLE_PROGRESS_BARS", "1")
    # A command that forgot its --workspace must not touch the real ~/.pixlake.
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "home"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="pixlake")


def create_user(workspace: Path, name: str, org: str = "acme") -> str:
    """Create a user with the CLI and return the token printed on its last line."""
    result = run("users", "create", name, "--org", org, "--workspace", str(workspace))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def assert_one_line_error(result: Result, *needles: str) -> str:
    """The command failed with exit code 1 and a single ``error: ...`` line, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def stored_data_count(workspace: Path) -> int:
    with pixlake.Client(workspace=workspace) as client:
        return len(client.get_datalake().list_data())


def stored_object_files(workspace: Path) -> list[Path]:
    root = workspace / "objects"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --help


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["users"],
        ["users", "create"],
        ["users", "revoke"],
        ["users", "set-role"],
        ["upload"],
        ["ls"],
        ["quickstart"],
    ],
    ids=lambda command: " ".join(command) or "pixlake",
)
def test_help_works_for_every_command(command: list[str]) -> None:
    result = run(*command, "--help")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: {' '.join(['pixlake', *command])} ")


def test_short_help_option_works() -> None:
    result = run("users", "-h")

    assert result.exit_code == 0, result.output
    assert "create" in result.stdout and "revoke" in result.stdout


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")

    for name in ("serve", "users", "upload", "ls", "quickstart"):
        assert name in result.stdout


def test_version_option_prints_the_package_version() -> None:
    result = run("--version")

    assert result.exit_code == 0
    assert pixlake.__version__ in result.stdout


def test_serve_help_lists_every_fixed_bound() -> None:
    from pixlake.limits import fixed_bounds

    result = run("serve", "--help")
    assert result.exit_code == 0
    for name, value in fixed_bounds().items():
        assert f"{name} = {value}" in result.output


def test_serve_help_lists_every_setting_env_var() -> None:
    result = run("serve", "--help")

    assert result.exit_code == 0, result.output
    for name in (
        "PIXLAKE_HOME",
        "PIXLAKE_DATABASE_URL",
        "PIXLAKE_LARGE_FILE_THRESHOLD",
        "PIXLAKE_URL_EXPIRY_SECONDS",
        "PIXLAKE_SECRET_KEY",
        "PIXLAKE_PUBLIC_URL",
    ):
        assert name in result.stdout
    for field in Settings.model_fields:
        assert f"PIXLAKE_{field.upper()}" in result.stdout


# users


def test_users_create_prints_a_working_token_last(workspace: Path) -> None:
    result = run("users", "create", "alice", "--org", "acme", "--workspace", str(workspace))

    assert result.exit_code == 0, result.output
    token = result.stdout.splitlines()[-1]
    assert token.startswith("pxl_")
    assert token == result.output.rstrip("\n").splitlines()[-1]
    assert " " not in token and len(token) > 30
    with pixlake.Client(workspace=workspace, api_token=token) as client:
        assert client.username == "alice"
        assert client.organization_name == "acme"


def test_users_create_without_org_uses_the_default_organization(workspace: Path) -> None:
    token = create_user(workspace, "dora", org="default")

    with pixlake.Client(workspace=workspace, api_token=token) as client:
        assert client.organization_name == "default"


def test_database_keeps_only_the_token_hash(workspace: Path) -> None:
    token = create_user(workspace, "alice")

    with sqlite3.connect(workspace / "pixlake.db") as db:
        rows = db.execute("SELECT * FROM users").fetchall()
    values = [str(value) for row in rows for value in row if value is not None]
    assert not any(token in value for value in values)
    assert not any(token.removeprefix("pxl_") in value for value in values)
    assert hashlib.sha256(token.encode()).hexdigest() in values


def test_tokens_differ_between_users(workspace: Path) -> None:
    assert create_user(workspace, "alice") != create_user(workspace, "bob")


def test_creating_the_same_user_twice_fails_cleanly(workspace: Path) -> None:
    first = create_user(workspace, "alice")

    result = run("users", "create", "alice", "--org", "acme", "--workspace", str(workspace))

    assert_one_line_error(result, "alice")
    assert "pxl_" not in result.output
    with pixlake.Client(workspace=workspace, api_token=first) as client:
        assert client.username == "alice"


def test_revoke_makes_the_token_refused(workspace: Path) -> None:
    token = create_user(workspace, "alice")
    kept = create_user(workspace, "bob")

    result = run("users", "revoke", "alice", "--workspace", str(workspace))

    assert result.exit_code == 0, result.output
    assert "alice" in result.stdout
    with pytest.raises(pixlake.UnauthorizedError):
        pixlake.Client(workspace=workspace, api_token=token)
    with pixlake.Client(workspace=workspace, api_token=kept) as client:
        assert client.username == "bob"


def test_users_create_takes_a_role(workspace: Path) -> None:
    first = run("users", "create", "alice", "--org", "acme", "--workspace", str(workspace))
    second = run("users", "create", "bob", "--org", "acme", "--workspace", str(workspace))
    chosen = run(
        "users",
        "create",
        "carol",
        "--org",
        "acme",
        "--role",
        "admin",
        "--workspace",
        str(workspace),
    )

    assert "created user alice (admin)" in first.stdout  # the organization's first user
    assert "created user bob (member)" in second.stdout
    assert "created user carol (admin)" in chosen.stdout
    with pixlake.Client(workspace=workspace, api_token=second.stdout.splitlines()[-1]) as bob:
        assert bob.role is Role.MEMBER
    refused = run(
        "users",
        "create",
        "dan",
        "--org",
        "new-org",
        "--role",
        "member",
        "--workspace",
        str(workspace),
    )
    assert_one_line_error(refused, "must be an admin")
    unknown = run("users", "create", "eve", "--role", "owner", "--workspace", str(workspace))
    assert unknown.exit_code == 2 and "owner" in unknown.output


def test_users_set_role_changes_a_role_but_keeps_an_admin(workspace: Path) -> None:
    create_user(workspace, "alice")
    bob = create_user(workspace, "bob")

    promoted = run("users", "set-role", "bob", "admin", "--workspace", str(workspace))
    assert promoted.exit_code == 0 and "the role of bob is now admin" in promoted.stdout
    with pixlake.Client(workspace=workspace, api_token=bob) as client:
        assert client.role is Role.ADMIN
    assert run("users", "set-role", "alice", "member", "--workspace", str(workspace)).exit_code == 0
    last = run("users", "set-role", "bob", "member", "--workspace", str(workspace))
    assert_one_line_error(last, "last admin")
    with pixlake.Client(workspace=workspace, api_token=bob) as client:
        assert client.role is Role.ADMIN


def test_revoking_an_unknown_user_fails_cleanly(workspace: Path) -> None:
    create_user(workspace, "alice")

    result = run("users", "revoke", "nobody", "--workspace", str(workspace))

    assert_one_line_error(result, "nobody")


# upload and ls


@pytest.fixture
def uploaded(workspace: Path, tmp_path: Path) -> list[Path]:
    """Four images uploaded with the CLI into the default datalake, tagged 'cats'."""
    images = make_images(tmp_path / "images", 4)
    result = run("upload", str(tmp_path / "images"), "--tag", "cats", "--workspace", str(workspace))
    assert result.exit_code == 0, result.output
    assert "4 data" in result.stdout
    return images


def ls_filenames(result: Result) -> list[str]:
    """The filenames of a data listing, under its header row."""
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split()[-1] == "FILENAME"
    return [line.split()[-1] for line in rows]


def test_ls_without_datalake_lists_datalakes(workspace: Path, uploaded: list[Path]) -> None:
    result = run("ls", "--workspace", str(workspace))

    assert result.exit_code == 0, result.output
    with pixlake.Client(workspace=workspace) as client:
        lake = client.get_datalake()
    header, row = result.stdout.splitlines()
    assert header.split() == ["NAME", "CREATED", "ID"]
    assert row.split()[0] == "default" and row.split()[-1] == str(lake.id)


def test_ls_datalake_lists_every_uploaded_file(workspace: Path, uploaded: list[Path]) -> None:
    result = run("ls", "default", "--workspace", str(workspace))

    assert ls_filenames(result) == [p.name for p in uploaded]
    assert result.stderr.strip() == "4 data"
    first = result.stdout.splitlines()[1].split()
    assert first[1] == "IMAGE"
    assert first[3] == str(uploaded[0].stat().st_size)


def test_ls_by_tag(workspace: Path, uploaded: list[Path], tmp_path: Path) -> None:
    others = make_images(tmp_path / "others", 2, seed=99)
    assert (
        run("upload", *map(str, others), "--tag", "dogs", "--workspace", str(workspace)).exit_code
        == 0
    )

    cats = run("ls", "default", "--tag", "cats", "--workspace", str(workspace))
    dogs = run("ls", "default", "--tag", "dogs", "--workspace", str(workspace))
    both = run("ls", "default", "--tag", "cats", "--tag", "dogs", "--workspace", str(workspace))

    assert ls_filenames(cats) == [p.name for p in uploaded]
    assert ls_filenames(dogs) == [p.name for p in others]
    assert len(ls_filenames(both)) == 6


def test_ls_by_filename(workspace: Path, uploaded: list[Path]) -> None:
    result = run("ls", "default", "--filename", uploaded[2].name, "--workspace", str(workspace))

    assert ls_filenames(result) == [uploaded[2].name]


def test_ls_with_limit_and_offset(workspace: Path, uploaded: list[Path]) -> None:
    limited = run("ls", "default", "--limit", "2", "--workspace", str(workspace))
    shifted = run("ls", "default", "--limit", "2", "--offset", "1", "--workspace", str(workspace))

    assert ls_filenames(limited) == [p.name for p in uploaded[:2]]
    assert ls_filenames(shifted) == [p.name for p in uploaded[1:3]]


def test_ls_of_an_unknown_datalake_fails_cleanly(workspace: Path, uploaded: list[Path]) -> None:
    result = run("ls", "nowhere", "--workspace", str(workspace))

    assert_one_line_error(result, "nowhere")


def test_upload_of_one_file(workspace: Path, tmp_path: Path) -> None:
    image = make_images(tmp_path / "one", 1)[0]

    result = run("upload", str(image), "--workspace", str(workspace))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 data")
    assert stored_data_count(workspace) == 1


def test_upload_of_a_missing_path_stores_nothing(workspace: Path, tmp_path: Path) -> None:
    good = make_images(tmp_path / "good", 2)
    missing = tmp_path / "missing.jpg"

    result = run("upload", *map(str, good), str(missing), "--workspace", str(workspace))

    assert result.exit_code != 0
    assert_one_line_error(result, "missing.jpg")
    assert stored_data_count(workspace) == 0
    assert stored_object_files(workspace) == []


def test_upload_of_a_text_file_named_jpg_stores_nothing(workspace: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    make_images(folder, 3)
    (folder / "notes.jpg").write_text("not a picture at all\n")

    result = run("upload", str(folder), "--workspace", str(workspace))

    assert result.exit_code != 0
    assert_one_line_error(result, "notes.jpg")
    assert stored_data_count(workspace) == 0
    assert stored_object_files(workspace) == []


def test_upload_without_paths_is_a_usage_error(workspace: Path) -> None:
    result = run("upload", "--workspace", str(workspace))

    assert result.exit_code == 2
    assert "Traceback" not in result.output


# quickstart


def test_quickstart_reports_the_uploaded_images(tmp_path: Path) -> None:
    target = tmp_path / "qs"

    result = run("quickstart", "--workspace", str(target), "--count", "12")

    assert result.exit_code == 0, result.output
    assert "uploaded 12 images" in result.stdout
    assert "now holds 12 data" in result.stdout
    assert stored_data_count(target) == 12
    assert not (tmp_path / "home").exists()


def test_quickstart_uploads_only_the_count_asked(tmp_path: Path) -> None:
    target = tmp_path / "qs"
    assert run("quickstart", "--workspace", str(target), "--count", "5").exit_code == 0

    result = run("quickstart", "--workspace", str(target), "--count", "3")

    assert result.exit_code == 0, result.output
    assert "uploaded 3 images" in result.stdout
    assert stored_data_count(target) == 5


def test_quickstart_stays_embedded_when_a_server_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXLAKE_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("PIXLAKE_API_TOKEN", "pxl_for_the_server")
    result = run("quickstart", "--workspace", str(tmp_path / "qs"), "--count", "2")
    assert result.exit_code == 0, result.output


def test_embedded_commands_ignore_a_server_token(
    workspace: Path, uploaded: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXLAKE_API_TOKEN", "pxl_for_the_server")
    result = run("ls", "--workspace", str(workspace))
    assert result.exit_code == 0, result.output
    assert "default" in result.stdout


def _trashed_asset(workspace: Path, tmp_path: Path) -> str:
    """A workspace with one asset in the trash; returns its id."""
    from pixlake import Client
    from pixlake.samples import make_images

    with Client(workspace=workspace) as client:
        data = client.get_datalake().upload_data(make_images(tmp_path / "trash-src", 2))
        version = client.create_dataset("animals").create_version("v1")
        assets = version.add_data(data)
        assets[0].delete()
        return str(assets[0].id)


def test_trash_list_restore_and_purge(workspace: Path, tmp_path: Path) -> None:
    asset_id = _trashed_asset(workspace, tmp_path)

    listed = run("trash", "list", "--workspace", str(workspace))
    assert listed.exit_code == 0, listed.output
    assert asset_id in listed.stdout and "ASSET" in listed.stdout
    assert (
        run("trash", "list", "--kind", "DATASET", "--workspace", str(workspace)).stdout.strip()
        == ""
    )

    restored = run("trash", "restore", asset_id, "--workspace", str(workspace))
    assert restored.exit_code == 0 and "restored 1 item" in restored.stdout
    assert asset_id not in run("trash", "list", "--workspace", str(workspace)).stdout

    from pixlake import Client

    with Client(workspace=workspace) as client:
        client.get_dataset("animals").get_version("v1").list_assets()[0].delete()
    kept = run("trash", "purge", "--workspace", str(workspace))
    assert kept.exit_code == 0 and "purged 0 item" in kept.stdout  # younger than 7 days
    purged = run("trash", "purge", "--all", "--yes", "--workspace", str(workspace))
    assert purged.exit_code == 0 and "purged 1 item" in purged.stdout
    assert run("trash", "list", "--workspace", str(workspace)).stdout.strip() == ""


def test_trash_restore_refuses_bad_ids(workspace: Path, tmp_path: Path) -> None:
    _trashed_asset(workspace, tmp_path)
    not_an_id = run("trash", "restore", "nope", "--workspace", str(workspace))
    assert_one_line_error(not_an_id, "not an id")
    unknown = run(
        "trash", "restore", "01900000-0000-7000-8000-000000000000", "--workspace", str(workspace)
    )
    assert_one_line_error(unknown, "not in the trash")


def test_db_commands(workspace: Path) -> None:
    upgraded = run("db", "upgrade", "--workspace", str(workspace))
    assert upgraded.exit_code == 0, upgraded.output
    current = run("db", "current", "--workspace", str(workspace))
    assert current.exit_code == 0 and "database revision" in current.stdout
