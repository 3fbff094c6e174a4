"""``pixlake split`` and ``pixlake diff``, embedded and against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake.samples import make_images
from tests.test_cli_commands import Platform, clean_environment, where

__all__ = ["clean_environment", "where"]  # fixtures, used by name


@pytest.fixture
def version_of_ten(where: Platform, tmp_path: Path):
    """Dataset "ds", version "v1": ten assets, "cat" boxes on the first five (two each)."""
    client = where.client()
    data = client.get_datalake().upload_data(make_images(tmp_path / "pictures", 10))
    version = client.create_dataset("ds").create_version("v1")
    assets = version.add_data(data)
    cat = version.create_label("cat")
    for asset in assets[:5]:
        asset.create_annotation().create_multiple_rectangles([(1, 1, 4, 4, cat)] * 2)
    yield client, version
    client.close()


def test_split_prints_parts_labels_and_deviations(where: Platform, version_of_ten) -> None:
    _client, version = version_of_ten
    result = where.ok(
        "split", "ds", "v1", "--ratios", "0.6", "0.2", "0.2", "--seed", "3",
        "--tag", "train", "--tag", "val", "--tag", "test",
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0] == "stratified split of 10 assets, seed 3"
    assert lines[1] == "part 1 (train): 6 assets, target share 0.600"
    assert lines[2].split() == ["LABEL", "IMAGES", "OBJECTS", "SHARE", "DEVIATION"]
    assert lines[3].split() == ["cat", "3", "6", "0.600", "+0.000"]
    assert "part 2 (val): 2 assets, target share 0.200" in lines
    assert lines[-1] == "worst deviation of a label's share from its target: 0.000"
    assert version.retrieve_stats().tag_repartition == {"train": 6, "val": 2, "test": 2}
    again = where.ok("split", "ds", "v1", "--ratios", "0.6", "0.2", "0.2", "--seed", "3")
    assert again.stdout.replace(" (train)", "").replace(" (val)", "").replace(
        " (test)", ""
    ) == result.stdout.replace(" (train)", "").replace(" (val)", "").replace(" (test)", "")


def test_split_without_stratification(where: Platform, version_of_ten) -> None:
    result = where.ok("split", "ds", "v1", "--ratios", "1", "1", "--no-stratify", "--seed", "x")
    assert result.stdout.splitlines()[0] == "random split of 10 assets, seed 'x'"
    assert "part 2: 5 assets, target share 0.500" in result.stdout


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        (["1"], "ratios must hold at least two numbers"),
        (["0.5", "-0.5"], "ratios[1] is negative"),
        (["0", "0"], "ratios sum to 0"),
    ],
)
def test_split_refuses_bad_ratios(where: Platform, version_of_ten, ratios, message) -> None:
    _client, version = version_of_ten
    result = where.run("split", "ds", "v1", "--ratios", *ratios, "--tag", "a", "--tag", "b")
    assert result.exit_code == 1
    assert message in result.stderr
    assert version.retrieve_stats().tag_repartition == {}


def test_diff_prints_the_summary(where: Platform, version_of_ten) -> None:
    _client, version = version_of_ten
    fork = version.fork("v2")
    fork.list_assets()[0].delete()
    result = where.ok("diff", "ds", "v1", "v2")
    assert result.stdout.splitlines()[0] == "Differences from version 'v1' to version 'v2':"
    assert "assets only in 'v1': 1 (" in result.stdout
    assert "cat: objects 10 -> 8, images 5 -> 4" in result.stdout
    same = where.ok("diff", "ds", "v1", "v1")
    assert same.stdout.strip() == "Differences from version 'v1' to version 'v1': none"
