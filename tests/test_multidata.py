"""MultiData: list behaviour and bulk operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixlake import BadRequestError, Client, MultiData, NotFoundError, Target


@pytest.fixture
def five(client: Client, images: list[Path]) -> MultiData:
    return client.get_datalake().upload_data(images)


def test_behaves_as_a_list(five: MultiData) -> None:
    assert len(five) == 5
    assert [d.id for d in five] == five.ids
    assert five[0].id == five.ids[0]
    assert five[-1].id == five.ids[-1]
    head = five[:2]
    assert isinstance(head, MultiData) and len(head) == 2
    joined = head + five[2:]
    assert isinstance(joined, MultiData) and joined.ids == five.ids
    copy = five.copy()
    assert copy.ids == five.ids and copy is not five and copy.items is not five.items
    grown = five[:1]
    grown += five[1:3]
    assert grown.ids == five.ids[:3]
    assert five[0] in five


@pytest.mark.parametrize(
    "ratio, sizes", [(0.8, (4, 1)), (0.5, (2, 3)), (0, (0, 5)), (1, (5, 0)), (0.7, (4, 1))]
)
def test_split(five: MultiData, ratio: float, sizes: tuple[int, int]) -> None:
    first, second = five.split(ratio)
    assert (len(first), len(second)) == sizes
    assert first.ids + second.ids == five.ids


@pytest.mark.parametrize("ratio", [-0.1, 1.5, float("nan"), "0.5", None, True])
def test_split_refuses_bad_ratio(five: MultiData, ratio) -> None:
    with pytest.raises(BadRequestError, match="ratio"):
        five.split(ratio)


def test_add_and_remove_tags_in_bulk(client: Client, five: MultiData) -> None:
    car = client.create_tag("car", Target.DATA)
    bus = client.create_tag("bus", Target.DATA)
    five.add_tags([car, bus])
    five.add_tags(car)  # attaching again changes nothing
    assert {t.name for t in five[3].get_tags()} == {"car", "bus"}
    five[:2].remove_tags(car)
    assert [t.name for t in five[0].get_tags()] == ["bus"]
    assert len(client.get_datalake().list_data(tags=[car])) == 3


def test_delete_all(client: Client, five: MultiData) -> None:
    five[:3].delete()
    assert set(client.get_datalake().list_data().ids) == set(five.ids[3:])


def test_delete_is_all_or_nothing(
    client: Client, other_client: Client, five: MultiData, images: list[Path]
) -> None:
    theirs = other_client.get_datalake().upload_data(images[0])
    mixed = five[:2] + [type(theirs)(client._connection, theirs._schema)]  # noqa: RUF005 (MultiData + list is the behaviour under test)
    with pytest.raises(NotFoundError):
        mixed.delete()
    assert len(client.get_datalake().list_data()) == 5
    assert len(other_client.get_datalake().list_data()) == 1


def test_download_all(five: MultiData, images: list[Path], tmp_path: Path) -> None:
    assert five.download(tmp_path / "out", max_workers=3) == 5
    for source in images:
        assert (tmp_path / "out" / source.name).read_bytes() == source.read_bytes()
    assert five.download(tmp_path / "out") == 0
    assert five[:2].download(tmp_path / "out", force_replace=True) == 2


def test_empty_multidata(client: Client, tmp_path: Path) -> None:
    empty = client.get_datalake().list_data()
    assert len(empty) == 0 and not empty
    empty.delete()
    assert empty.download(tmp_path / "unused") == 0


def test_download_of_two_data_with_one_filename_writes_both(
    client: Client, unique_image, tmp_path: Path
) -> None:
    sources = [unique_image("same.jpg"), unique_image("same.jpg"), unique_image("SAME.jpg")]
    uploaded = client.get_datalake().upload_data(sources)
    first, second, third = uploaded
    out = tmp_path / "out"
    both = uploaded + uploaded[:1]  # the first one listed twice is written once
    assert both.download(out) == 3
    expected = {
        "same.jpg": sources[0],
        f"same.{second.id.hex[-8:]}.jpg": sources[1],
        f"SAME.{third.id.hex[-8:]}.jpg": sources[2],
    }  # one name where case is folded
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    for name, source in expected.items():
        assert (out / name).read_bytes() == source.read_bytes()
    assert both.download(out) == 0  # the same names again: all there
    # The first listed keeps the name.
    assert (uploaded[1:2] + uploaded[:1]).download(tmp_path / "other") == 2
    assert (tmp_path / "other" / "same.jpg").read_bytes() == sources[1].read_bytes()
    assert (tmp_path / "other" / f"same.{first.id.hex[-8:]}.jpg").exists()


def test_download_names_taken_by_other_files_are_not_reused(
    client: Client, unique_image, tmp_path: Path
) -> None:
    pair = client.get_datalake().upload_data([unique_image("a.jpg"), unique_image("a.jpg")])
    two = pair[1]
    decoy = client.get_datalake().upload_data(unique_image(f"a.{two.id.hex[-8:]}.jpg"))
    assert (pair + decoy).download(tmp_path / "out") == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["a.jpg", decoy.filename, f"a.{two.id.hex}.jpg"]
    )
