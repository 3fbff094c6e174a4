"""The command groups that mirror the SDK (datalakes, datasets, versions, tags, download,
data, users, trash), each run embedded and against a real server, with click's CliRunner.

Every test starts from an environment without any PIXLAKE_* variable, with progress bars off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import pixlake
from pixlake.cli.main import cli
from pixlake.progress import disable_progress_bars, enable_progress_bars, progress
from pixlake.samples import make_images
from tests.conftest import LiveServer


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PIXLAKE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIXLAKE_DISABLE_PROGRESS_BARS", "1")
    # A command that forgot its connection options must not touch the real ~/.pixlake.
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "home"))


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="pixlake", input=input)


@dataclass
class Platform:
    """Where the commands go: an embedded workspace, or a real server with a user's token."""

    mode: str
    options: list[str]
    sdk: dict[str, str | Path] = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None) -> Result:
        return invoke(*args, *self.options, input=input)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result

    def client(self) -> pixlake.Client:
        return pixlake.Client(**self.sdk)  # type: ignore[arg-type]


@pytest.fixture(params=["embedded", "server"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    if request.param == "embedded":
        workspace = tmp_path / "ws"
        pixlake.Client(workspace=workspace).close()  # an existing workspace
        yield Platform("embedded", ["--workspace", str(workspace)], {"workspace": workspace})
        return
    server: LiveServer = request.getfixturevalue("live_server")
    _name, token = server.new_user()
    yield Platform(
        "server", ["--host", server.url, "--token", token], {"host": server.url, "api_token": token}
    )


def table(result: Result) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a listing, split on its aligned columns."""
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    starts = [header.index(name) for name in header.split()]
    cells = [
        [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        for line in rows
    ]
    return header.split(), cells


def column(result: Result, name: str) -> list[str]:
    header, rows = table(result)
    return [row[header.index(name)] for row in rows]


def with_images(where: Platform, tmp_path: Path, count: int = 3) -> list[Path]:
    images = make_images(tmp_path / "images", count)
    where.ok("upload", str(tmp_path / "images"), "--tag", "cats")
    return images


# datalakes


def test_datalakes_create_then_ls_lists_it_under_a_header(where: Platform) -> None:
    created = where.ok("datalakes", "create", "street")

    listed = where.ok("datalakes", "ls")

    assert "created datalake 'street'" in created.stdout
    header, _rows = table(listed)
    assert header == ["NAME", "CREATED", "ID"]
    assert sorted(column(listed, "NAME")) == ["default", "street"]
    with where.client() as client:
        assert column(listed, "ID")[column(listed, "NAME").index("street")] == str(
            client.get_datalake("street").id
        )
    assert listed.stderr.strip() == "2 datalake(s)"


# datasets


def test_datasets_create_ls_and_delete(where: Platform) -> None:
    where.ok("datasets", "create", "birds", "--description", "from the feeder", "--tag", "outdoor")
    where.ok("versions", "create", "birds", "v1")

    listed = where.ok("datasets", "ls")
    deleted = where.ok("datasets", "delete", "birds", "--yes")

    header, rows = table(listed)
    assert header == ["NAME", "VERSIONS", "TAGS", "CREATED", "ID", "DESCRIPTION"]
    assert [row[:3] for row in rows] == [["birds", "1", "outdoor"]]
    assert rows[0][-1] == "from the feeder"
    assert "moved dataset 'birds' to the trash" in deleted.stdout
    with where.client() as client:
        assert client.list_datasets() == []
        assert [item.name for item in client.list_trash("DATASET")] == ["birds"]


# versions


def test_versions_create_fork_lock_unlock_stats_and_delete(where: Platform, tmp_path: Path) -> None:
    with_images(where, tmp_path, 2)
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", "v1", "--description", "first")
    with where.client() as client:
        version = client.get_dataset("cats").get_version("v1")
        version.add_data(client.get_datalake().list_data(), tags=["fluffy"])

    forked = where.ok("versions", "fork", "cats", "v1", "v2")
    where.ok("versions", "lock", "cats", "v2")
    locked = where.ok("versions", "ls", "cats")
    where.ok("versions", "unlock", "cats", "v2")
    unlocked = where.ok("versions", "ls", "cats")
    stats = where.ok("versions", "stats", "cats", "v2")
    deleted = where.ok("versions", "delete", "cats", "v1", "--yes")

    assert "forked 'v1' into version 'v2'" in forked.stdout
    assert table(locked)[0] == ["VERSION", "LOCKED", "TAGS", "CREATED", "ID", "DESCRIPTION"]
    assert column(locked, "VERSION") == ["v1", "v2"]
    assert column(locked, "LOCKED") == ["no", "yes"]
    assert column(unlocked, "LOCKED") == ["no", "no"]
    assert stats.stdout.splitlines()[0].split() == ["assets", "2"]
    assert "fluffy  2" in stats.stdout
    assert "moved version 'v1' of dataset 'cats' to the trash" in deleted.stdout
    with where.client() as client:
        assert [v.version for v in client.get_dataset("cats").list_versions()] == ["v2"]


def test_versions_stats_json_is_the_sdk_stats(where: Platform) -> None:
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", "v1")

    result = where.ok("versions", "stats", "cats", "v1", "--json")

    assert json.loads(result.stdout) == {
        "nb_assets": 0,
        "nb_annotations": 0,
        "nb_objects": 0,
        "label_repartition": {},
        "label_image_repartition": {},
        "tag_repartition": {},
    }


# tags


def test_tags_create_ls_and_delete(where: Platform) -> None:
    where.ok("tags", "create", "night", "--target", "data")
    where.ok("tags", "create", "night", "--target", "DATASET")

    listed = where.ok("tags", "ls")
    only_data = where.ok("tags", "ls", "--target", "DATA")
    deleted = where.ok("tags", "delete", "night", "--target", "DATA", "--yes")

    assert table(listed)[0] == ["NAME", "TARGET", "ID"]
    assert [row[:2] for row in table(listed)[1]] == [["night", "DATA"], ["night", "DATASET"]]
    assert column(only_data, "TARGET") == ["DATA"]
    assert "deleted tag 'night' (DATA)" in deleted.stdout
    with where.client() as client:
        assert [(t.name, t.target.value) for t in client.list_tags()] == [("night", "DATASET")]


# data: upload, ls, rm


def test_ls_shows_each_data_with_its_tags_and_date(where: Platform, tmp_path: Path) -> None:
    images = with_images(where, tmp_path, 2)
    with where.client() as client:
        client.get_datalake().find_data(images[0].name).add_tags("best")

    listed = where.ok("ls", "default")

    assert table(listed)[0] == ["ID", "TYPE", "SIZE", "BYTES", "TAGS", "CREATED", "FILENAME"]
    assert column(listed, "FILENAME") == [p.name for p in images]
    assert column(listed, "TAGS") == ["best,cats", "cats"]
    assert all(len(created) == len("2026-01-01 00:00") for created in column(listed, "CREATED"))


def test_data_rm_deletes_the_named_data(where: Platform, tmp_path: Path) -> None:
    images = with_images(where, tmp_path, 3)
    with where.client() as client:
        by_id = client.get_datalake().find_data(images[2].name).id

    removed = where.ok("data", "rm", images[0].name, "--id", str(by_id), "--yes")

    assert "deleted 2 data from datalake 'default'" in removed.stdout
    with where.client() as client:
        assert [d.filename for d in client.get_datalake().list_data()] == [images[1].name]


def test_data_rm_of_an_unknown_name_deletes_nothing(where: Platform, tmp_path: Path) -> None:
    images = with_images(where, tmp_path, 2)

    result = where.run("data", "rm", images[0].name, "nowhere.jpg", "--yes")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no data named 'nowhere.jpg' in datalake 'default'"
    with where.client() as client:
        assert len(client.get_datalake().list_data()) == 2


# download


def test_download_of_a_version_writes_every_asset(where: Platform, tmp_path: Path) -> None:
    images = with_images(where, tmp_path, 3)
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", "v1")
    with where.client() as client:
        lake = client.get_datalake()
        client.get_dataset("cats").get_version("v1").add_data(lake.list_data()[:2])
    out = tmp_path / "out"

    first = where.ok("download", "cats", "v1", "--out", str(out))
    again = where.ok("download", "cats", "v1", "--out", str(out))

    assert first.stdout.strip() == f"downloaded 2 file(s) to {out}"
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in images[:2]]
    assert (out / images[0].name).read_bytes() == images[0].read_bytes()
    assert again.stdout.strip() == (
        f"downloaded 0 file(s) to {out}; 2 already there, kept (--force downloads them again)"
    )
    forced = where.ok("download", "cats", "v1", "--out", str(out), "--force")
    assert forced.stdout.startswith("downloaded 2 file(s)")


def test_download_of_a_datalake_by_tag(where: Platform, tmp_path: Path) -> None:
    images = with_images(where, tmp_path, 2)
    where.ok("datalakes", "create", "other")
    extra = make_images(tmp_path / "extra", 1, seed=7)
    where.ok("upload", str(extra[0]), "--datalake", "other", "--tag", "dogs")
    out = tmp_path / "lake"

    cats = where.ok("download", "--datalake", "default", "--tag", "cats", "--out", str(out))
    dogs = where.ok("download", "--datalake", "other", "--out", str(tmp_path / "other"))

    assert cats.stdout.startswith("downloaded 2 file(s)")
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in images]
    assert [p.name for p in (tmp_path / "other").iterdir()] == [extra[0].name]
    assert dogs.stdout.startswith("downloaded 1 file(s)")


def test_download_needs_a_version_or_a_datalake(where: Platform) -> None:
    assert where.run("download", "cats").exit_code == 2
    both = where.run("download", "cats", "v1", "--datalake", "default")
    assert both.exit_code == 2 and "not both" in both.output


# users


def test_users_ls_lists_the_organization_with_roles(where: Platform) -> None:
    listed = where.ok("users", "ls")

    with where.client() as client:
        me = client.username
    header, rows = table(listed)
    assert header == ["USERNAME", "ROLE", "CREATED", "ID"]
    assert [row[:2] for row in rows] == [[me, "admin"]]


# trash through the API


def test_trash_list_restore_and_purge_through_the_api(where: Platform) -> None:
    where.ok("datasets", "create", "gone")
    where.ok("datasets", "delete", "gone", "--yes")
    token_options = (
        where.options
        if where.mode == "server"
        else [*where.options, "--token", _owner_token(where)]
    )

    listed = invoke("trash", "list", *token_options)
    dataset_id = column(listed, "ID")[0]
    restored = invoke("trash", "restore", dataset_id, *token_options)
    where.ok("datasets", "delete", "gone", "--yes")
    purged = invoke("trash", "purge", "--all", "--yes", *token_options)

    assert column(listed, "KIND") == ["DATASET"] and column(listed, "NAME") == ["gone"]
    assert restored.stdout.strip() == "restored 1 item(s)"
    assert purged.exit_code == 0, purged.output
    assert purged.stdout.splitlines()[0] == "purged 1 item(s)"
    assert invoke("trash", "list", *token_options, "--json").stdout.strip() == "[]"


def _owner_token(where: Platform) -> str:
    """A token for an admin of the embedded workspace's default organization."""
    created = where.ok("users", "create", "ops", "--org", "default", "--role", "admin")
    return created.stdout.splitlines()[-1]


# confirmation


DESTRUCTIVE = {
    "datasets delete": ["datasets", "delete", "cats"],
    "versions delete": ["versions", "delete", "cats", "v1"],
    "tags delete": ["tags", "delete", "kept", "--target", "DATA"],
    "data rm": ["data", "rm", "sample_000000.jpg"],
    "trash purge --all": ["trash", "purge", "--all"],
}


@pytest.fixture
def embedded(tmp_path: Path) -> Platform:
    """An embedded workspace holding one of everything the destructive commands remove."""
    workspace = tmp_path / "ws"
    with pixlake.Client(workspace=workspace) as client:
        client.get_datalake().upload_data(make_images(tmp_path / "images", 1))
        client.create_dataset("cats").create_version("v1")
        client.create_tag("kept", "DATA")
        client.create_dataset("trashed").delete()
    return Platform("embedded", ["--workspace", str(workspace)], {"workspace": workspace})


def _everything(platform: Platform) -> tuple[object, ...]:
    with platform.client() as client:
        return (
            len(client.get_datalake().list_data()),
            [(d.name, [v.version for v in d.list_versions()]) for d in client.list_datasets()],
            [t.name for t in client.list_tags()],
            len(client.list_trash()),
        )


@pytest.mark.parametrize("command", DESTRUCTIVE.values(), ids=DESTRUCTIVE.keys())
def test_destructive_commands_refuse_without_a_terminal_or_yes(
    embedded: Platform, command: list[str]
) -> None:
    before = _everything(embedded)

    result = embedded.run(*command)

    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and line.endswith(
        "Not confirmed: stdin is not a terminal; pass --yes to do it without asking."
    )
    assert "Traceback" not in result.output
    assert _everything(embedded) == before


@pytest.mark.parametrize("command", DESTRUCTIVE.values(), ids=DESTRUCTIVE.keys())
def test_destructive_commands_with_yes_do_it(embedded: Platform, command: list[str]) -> None:
    before = _everything(embedded)

    embedded.ok(*command, "--yes")

    assert _everything(embedded) != before


def test_destructive_commands_ask_in_a_terminal(embedded: Platform, tmp_path: Path) -> None:
    """A real terminal on stdin: 'n' keeps the dataset, 'y' moves it to the trash."""

    def answer(reply: str) -> subprocess.CompletedProcess[str]:
        primary, secondary = os.openpty()
        os.write(primary, reply.encode() + b"\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIXLAKE_")}
        env |= {"PIXLAKE_HOME": str(tmp_path / "home"), "PIXLAKE_DISABLE_PROGRESS_BARS": "1"}
        try:
            return subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from pixlake.cli.main import cli; cli()",
                    "datasets",
                    "delete",
                    "cats",
                    *embedded.options,
                ],
                stdin=secondary,
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
        finally:
            os.close(primary)
            os.close(secondary)

    declined = answer("n")
    with embedded.client() as client:
        assert client.get_dataset("cats")
    accepted = answer("y")

    question = "Move dataset 'cats' and its 1 version(s) to the trash? [y/N]"
    assert declined.returncode == 1 and question in declined.stderr
    assert "Aborted" in declined.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert question in accepted.stderr
    with embedded.client() as client:
        assert client.list_datasets() == []


