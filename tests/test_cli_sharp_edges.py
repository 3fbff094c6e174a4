"""What a first pass over the command line found: each test fails on the behaviour it
replaced (a message naming a Python argument, a refused push that stored half, a command
creating the workspace it was asked to read...), embedded and against a real server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pixlake.samples import make_images
from tests.test_cli_commands import Platform, clean_environment, column, invoke, where

__all__ = ["clean_environment", "where"]  # fixtures of the CLI tests, used here too


def one_line_error(result: object, *fragments: str) -> str:
    """The single ``error: ...`` line of a failed command, holding every fragment."""
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0]
    return str(lines[0])


# download: a name chooses no folder outside the current one


@pytest.mark.parametrize("name", ["..", "a/b"])
def test_download_wants_out_for_a_version_name_that_is_no_folder_name(
    where: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", name)
    here = tmp_path / "cwd" / "inside"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)

    refused = where.run("download", "cats", name)
    explicit = where.ok("download", "cats", name, "--out", "files")

    one_line_error(refused, repr(name), "--out")
    assert sorted(p.name for p in (tmp_path / "cwd").iterdir()) == ["inside"]
    assert sorted(p.name for p in here.iterdir()) == ["files"]
    assert "downloaded 0 file(s) to files" in explicit.stdout


def test_download_wants_out_for_an_absolute_datalake_name(
    where: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = str(tmp_path / "elsewhere")
    where.ok("datalakes", "create", name)

    refused = where.run("download", "--datalake", name)

    one_line_error(refused, "--out")
    assert not (tmp_path / "elsewhere").exists()


# split: --tag checked against --ratios by the command


def test_split_names_the_tag_option_when_tags_and_parts_differ(where: Platform) -> None:
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", "v1")

    too_few = where.run("split", "cats", "v1", "--ratios", "0.5", "0.5", "--tag", "train")
    repeated = where.run(
        "split", "cats", "v1", "--ratios", "0.5", "0.5", "--tag", "train", "--tag", "train"
    )

    for result in (too_few, repeated):
        assert result.exit_code == 2, result.output
        assert "--tag" in result.stderr and "tag_names" not in result.stderr
    assert "1 tag(s) for 2 part(s)" in too_few.stderr
    assert "'train' is given twice" in repeated.stderr
    with where.client() as client:
        assert client.list_tags("ASSET") == []


# models push: a refused push changes nothing


def test_push_of_a_taken_name_names_replace_and_stores_none_of_the_files(
    where: Platform, tmp_path: Path
) -> None:
    (tmp_path / "best.pt").write_bytes(os.urandom(100))
    (tmp_path / "new.pt").write_bytes(os.urandom(100))
    where.ok("models", "create", "detector")
    where.ok("models", "push", "detector", str(tmp_path / "best.pt"), "--label", "0=cat")

    refused = where.run(
        "models",
        "push",
        "detector",
        str(tmp_path / "new.pt"),
        str(tmp_path / "best.pt"),
        "--version",
        "1",
        "--label",
        "0=dog",
    )

    one_line_error(refused, "version 1 of model 'detector'", "'best.pt'", "--replace")
    assert "replace=True" not in refused.stderr
    with where.client() as client:
        version = client.get_model("detector").get_version(1)
        assert [f.name for f in version.list_files()] == ["best.pt"]
        assert version.labels == {"0": "cat"}


def test_push_of_two_paths_of_one_name_creates_no_version(where: Platform, tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "best.pt").write_bytes(os.urandom(100))
    where.ok("models", "create", "detector")

    refused = where.run(
        "models", "push", "detector", str(tmp_path / "a/best.pt"), str(tmp_path / "b/best.pt")
    )

    assert refused.exit_code == 2, refused.output
    assert "'best.pt' is given twice" in refused.stderr
    with where.client() as client:
        assert client.get_model("detector").list_versions() == []


@pytest.mark.parametrize(
    ("label", "said"),
    [("x=cat", "'x' is not a class index"), ("0=", "the class has no name")],
)
def test_push_names_the_label_option_for_a_bad_label(
    where: Platform, tmp_path: Path, label: str, said: str
) -> None:
    (tmp_path / "best.pt").write_bytes(os.urandom(100))
    where.ok("models", "create", "detector")

    refused = where.run("models", "push", "detector", str(tmp_path / "best.pt"), "--label", label)

    one_line_error(refused, f"--label {label!r}", said)
    with where.client() as client:
        assert client.get_model("detector").list_versions() == []


# upload: its options are checked as download's are


def test_upload_refuses_no_workers_as_an_option_error(where: Platform, tmp_path: Path) -> None:
    images = make_images(tmp_path / "images", 1)

    refused = where.run("upload", str(images[0]), "--max-workers", "0")

    assert refused.exit_code == 2, refused.output
    assert "--max-workers" in refused.stderr and "max_workers" not in refused.stderr
    with where.client() as client:
        assert len(client.get_datalake().list_data()) == 0


def test_ls_help_says_what_limit_and_offset_do() -> None:
    shown = invoke("ls", "--help")

    assert "At most this many" in shown.stdout and "Skip this many first" in shown.stdout


# export: one tag for two splits would leak the same images into both


def test_export_refuses_one_tag_for_two_splits(where: Platform, tmp_path: Path) -> None:
    where.ok("datasets", "create", "cats")
    where.ok("versions", "create", "cats", "v1")
    out = tmp_path / "out"

    refused = where.run(
        "export", "cats", "v1", "--format", "yolo", "--out", str(out),
        "--split", "train=fold1", "--split", "val=fold1",
    )  # fmt: skip

    assert refused.exit_code == 2, refused.output
    assert "tag 'fold1' is given for split 'train' and split 'val'" in refused.stderr
    assert not out.exists()


def test_pull_takes_force_as_download_does(where: Platform, tmp_path: Path) -> None:
    best = tmp_path / "best.pt"
    best.write_bytes(os.urandom(100))
    where.ok("models", "create", "detector")
    where.ok("models", "push", "detector", str(best))
    out = tmp_path / "out"
    out.mkdir()
    (out / "best.pt").write_bytes(b"stale")

    where.ok("models", "pull", "detector", "1", "--out", str(out), "--force")

    assert (out / "best.pt").read_bytes() == best.read_bytes()


# listings: a tag name holding a comma reads as one tag


def test_a_tag_name_with_a_comma_is_quoted_in_a_listing(where: Platform) -> None:
    where.ok("datasets", "create", "cats", "--tag", "indoor,night", "--tag", "raw")

    listed = where.ok("datasets", "ls")
    as_json = where.ok("datasets", "ls", "--json")

    assert column(listed, "TAGS") == ['"indoor,night",raw']
    assert json.loads(as_json.stdout)[0]["tags"] == ["indoor,night", "raw"]


# ids: the one that is not an id is named


def test_an_id_that_is_not_one_is_named(where: Platform) -> None:
    restore = where.run("trash", "restore", "cats")
    remove = where.run("data", "rm", "--id", "cats", "--yes")

    one_line_error(restore, "ID 'cats' is not an id")
    one_line_error(remove, "--id 'cats' is not an id")


def test_trash_kind_is_case_insensitive_as_tag_targets_are(where: Platform) -> None:
    where.ok("datasets", "create", "cats")
    where.ok("datasets", "delete", "cats", "--yes")

    listed = where.ok("trash", "list", "--kind", "dataset", "--json")

    assert '"name": "cats"' in listed.stdout


# a workspace that does not exist is not created by operator commands that only act on one


@pytest.mark.parametrize(
    "command",
    [
        ["gc"],
        ["db", "current"],
        ["users", "revoke", "alice"],
        ["users", "set-role", "alice", "admin"],
    ],
)
def test_operator_commands_do_not_create_a_missing_workspace(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "pixlak"

    result = invoke(*command, "--workspace", str(missing))

    one_line_error(result, f"no workspace at {missing}")
    assert not missing.exists()


# server options: mistakes named by option


def test_host_without_a_token_names_the_token_option() -> None:
    result = invoke("datasets", "ls", "--host", "http://127.0.0.1:9")

    line = one_line_error(result, "--token", "PIXLAKE_API_TOKEN")
    assert "api_token" not in line


def test_host_that_is_no_url_is_named() -> None:
    result = invoke("datasets", "ls", "--host", "127.0.0.1:9", "--token", "pxl_x")

    one_line_error(result, "--host '127.0.0.1:9' is not a server URL", "http://")
