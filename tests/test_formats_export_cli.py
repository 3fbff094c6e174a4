"""``pixlake export``, embedded and against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

import pixlake
from pixlake.cli.main import cli
from pixlake.samples import make_images
from tests.conftest import LiveServer


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="pixlake")


@pytest.fixture(params=["embedded", "server"])
def where(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[list[str], dict[str, object]]]:
    monkeypatch.setenv("PIXLAKE_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "home"))
    if request.param == "embedded":
        workspace = tmp_path / "ws"
        yield ["--workspace", str(workspace)], {"workspace": workspace}
        return
    server: LiveServer = request.getfixturevalue("live_server")
    _name, token = server.new_user()
    yield ["--host", server.url, "--token", token], {"host": server.url, "api_token": token}


@pytest.fixture
def version(where: tuple[list[str], dict[str, object]], tmp_path: Path) -> None:
    images = make_images(tmp_path / "images", 3)
    with pixlake.Client(**where[1]) as client:  # type: ignore[arg-type]
        data = client.get_datalake().upload_data(images)
        v = client.create_dataset("shop").create_version("v1")
        assets = v.add_data(data)
        cat = v.create_label("cat")
        for asset in assets:
            asset.create_annotation().create_rectangle(1.5, 2.5, 10, 20, cat)
        assets[:2].add_tags("train")
        assets[2:].add_tags("val")


@pytest.mark.usefixtures("version")
def test_export_writes_a_split_folder_and_a_summary(
    where: tuple[list[str], dict[str, object]], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "export", "shop", "v1", "--format", "yolo", "--out", str(out),
        "--split", "train=train", "--split", "val=val", *where[0],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "exported version 'v1' of dataset 'shop' as yolo (splits: train, val)" in result.output
    assert "7 file(s)" in result.output  # data.yaml, 3 images, 3 labels, nothing else
    config = yaml.safe_load((out / "data.yaml").read_text())
    assert config["names"] == {0: "cat"} and config["val"] == "images/val"
    assert len(list((out / "images" / "train").iterdir())) == 2
    assert len(list((out / "labels" / "val").iterdir())) == 1


@pytest.mark.usefixtures("version")
def test_export_without_images(where: tuple[list[str], dict[str, object]], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "export", "shop", "v1", "--format", "coco", "--out", str(out), "--no-images", *where[0]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "annotations" / "instances_train.json").read_text())
    assert len(document["images"]) == 3 and not (out / "images").exists()


@pytest.mark.usefixtures("version")
def test_export_refusals_are_one_line(
    where: tuple[list[str], dict[str, object]], tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    result = invoke("export", "shop", "v1", "--format", "voc", "--out", str(taken), *where[0])
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    bad = invoke(
        "export",
        "shop",
        "v1",
        "--format",
        "voc",
        "--out",
        str(tmp_path / "o"),
        "--split",
        "nope",
        *where[0],
    )
    assert bad.exit_code == 2 and "NAME=TAG" in bad.output
    unknown = invoke(
        "export", "shop", "v1", "--format", "voc", "--out", str(tmp_path / "o"),
        "--split", "train=missing", *where[0],
    )  # fmt: skip
    assert unknown.exit_code == 1 and "missing" in unknown.output