# --json


LISTINGS = {
    "datalakes ls": ["datalakes", "ls"],
    "ls": ["ls", "default"],
    "datasets ls": ["datasets", "ls"],
    "versions ls": ["versions", "ls", "cats"],
    "tags ls": ["tags", "ls"],
    "users ls": ["users", "ls"],
    "trash list": ["trash", "list"],
}


@pytest.mark.parametrize("command", LISTINGS.values(), ids=LISTINGS.keys())
def test_json_listings_are_one_document_of_the_table_rows(
    embedded: Platform, command: list[str]
) -> None:
    rows = table(embedded.ok(*command))[1]

    document = json.loads(embedded.ok(*command, "--json").stdout)

    assert isinstance(document, list) and len(document) == len(rows) == 1
    assert str(document[0]["id"]) in rows[0]


# a workspace that does not exist


READING = {
    **LISTINGS,
    "versions stats": ["versions", "stats", "cats", "v1"],
    "download": ["download", "cats", "v1"],
    "download --datalake": ["download", "--datalake", "default"],
    "trash restore": ["trash", "restore", "01900000-0000-7000-8000-000000000000"],
    "trash purge": ["trash", "purge"],
    **DESTRUCTIVE,
}


@pytest.mark.parametrize("command", READING.values(), ids=READING.keys())
def test_commands_that_only_read_refuse_a_workspace_that_does_not_exist(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "wrokspace"

    confirmed = ["--yes"] if command in DESTRUCTIVE.values() else []

    result = invoke(*command, *confirmed, "--workspace", str(typo))

    assert result.exit_code == 1, result.output
    assert result.stderr.strip().startswith(f"error: no workspace at {typo}")
    assert not typo.exists()


def test_a_workspace_given_by_pixlake_home_that_does_not_exist_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "nothing-here"))

    result = invoke("datasets", "ls")

    assert result.exit_code == 1
    assert "no workspace at" in result.stderr
    assert not (tmp_path / "nothing-here").exists()


