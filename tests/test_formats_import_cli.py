"""``pixlake import``: a dataset folder in one command, embedded and against a server."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import pixlake
from pixlake.cli.main import cli
from tests.conftest import LiveServer


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PIXLAKE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIXLAKE_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "home"))


def voc_folder(root: Path, image: Path) -> Path:
    (root / "JPEGImages").mkdir(parents=True)
    (root / "JPEGImages" / image.name).write_bytes(image.read_bytes())
    (root / "Annotations").mkdir()
    (root / "Annotations" / f"{image.stem}.xml").write_text(
        f"<annotation><filename>{image.name}</filename><object><name>dog</name><bndbox>"
        "<xmin>1</xmin><ymin>2</ymin><xmax>11</xmax><ymax>12.5</ymax></bndbox></object>"
        "</annotation>"
    )
    return root


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_pixlake_import_prints_a_closing_summary(
    mode: str, tmp_path: Path, unique_image: Callable[..., Path], request: pytest.FixtureRequest
) -> None:
    if mode == "embedded":
        options = ["--workspace", str(tmp_path / "ws")]
        sdk: dict[str, str | Path] = {"workspace": tmp_path / "ws"}
    else:
        server: LiveServer = request.getfixturevalue("live_server")
        _name, token = server.new_user()
        options = ["--host", server.url, "--token", token]
        sdk = {"host": server.url, "api_token": token}
    root = voc_folder(tmp_path / "voc", unique_image("a.jpg"))

    result = CliRunner().invoke(
        cli,
        ["import", str(root), "--format", "voc", "--dataset", "pets", "--version", "v1", *options],
        prog_name="pixlake",
    )

    assert result.exit_code == 0, result.output
    assert "imported 1 assets (train 1), 1 annotations, 1 shapes and 1 labels" in result.output
    with pixlake.Client(**sdk) as client:  # type: ignore[arg-type]
        version = client.get_dataset("pets").get_version("v1")
        assert version.retrieve_stats().label_repartition == {"dog": 1}


def test_pixlake_import_shows_a_refusal_as_one_line(
    tmp_path: Path, unique_image: Callable[..., Path]
) -> None:
    root = tmp_path / "coco"
    (root / "images" / "train").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "annotations" / "instances_train.json").write_text(json.dumps({"images": 3}))

    result = CliRunner().invoke(
        cli,
        ["import", str(root), "--format", "coco", "--dataset", "d", "--workspace", str(tmp_path)],
        prog_name="pixlake",
    )

    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "instances_train.json" in result.output


def test_pixlake_import_tells_the_format_from_the_folder(
    tmp_path: Path, unique_image: Callable[..., Path]
) -> None:
    root = voc_folder(tmp_path / "voc", unique_image("a.jpg"))

    result = CliRunner().invoke(
        cli,
        ["import", str(root), "--dataset", "pets", "--workspace", str(tmp_path / "ws")],
        prog_name="pixlake",
    )

    assert result.exit_code == 0, result.output
    assert f"reading {root} as PASCAL_VOC (it holds Annotations)" in result.output
    assert "imported 1 assets (train 1), 1 annotations, 1 shapes and 1 labels" in result.output


def test_pixlake_import_without_a_format_refuses_a_folder_that_does_not_say(
    tmp_path: Path, unique_image: Callable[..., Path]
) -> None:
    root = tmp_path / "pictures"
    root.mkdir()
    (root / "a.jpg").write_bytes(unique_image().read_bytes())

    result = CliRunner().invoke(
        cli,
        ["import", str(root), "--dataset", "d", "--workspace", str(tmp_path / "ws")],
        prog_name="pixlake",
    )

    assert result.exit_code == 2  # a usage error: the command wants --format
    assert f"Error: {root}: no COCO" in result.output
    assert "name the format with --format (coco, yolo or voc)" in result.output
    assert not (tmp_path / "ws").exists()  # refused before any workspace was opened