def test_commands_that_write_create_the_workspace(tmp_path: Path) -> None:
    result = invoke("datasets", "create", "first", "--workspace", str(tmp_path / "new"))

    assert result.exit_code == 0, result.output
    with pixlake.Client(workspace=tmp_path / "new") as client:
        assert client.get_dataset("first")


# quickstart and progress


def test_quickstart_says_how_many_images_were_new_on_a_second_run(tmp_path: Path) -> None:
    target = tmp_path / "qs"
    first = invoke("quickstart", "--workspace", str(target), "--count", "4")
    second = invoke("quickstart", "--workspace", str(target), "--count", "4")

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "uploaded 4 images" in first.stdout and "4 new, 0 already there" in first.stdout
    assert "generating" not in second.stdout  # the samples of the first run are reused
    assert "uploaded 4 images" in second.stdout and "0 new, 4 already there" in second.stdout
    assert "now holds 4 data" in second.stdout


@pytest.fixture
def progress_bars() -> Iterator[None]:
    enable_progress_bars()
    yield
    disable_progress_bars()


def test_quickstart_shows_progress_while_generating_images(
    tmp_path: Path, progress_bars: None
) -> None:
    result = invoke("quickstart", "--workspace", str(tmp_path / "qs"), "--count", "3")

    assert result.exit_code == 0, result.output
    generating = [part for part in result.stderr.split("\r") if part.startswith("Generating")]
    assert generating and "3/3" in generating[-1]


def test_progress_bars_leave_their_final_state_visible(
    capsys: pytest.CaptureFixture[str], progress_bars: None
) -> None:
    bar = progress(2, "Counting")
    bar.update(2)
    bar.close()

    shown = capsys.readouterr().err
    assert shown.endswith("\n")
    last = shown.rstrip("\n").split("\r")[-1]
    assert last.startswith("Counting: 100%") and "2/2" in last


# help and wording


def _commands(group: click.Group, path: list[str]) -> Iterator[list[str]]:
    for name, command in sorted(group.commands.items()):
        yield [*path, name]
        if isinstance(command, click.Group):
            yield from _commands(command, [*path, name])


EVERY_COMMAND = list(_commands(cli, []))


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_help_works_and_suggests_no_python_argument(command: list[str]) -> None:
    result = invoke(*command, "--help")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: pixlake {' '.join(command)} ")
    for python_argument in ("=True", "=False", "=[", "force_replace", "tags=", "everything="):
        assert python_argument not in result.stdout


def test_every_command_of_the_sdk_mirror_is_there() -> None:
    for command in (
        ["datalakes", "ls"],
        ["datalakes", "create"],
        ["datasets", "ls"],
        ["datasets", "create"],
        ["datasets", "delete"],
        ["versions", "ls"],
        ["versions", "create"],
        ["versions", "fork"],
        ["versions", "lock"],
        ["versions", "unlock"],
        ["versions", "delete"],
        ["versions", "stats"],
        ["tags", "ls"],
        ["tags", "create"],
        ["tags", "delete"],
        ["download"],
        ["data", "rm"],
        ["users", "ls"],
        ["trash", "list"],
    ):
        assert command in EVERY_COMMAND


def test_a_second_download_suggests_no_python_argument(
    embedded: Platform, tmp_path: Path, progress_bars: None
) -> None:
    out = tmp_path / "again"
    embedded.ok("download", "--datalake", "default", "--out", str(out))

    again = embedded.ok("download", "--datalake", "default", "--out", str(out))

    assert "force_replace" not in again.output
    assert "1 already there, kept (--force downloads them again)" in again.stdout
