"""Labels, workers, annotations and their shapes, locked versions, and the walls between
organizations, in embedded and in server mode."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pixlake import BadRequestError, Client, ConflictError, NotFoundError, Target
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user
from pixlake.enums import AnnotationStatus, ShapeKind
from pixlake.errors import LockedError
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.asset import Asset, MultiAsset
from pixlake.sdk.data import MultiData
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.label import Label
from pixlake.sdk.shapes import Classification, Line, Point, Polygon, Rectangle
from pixlake.sdk.worker import Worker

TRIANGLE = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]]
SQUARE = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]]


@dataclass
class Setup:
    data: MultiData
    ds: Dataset
    v: DatasetVersion
    assets: MultiAsset
    label: Label


@pytest.fixture
def env(client: Client, images: list[Path]) -> Setup:
    """A dataset with a version holding four of five uploaded images, and a label 'cat'."""
    data = client.get_datalake().upload_data(images)
    ds = client.create_dataset("d")
    v = ds.create_version("v1")
    assets = v.add_data(data[:4])
    return Setup(data=data, ds=ds, v=v, assets=assets, label=v.create_label("cat"))


@pytest.fixture
def new_colleague(client: Client, platform: AppContext) -> Callable[[], str]:
    """Makes a user in the organization of ``client`` and returns its username."""

    def make() -> str:
        username = f"colleague-{uuid.uuid4().hex[:8]}"
        create_user(platform, username, client.organization_name)
        return username

    return make


def shape_ids(annotation: Annotation) -> list[uuid.UUID]:
    return [shape.id for shape in annotation.list_shapes()]


# Labels


def test_create_get_list_labels(env: Setup) -> None:
    dog = env.v.create_label("dog")
    assert isinstance(dog, Label) and dog.name == "dog"
    assert dog.dataset_version_id == env.v.id
    assert env.v.get_label("dog") == dog
    assert {label.name for label in env.v.list_labels()} == {"cat", "dog"}


def test_get_or_create_label(env: Setup) -> None:
    assert env.v.get_or_create_label("cat") == env.label
    bird = env.v.get_or_create_label("bird")
    assert bird.name == "bird" and bird != env.label
    assert env.v.get_label("bird") == bird
    assert len(env.v.list_labels()) == 2


def test_duplicate_label_name_is_a_conflict(env: Setup) -> None:
    with pytest.raises(ConflictError, match="cat"):
        env.v.create_label("cat")
    dog = env.v.create_label("dog")
    with pytest.raises(ConflictError, match="cat"):
        dog.update(name="cat")
    assert env.v.get_label("dog") == dog


def test_same_label_name_in_two_versions(env: Setup) -> None:
    other = env.ds.create_version("v2")
    assert other.create_label("cat") != env.label


def test_unknown_label_is_not_found(env: Setup) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        env.v.get_label("ghost")


def test_rename_and_delete_label(env: Setup) -> None:
    env.label.update(name="kitten")
    assert env.label.name == "kitten"
    assert env.v.get_label("kitten") == env.label
    with pytest.raises(NotFoundError):
        env.v.get_label("cat")
    env.label.delete()
    assert env.v.list_labels() == []


def test_delete_label_used_by_shapes_is_a_conflict(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    rectangle = annotation.create_rectangle(1, 2, 3, 4, env.label)
    with pytest.raises(ConflictError, match="cat"):
        env.label.delete()
    assert env.v.list_labels() == [env.label]
    rectangle.delete()
    env.label.delete()
    assert env.v.list_labels() == []


def test_label_used_by_trashed_shapes_cannot_be_deleted(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    annotation.create_classification(env.label)
    annotation.delete()  # in the trash, restorable with its shapes: the label must stay
    with pytest.raises(ConflictError):
        env.label.delete()
    assert env.v.list_labels() == [env.label]


# Workers


def test_dataset_creator_is_a_worker(client: Client, env: Setup) -> None:
    workers = env.ds.list_workers()
    assert [w.username for w in workers] == [client.username]
    worker = env.ds.find_worker(client.username)
    assert isinstance(worker, Worker) and worker == workers[0]
    assert worker.user_id == client.user_id
    assert worker.dataset_id == env.ds.id
    assert isinstance(worker.id, uuid.UUID)


def test_add_worker_of_the_same_organization(env: Setup, new_colleague: Callable[[], str]) -> None:
    username = new_colleague()
    worker = env.ds.add_worker(username)
    assert worker.username == username
    assert env.ds.find_worker(username) == worker
    assert len(env.ds.list_workers()) == 2
    assert env.ds.add_worker(username) == worker  # already a worker: the same one
    assert len(env.ds.list_workers()) == 2


def test_add_unknown_worker_is_not_found(env: Setup) -> None:
    with pytest.raises(NotFoundError, match="nobody-here"):
        env.ds.add_worker("nobody-here")
    with pytest.raises(NotFoundError):
        env.ds.find_worker("nobody-here")
    assert len(env.ds.list_workers()) == 1


def test_add_worker_of_another_organization_is_not_found(env: Setup, other_client: Client) -> None:
    with pytest.raises(NotFoundError):
        env.ds.add_worker(other_client.username)
    assert len(env.ds.list_workers()) == 1


# Annotations


def test_create_annotation_belongs_to_the_current_worker(client: Client, env: Setup) -> None:
    annotation = env.assets[0].create_annotation(duration=0.5)
    assert isinstance(annotation, Annotation)
    assert annotation.worker_id == env.ds.find_worker(client.username).id
    assert annotation.asset_id == env.assets[0].id
    assert annotation.dataset_version_id == env.v.id
    assert annotation.duration == 0.5
    assert annotation.status is AnnotationStatus.PENDING


def test_get_annotation_of_current_user_and_of_a_worker(client: Client, env: Setup) -> None:
    annotation = env.assets[0].create_annotation(duration=0.5)
    worker = env.ds.find_worker(client.username)
    assert env.assets[0].get_annotation().id == annotation.id
    assert env.assets[0].get_annotation(worker).id == annotation.id
    assert env.assets[0].list_annotations() == [annotation]


def test_get_annotation_of_current_user_without_one_is_not_found(env: Setup) -> None:
    with pytest.raises(NotFoundError):
        env.assets[0].get_annotation()


def test_second_annotation_of_the_same_worker_is_a_conflict(client: Client, env: Setup) -> None:
    env.assets[0].create_annotation()
    with pytest.raises(ConflictError):
        env.assets[0].create_annotation()
    with pytest.raises(ConflictError):
        env.assets[0].create_annotation(worker=env.ds.find_worker(client.username))
    assert len(env.assets[0].list_annotations()) == 1


def test_another_worker_annotates_the_same_asset(
    env: Setup, new_colleague: Callable[[], str]
) -> None:
    mine = env.assets[0].create_annotation()
    other_worker = env.ds.add_worker(new_colleague())
    theirs = env.assets[0].create_annotation(worker=other_worker)
    assert theirs.worker_id == other_worker.id and theirs != mine
    assert {a.id for a in env.assets[0].list_annotations()} == {mine.id, theirs.id}
    assert env.assets[0].get_annotation(other_worker) == theirs
    assert env.assets[0].get_annotation() == mine


def test_get_annotation_of_a_worker_without_one_is_not_found(
    env: Setup, new_colleague: Callable[[], str]
) -> None:
    env.assets[0].create_annotation()
    idle = env.ds.add_worker(new_colleague())
    with pytest.raises(NotFoundError):
        env.assets[0].get_annotation(idle)


def test_worker_of_another_dataset_is_refused(client: Client, env: Setup) -> None:
    other_ds = client.create_dataset("other")
    stranger = other_ds.find_worker(client.username)
    with pytest.raises(NotFoundError, match=str(stranger.id)):
        env.assets[0].create_annotation(worker=stranger)
    assert env.assets[0].list_annotations() == []
    env.assets[0].create_annotation()
    with pytest.raises(NotFoundError, match=str(stranger.id)):
        env.assets[0].get_annotation(stranger)


@pytest.mark.parametrize("call", ["create_annotation", "get_annotation", "list_annotations"])
def test_non_worker_is_a_bad_request(client: Client, env: Setup, call: str) -> None:
    with pytest.raises(BadRequestError, match="Worker"):
        if call == "list_annotations":
            env.v.list_annotations(worker=client.username)  # type: ignore[arg-type]
        else:
            getattr(env.assets[0], call)(worker=client.username)


def test_update_sync_and_delete_annotation(env: Setup) -> None:
    annotation = env.assets[0].create_annotation(duration=0.5)
    annotation.update(duration=12.5, status=AnnotationStatus.ACCEPTED)
    assert annotation.duration == 12.5 and annotation.status is AnnotationStatus.ACCEPTED
    annotation.update(status="REFUSED")
    assert annotation.duration == 12.5 and annotation.status is AnnotationStatus.REFUSED
    stale = env.assets[0].list_annotations()[0]
    stale.sync()
    assert stale.status is AnnotationStatus.REFUSED and stale.duration == 12.5
    annotation.delete()
    assert env.assets[0].list_annotations() == []
    with pytest.raises(NotFoundError):
        annotation.sync()
    with pytest.raises(NotFoundError):
        env.assets[0].get_annotation()


def test_new_annotation_after_deleting_one(env: Setup) -> None:
    first = env.assets[0].create_annotation()
    first.delete()
    second = env.assets[0].create_annotation()
    assert second != first
    assert env.assets[0].get_annotation() == second


@pytest.mark.parametrize("changes", [{"duration": -1}, {"status": "FINISHED"}])
def test_invalid_annotation_update(env: Setup, changes: dict[str, Any]) -> None:
    annotation = env.assets[0].create_annotation(duration=2)
    with pytest.raises(BadRequestError):
        annotation.update(**changes)
    annotation.sync()
    assert annotation.duration == 2 and annotation.status is AnnotationStatus.PENDING


def test_negative_duration_is_refused(env: Setup) -> None:
    with pytest.raises(BadRequestError, match="duration"):
        env.assets[0].create_annotation(duration=-0.5)
    assert env.assets[0].list_annotations() == []


@pytest.mark.parametrize("duration", [math.nan, math.inf])
def test_non_finite_duration_is_a_bad_request(env: Setup, duration: float) -> None:
    with pytest.raises(BadRequestError, match="duration"):
        env.assets[0].create_annotation(duration=duration)


def test_list_annotations_of_a_version(env: Setup, new_colleague: Callable[[], str]) -> None:
    other_worker = env.ds.add_worker(new_colleague())
    mine = [asset.create_annotation() for asset in env.assets[:3]]
    theirs = env.assets[0].create_annotation(worker=other_worker)
    mine[1].update(status=AnnotationStatus.ACCEPTED)
    theirs.update(status=AnnotationStatus.ACCEPTED)
    assert {a.id for a in env.v.list_annotations()} == {a.id for a in [*mine, theirs]}
    assert env.v.list_annotations(worker=other_worker) == [theirs]
    assert {a.id for a in env.v.list_annotations(status=AnnotationStatus.ACCEPTED)} == {
        mine[1].id,
        theirs.id,
    }
    assert env.v.list_annotations(worker=other_worker, status="PENDING") == []
    assert len(env.v.list_annotations(limit=2)) == 2


def test_list_annotations_skips_other_versions(env: Setup) -> None:
    env.assets[0].create_annotation()
    v2 = env.ds.create_version("v2")
    v2.add_data(env.data[0]).items[0].create_annotation()
    assert len(env.v.list_annotations()) == 1
    assert len(v2.list_annotations()) == 1


# Shapes


def test_rectangles_round_trip(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    one = annotation.create_rectangle(1, 2, 30, 40.5, env.label)
    assert isinstance(one, Rectangle) and one.kind is ShapeKind.RECTANGLE
    assert (one.x, one.y, one.w, one.h) == (1, 2, 30, 40.5)
    assert one.label == env.label and one.label_id == env.label.id
    assert one.annotation_id == annotation.id
    many = annotation.create_multiple_rectangles([(0, 0, 5, 5, env.label), (9, 8, 7, 6, dog)])
    assert [(r.x, r.y, r.w, r.h, r.label.name) for r in many] == [
        (0, 0, 5, 5, "cat"),
        (9, 8, 7, 6, "dog"),
    ]
    listed = annotation.list_rectangles()
    assert [(r.id, r.x, r.y, r.w, r.h, r.label.name) for r in listed] == [
        (one.id, 1, 2, 30, 40.5, "cat"),
        (many[0].id, 0, 0, 5, 5, "cat"),
        (many[1].id, 9, 8, 7, 6, "dog"),
    ]


def test_polygons_round_trip(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    one = annotation.create_polygon(TRIANGLE, env.label)
    assert isinstance(one, Polygon) and one.coords == TRIANGLE and one.label == env.label
    many = annotation.create_multiple_polygons(
        [(SQUARE, env.label), ([(1, 1), (2, 1), (2, 2)], env.label)]
    )
    assert [p.coords for p in many] == [SQUARE, [[1, 1], [2, 1], [2, 2]]]
    assert [(p.id, p.coords, p.label.name) for p in annotation.list_polygons()] == [
        (one.id, TRIANGLE, "cat"),
        (many[0].id, SQUARE, "cat"),
        (many[1].id, [[1, 1], [2, 1], [2, 2]], "cat"),
    ]


def test_classifications_round_trip(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    one = annotation.create_classification(env.label)
    assert isinstance(one, Classification) and one.label == env.label
    many = annotation.create_multiple_classifications([dog, env.label])
    assert [c.label.name for c in many] == ["dog", "cat"]
    assert [(c.id, c.label.name) for c in annotation.list_classifications()] == [
        (one.id, "cat"),
        (many[0].id, "dog"),
        (many[1].id, "cat"),
    ]


def test_points_round_trip(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    one = annotation.create_point([3, 4], env.label)
    assert isinstance(one, Point) and one.coords == [[3, 4]]
    many = annotation.create_multiple_points([([[5, 6]], env.label), ((7.5, 8), env.label)])
    assert [p.coords for p in many] == [[[5, 6]], [[7.5, 8]]]
    assert [(p.id, p.coords, p.label.name) for p in annotation.list_points()] == [
        (one.id, [[3, 4]], "cat"),
        (many[0].id, [[5, 6]], "cat"),
        (many[1].id, [[7.5, 8]], "cat"),
    ]


def test_lines_round_trip(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    one = annotation.create_line([[0, 0], [10, 10]], env.label)
    assert isinstance(one, Line) and one.coords == [[0, 0], [10, 10]]
    many = annotation.create_multiple_lines([(TRIANGLE, env.label), ([[1, 2], [3, 4]], env.label)])
    assert [line.coords for line in many] == [TRIANGLE, [[1, 2], [3, 4]]]
    assert [(line.id, line.coords) for line in annotation.list_lines()] == [
        (one.id, [[0, 0], [10, 10]]),
        (many[0].id, TRIANGLE),
        (many[1].id, [[1, 2], [3, 4]]),
    ]


def test_list_shapes_by_kind(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    rectangle = annotation.create_rectangle(0, 0, 1, 1, env.label)
    polygon = annotation.create_polygon(TRIANGLE, env.label)
    classification = annotation.create_classification(env.label)
    point = annotation.create_point([1, 1], env.label)
    line = annotation.create_line([[0, 0], [1, 1]], env.label)
    assert annotation.list_shapes() == [rectangle, polygon, classification, point, line]
    assert [type(s) for s in annotation.list_shapes()] == [
        Rectangle,
        Polygon,
        Classification,
        Point,
        Line,
    ]
    assert annotation.list_rectangles() == [rectangle]
    assert annotation.list_polygons() == [polygon]
    assert annotation.list_classifications() == [classification]
    assert annotation.list_points() == [point]
    assert annotation.list_lines() == [line]
    assert annotation.list_shapes(ShapeKind.POINT) == [point]
    assert all(s.label == env.label for s in annotation.list_shapes())


def test_shapes_belong_to_their_annotation(env: Setup) -> None:
    first = env.assets[0].create_annotation()
    second = env.assets[1].create_annotation()
    first.create_rectangle(0, 0, 1, 1, env.label)
    assert second.list_shapes() == []


def test_update_rectangle(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    rectangle = annotation.create_rectangle(1, 2, 3, 4, env.label)
    rectangle.update(x=10, h=40)
    assert (rectangle.x, rectangle.y, rectangle.w, rectangle.h) == (10, 2, 3, 40)
    rectangle.update(label=dog, text="a dog")
    assert rectangle.label == dog and rectangle.text == "a dog"
    [listed] = annotation.list_rectangles()
    assert (listed.x, listed.y, listed.w, listed.h, listed.label, listed.text) == (
        10,
        2,
        3,
        40,
        dog,
        "a dog",
    )


def test_update_polygon(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    polygon = annotation.create_polygon(TRIANGLE, env.label)
    polygon.update(coords=SQUARE, label=dog)
    assert polygon.coords == SQUARE and polygon.label == dog
    [listed] = annotation.list_polygons()
    assert listed.coords == SQUARE and listed.label == dog


def test_update_line(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    line = annotation.create_line([[0, 0], [1, 1]], env.label)
    line.update(coords=TRIANGLE)
    assert annotation.list_lines()[0].coords == TRIANGLE


def test_update_point(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    point = annotation.create_point([1, 1], env.label)
    point.update(coords=[[7, 8]])
    assert point.coords == [[7, 8]]
    assert annotation.list_points()[0].coords == [[7, 8]]


def test_update_point_given_as_a_pair(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    point = annotation.create_point([1, 1], env.label)
    point.update(coords=[7, 8])
    assert point.coords == [[7, 8]]


def test_update_classification(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    classification = annotation.create_classification(env.label)
    classification.update(label=dog)
    assert classification.label == dog
    assert annotation.list_classifications()[0].label == dog


def test_delete_shapes(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    rectangle = annotation.create_rectangle(0, 0, 1, 1, env.label)
    polygon = annotation.create_polygon(TRIANGLE, env.label)
    classification = annotation.create_classification(env.label)
    point = annotation.create_point([1, 1], env.label)
    line = annotation.create_line([[0, 0], [1, 1]], env.label)
    rectangle.delete()
    assert annotation.list_shapes() == [polygon, classification, point, line]
    for shape in (polygon, classification, point, line):
        shape.delete()
    assert annotation.list_shapes() == []
    with pytest.raises(NotFoundError):
        rectangle.delete()
    with pytest.raises(NotFoundError):
        rectangle.update(x=3)


def test_a_shape_wholly_outside_its_image_is_refused(env: Setup) -> None:
    asset = env.assets[0]
    width, height = asset.width, asset.height
    annotation = asset.create_annotation()
    kept = annotation.create_rectangle(1, 1, 5, 5, env.label)
    outside = [
        lambda: annotation.create_multiple_rectangles(
            [(0, 0, 5, 5, env.label), (width + 1, 0, 5, 5, env.label)]
        ),
        lambda: annotation.create_multiple_rectangles(
            [(0, 0, 5, 5, env.label), (-20, -20, 10, 10, env.label)]
        ),
        lambda: annotation.create_multiple_polygons(
            [
                (TRIANGLE, env.label),
                ([[0, height + 1], [9, height + 1], [5, height + 9]], env.label),
            ]
        ),
        lambda: annotation.create_multiple_points(
            [([1, 1], env.label), ([width * 2, 1], env.label)]
        ),
        lambda: annotation.create_multiple_lines(
            [([[0, 0], [1, 1]], env.label), ([[-5, -5], [-1, -9]], env.label)]
        ),
        lambda: annotation.overwrite(
            rectangles=[(0, 0, 5, 5, env.label), (0, height + 0.5, 5, 5, env.label)]
        ),
    ]
    for attempt in outside:
        with pytest.raises(
            BadRequestError, match=f"shape 1: lies wholly outside its {width} x {height} image"
        ):
            attempt()
    assert annotation.list_shapes() == [kept]  # none of a refused request is stored
    with pytest.raises(BadRequestError, match="wholly outside"):
        kept.update(x=width + 10)
    assert annotation.list_shapes()[0].x == 1
    # Overhanging the border, touching it, or around the whole image is kept as drawn.
    annotation.create_multiple_rectangles(
        [(-5, -5, 10, 10, env.label), (width, height, 5, 5, env.label)]
    )
    annotation.create_point([width, height], env.label)
    annotation.create_polygon([[-10, -10], [width + 10, -10], [width / 2, height * 3]], env.label)
    annotation.create_classification(env.label)
    assert len(annotation.list_shapes()) == 6


def test_overwrite_replaces_every_shape(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    dog = env.v.create_label("dog")
    old = [
        annotation.create_rectangle(0, 0, 1, 1, env.label),
        annotation.create_classification(env.label),
        annotation.create_line([[0, 0], [1, 1]], env.label),
    ]
    new = annotation.overwrite(
        rectangles=[(1, 2, 3, 4, dog), (5, 6, 7, 8, env.label)], polygons=[(TRIANGLE, dog)]
    )
    assert not set(old) & set(annotation.list_shapes())
    assert annotation.list_shapes() == new
    assert [(r.x, r.y, r.w, r.h, r.label.name) for r in annotation.list_rectangles()] == [
        (1, 2, 3, 4, "dog"),
        (5, 6, 7, 8, "cat"),
    ]
    assert [(p.coords, p.label.name) for p in annotation.list_polygons()] == [(TRIANGLE, "dog")]
    assert annotation.list_classifications() == [] and annotation.list_lines() == []


def test_overwrite_with_nothing_clears(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    annotation.create_rectangle(0, 0, 1, 1, env.label)
    assert annotation.overwrite() == []
    assert annotation.list_shapes() == []


def test_overwrite_with_a_bad_shape_keeps_the_old_ones(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    annotation.create_rectangle(0, 0, 1, 1, env.label)
    before = shape_ids(annotation)
    with pytest.raises(BadRequestError):
        annotation.overwrite(
            rectangles=[(1, 2, 3, 4, env.label)], polygons=[(TRIANGLE[:2], env.label)]
        )
    assert shape_ids(annotation) == before


def test_shape_built_without_its_label_says_so(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    rectangle = annotation.create_rectangle(0, 0, 1, 1, env.label)
    bare = Rectangle(rectangle._connection, rectangle._schema)
    with pytest.raises(BadRequestError):
        _ = bare.label


# Shape validation


@pytest.fixture
def drawn(env: Setup) -> Annotation:
    """An annotation of the first asset holding one rectangle."""
    annotation = env.assets[0].create_annotation()
    annotation.create_rectangle(0, 0, 1, 1, env.label)
    return annotation


@pytest.mark.parametrize(
    "geometry",
    [
        pytest.param((0, 0, 0, 10), id="zero-width"),
        pytest.param((0, 0, 10, 0), id="zero-height"),
        pytest.param((0, 0, -5, 10), id="negative-width"),
        pytest.param((0, 0, 10, -1), id="negative-height"),
        pytest.param((math.nan, 0, 10, 10), id="nan"),
        pytest.param((0, 0, math.inf, 10), id="inf"),
        pytest.param((0, -math.inf, 10, 10), id="minus-inf"),
        pytest.param(("1", 0, 10, 10), id="string"),
        pytest.param((None, 0, 10, 10), id="none"),
        pytest.param((True, 0, 10, 10), id="bool"),
    ],
)
def test_invalid_rectangle(env: Setup, drawn: Annotation, geometry: tuple) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError):
        drawn.create_rectangle(*geometry, env.label)
    assert shape_ids(drawn) == before


@pytest.mark.parametrize(
    ("kind", "coords"),
    [
        pytest.param("polygon", [[0, 0], [1, 1]], id="polygon-with-2-points"),
        pytest.param("polygon", [[0, 0], [1, math.nan], [2, 2]], id="polygon-nan"),
        pytest.param("polygon", [[0, 0], [1, "1"], [2, 2]], id="polygon-string-coordinate"),
        pytest.param("polygon", [[0, 0], [1, 1, 1], [2, 2]], id="polygon-3d-point"),
        pytest.param("polygon", "0,0 1,1 2,2", id="polygon-string"),
        pytest.param("line", [[0, 0]], id="line-with-1-point"),
        pytest.param("line", [[0, 0], [math.inf, 1]], id="line-inf"),
        pytest.param("point", [[0, 0], [1, 1]], id="point-with-2-points"),
        pytest.param("point", [], id="point-with-no-point"),
        pytest.param("point", ["a", 1], id="point-string"),
    ],
)
def test_invalid_coords(env: Setup, drawn: Annotation, kind: str, coords: Any) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError):
        getattr(drawn, f"create_{kind}")(coords, env.label)
    assert shape_ids(drawn) == before


def test_label_of_another_version_is_refused(env: Setup, drawn: Annotation) -> None:
    foreign = env.ds.create_version("v2").create_label("cat")
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError, match="another dataset version"):
        drawn.create_rectangle(0, 0, 1, 1, foreign)
    with pytest.raises(BadRequestError):
        drawn.create_classification(foreign)
    with pytest.raises(BadRequestError):
        drawn.list_shapes()[0].update(label=foreign)
    assert shape_ids(drawn) == before
    assert drawn.list_shapes()[0].label == env.label


@pytest.mark.parametrize("label", ["cat", None, 3])
def test_non_label_is_refused(env: Setup, drawn: Annotation, label: Any) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError):
        drawn.create_rectangle(0, 0, 1, 1, label)
    with pytest.raises(BadRequestError):
        drawn.create_multiple_classifications([env.label, label])
    with pytest.raises(BadRequestError):
        drawn.create_polygon(TRIANGLE, label)
    assert shape_ids(drawn) == before


def test_one_bad_rectangle_stores_none(env: Setup, drawn: Annotation) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError, match="rectangle 2"):
        drawn.create_multiple_rectangles(
            [
                (0, 0, 1, 1, env.label),
                (1, 1, 2, 2, env.label),
                (2, 2, 0, 3, env.label),
                (3, 3, 1, 1, env.label),
            ]
        )
    assert shape_ids(drawn) == before


def test_malformed_rectangle_item_names_its_index(env: Setup, drawn: Annotation) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError, match="rectangle 1"):
        drawn.create_multiple_rectangles([(0, 0, 1, 1, env.label), (1, 1, 2, env.label)])
    assert shape_ids(drawn) == before


def test_one_bad_polygon_stores_none(env: Setup, drawn: Annotation) -> None:
    before = shape_ids(drawn)
    with pytest.raises(BadRequestError, match="polygon 1"):
        drawn.create_multiple_polygons([(TRIANGLE, env.label), ([[0, 0], [1, 1]], env.label)])
    assert shape_ids(drawn) == before


@pytest.mark.parametrize("changes", [{"w": 0}, {"h": -2}, {"x": math.nan}, {"y": "3"}])
def test_invalid_rectangle_update(drawn: Annotation, changes: dict[str, Any]) -> None:
    rectangle = drawn.list_rectangles()[0]
    with pytest.raises(BadRequestError):
        rectangle.update(**changes)
    [stored] = drawn.list_rectangles()
    assert (stored.x, stored.y, stored.w, stored.h) == (0, 0, 1, 1)


def test_invalid_polygon_update(env: Setup, drawn: Annotation) -> None:
    polygon = drawn.create_polygon(TRIANGLE, env.label)
    with pytest.raises(BadRequestError):
        polygon.update(coords=[[0, 0], [1, 1]])
    assert drawn.list_polygons()[0].coords == TRIANGLE


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({"kind": "RECTANGLE", "x": 0, "y": 0, "w": 0, "h": 1}, id="zero-width"),
        pytest.param({"kind": "RECTANGLE", "x": 0, "y": 0, "w": 1}, id="no-height"),
        pytest.param({"kind": "RECTANGLE", "x": 0, "y": 0, "w": 1, "h": "wide"}, id="string"),
        pytest.param({"kind": "POLYGON", "coords": [[0, 0], [1, 1]]}, id="polygon-2-points"),
        pytest.param({"kind": "LINE", "coords": [[0, 0]]}, id="line-1-point"),
        pytest.param({"kind": "POINT", "coords": [[0, 0], [1, 1]]}, id="point-2-points"),
        pytest.param({"kind": "POINT"}, id="point-without-coords"),
        pytest.param({"kind": "CIRCLE", "coords": [[0, 0]]}, id="unknown-kind"),
    ],
)
def test_api_validates_shapes_too(
    client: Client, env: Setup, drawn: Annotation, shape: dict[str, Any]
) -> None:
    """The API checks shapes itself, for callers that bypass the SDK's checks."""
    before = shape_ids(drawn)
    good = {"kind": "RECTANGLE", "label_id": str(env.label.id), "x": 0, "y": 0, "w": 1, "h": 1}
    with pytest.raises(BadRequestError):
        client._connection.request(
            "POST",
            f"/annotations/{drawn.id}/shapes",
            json={"shapes": [good, {**shape, "label_id": str(env.label.id)}]},
        )
    assert shape_ids(drawn) == before


def test_api_names_the_bad_shape(client: Client, env: Setup, drawn: Annotation) -> None:
    good = {"kind": "RECTANGLE", "label_id": str(env.label.id), "x": 0, "y": 0, "w": 1, "h": 1}
    with pytest.raises(BadRequestError, match="shape 1"):
        client._connection.request(
            "POST", f"/annotations/{drawn.id}/shapes", json={"shapes": [good, {**good, "h": 0}]}
        )


# Locked versions


@dataclass
class Locked:
    env: Setup
    annotation: Annotation
    rectangle: Rectangle
    tag: Any


@pytest.fixture
def locked(client: Client, env: Setup) -> Locked:
    """The version of ``env`` locked, with one annotation holding one rectangle and an
    asset tag on the last asset."""
    annotation = env.assets[0].create_annotation(duration=1)
    rectangle = annotation.create_rectangle(1, 2, 3, 4, env.label)
    tag = client.create_tag("checked", Target.ASSET)
    env.assets[3].add_tags(tag)
    env.v.lock()
    assert env.v.locked
    return Locked(env=env, annotation=annotation, rectangle=rectangle, tag=tag)


def test_locked_version_refuses_annotation_writes(client: Client, locked: Locked) -> None:
    env, annotation = locked.env, locked.annotation
    me = env.ds.find_worker(client.username)
    with pytest.raises(LockedError):
        env.assets[1].create_annotation()
    with pytest.raises(LockedError):
        env.assets[1].create_annotation(worker=me)
    with pytest.raises(LockedError):
        annotation.update(duration=9, status=AnnotationStatus.ACCEPTED)
    with pytest.raises(LockedError):
        annotation.delete()
    with pytest.raises(LockedError):
        env.assets[0].delete_annotations()
    with pytest.raises(LockedError):
        env.assets.delete_annotations(workers=[me])
    assert env.v.list_annotations() == [annotation]
    annotation.sync()
    assert annotation.duration == 1 and annotation.status is AnnotationStatus.PENDING


def test_locked_version_refuses_shape_writes(locked: Locked) -> None:
    annotation, label, rectangle = locked.annotation, locked.env.label, locked.rectangle
    writes: list[Callable[[], Any]] = [
        lambda: annotation.create_rectangle(0, 0, 1, 1, label),
        lambda: annotation.create_multiple_rectangles([(0, 0, 1, 1, label)]),
        lambda: annotation.create_polygon(TRIANGLE, label),
        lambda: annotation.create_multiple_polygons([(TRIANGLE, label)]),
        lambda: annotation.create_classification(label),
        lambda: annotation.create_multiple_classifications([label]),
        lambda: annotation.create_point([1, 1], label),
        lambda: annotation.create_multiple_points([([1, 1], label)]),
        lambda: annotation.create_line([[0, 0], [1, 1]], label),
        lambda: annotation.create_multiple_lines([([[0, 0], [1, 1]], label)]),
        lambda: annotation.overwrite(rectangles=[(5, 5, 5, 5, label)]),
        lambda: annotation.overwrite(),
        lambda: rectangle.update(x=50),
        lambda: rectangle.delete(),
    ]
    for write in writes:
        with pytest.raises(LockedError):
            write()
    [stored] = annotation.list_shapes()
    assert stored == rectangle and (stored.x, stored.y, stored.w, stored.h) == (1, 2, 3, 4)


def test_locked_version_refuses_label_writes(locked: Locked) -> None:
    env = locked.env
    spare = env.v.list_labels()
    with pytest.raises(LockedError):
        env.v.create_label("dog")
    with pytest.raises(LockedError):
        env.v.get_or_create_label("dog")
    with pytest.raises(LockedError):
        env.label.update(name="kitten")
    with pytest.raises(LockedError):
        env.label.delete()
    assert env.v.list_labels() == spare
    assert env.v.get_label("cat") == env.label


def test_locked_version_refuses_asset_writes(locked: Locked) -> None:
    env, tag = locked.env, locked.tag
    with pytest.raises(LockedError):
        env.assets[0].delete()
    with pytest.raises(LockedError):
        env.assets.delete()
    with pytest.raises(LockedError):
        env.assets.add_tags(tag)
    with pytest.raises(LockedError):
        env.assets[1].add_tags(tag)
    with pytest.raises(LockedError):
        env.assets[3].remove_tags(tag)
    with pytest.raises(LockedError):
        env.v.add_data(env.data[4])
    with pytest.raises(LockedError):
        env.v.add_data(env.data[:4], tags=["new"])
    assert env.v.list_assets().ids == env.assets.ids
    assert env.v.list_assets(tags=tag).ids == [env.assets[3].id]
    assert len(env.v.list_deleted_assets()) == 0


def test_locked_version_refuses_restoring_assets(env: Setup) -> None:
    env.assets[0].delete()
    env.v.lock()
    with pytest.raises(LockedError):
        env.v.restore_assets(env.v.list_deleted_assets())
    assert len(env.v.list_assets()) == 3
    assert len(env.v.list_deleted_assets()) == 1


def test_locked_version_still_reads(client: Client, locked: Locked) -> None:
    env, annotation = locked.env, locked.annotation
    assert len(env.v.list_assets()) == 4
    assert env.v.find_asset(id=env.assets[0].id) == env.assets[0]
    assert env.v.list_labels() == [env.label]
    assert env.v.get_label("cat") == env.label
    assert env.assets[0].get_annotation() == annotation
    assert env.assets[0].get_annotation(env.ds.find_worker(client.username)) == annotation
    assert env.assets[0].list_annotations() == [annotation]
    assert env.v.list_annotations() == [annotation]
    assert annotation.list_shapes() == [locked.rectangle]
    assert annotation.list_shapes()[0].label == env.label
    annotation.sync()
    env.assets[0].sync()
    assert env.v.retrieve_stats().nb_annotations == 1


def test_unlock_allows_writes_again(locked: Locked) -> None:
    env, annotation = locked.env, locked.annotation
    env.v.unlock()
    assert not env.v.locked
    annotation.update(status=AnnotationStatus.ACCEPTED)
    annotation.create_classification(env.v.create_label("dog"))
    locked.rectangle.update(x=9)
    env.assets[1].create_annotation()
    env.assets[1].add_tags(locked.tag)
    env.assets[3].remove_tags(locked.tag)
    env.v.add_data(env.data[4])
    env.assets[2].delete()
    assert len(env.v.list_assets()) == 4
    assert len(annotation.list_shapes()) == 2
    assert len(env.v.list_annotations()) == 2
    assert env.v.list_assets(tags=locked.tag).ids == [env.assets[1].id]


def test_lock_is_per_version(env: Setup) -> None:
    v2 = env.ds.create_version("v2")
    env.v.lock()
    assets = v2.add_data(env.data[:2])
    annotation = assets[0].create_annotation()
    annotation.create_classification(v2.create_label("cat"))
    assert len(annotation.list_shapes()) == 1


# Deleting annotations


def test_asset_delete_annotations_removes_all_of_its_annotations(
    env: Setup, new_colleague: Callable[[], str]
) -> None:
    other_worker = env.ds.add_worker(new_colleague())
    env.assets[0].create_annotation().create_classification(env.label)
    env.assets[0].create_annotation(worker=other_worker)
    kept = env.assets[1].create_annotation()
    env.assets[0].delete_annotations()
    assert env.assets[0].list_annotations() == []
    assert env.v.list_annotations() == [kept]


def test_delete_annotations_of_one_worker(
    client: Client, env: Setup, new_colleague: Callable[[], str]
) -> None:
    other_worker = env.ds.add_worker(new_colleague())
    mine = [asset.create_annotation() for asset in env.assets]
    for asset in env.assets[:2]:
        asset.create_annotation(worker=other_worker)
    env.assets.delete_annotations(workers=[other_worker])
    assert {a.id for a in env.v.list_annotations()} == {a.id for a in mine}
    env.assets[:2].delete_annotations(workers=[env.ds.find_worker(client.username)])
    assert {a.id for a in env.v.list_annotations()} == {a.id for a in mine[2:]}


def test_delete_annotations_with_a_worker_of_another_dataset(client: Client, env: Setup) -> None:
    annotations = [asset.create_annotation() for asset in env.assets]
    stranger = client.create_dataset("other").find_worker(client.username)
    with pytest.raises(NotFoundError):
        env.assets.delete_annotations(workers=[stranger])
    with pytest.raises(NotFoundError):
        env.assets.delete_annotations(workers=[env.ds.find_worker(client.username), stranger])
    assert {a.id for a in env.v.list_annotations()} == {a.id for a in annotations}


def test_delete_annotations_refuses_non_workers(env: Setup) -> None:
    annotation = env.assets[0].create_annotation()
    with pytest.raises(BadRequestError):
        env.assets.delete_annotations(workers=["someone"])  # type: ignore[list-item]
    assert env.v.list_annotations() == [annotation]


# Another organization


@dataclass
class Drawn:
    asset: Asset
    annotation: Annotation
    rectangle: Rectangle


@pytest.fixture
def mine(env: Setup) -> Drawn:
    annotation = env.assets[0].create_annotation(duration=3)
    rectangle = annotation.create_rectangle(1, 2, 3, 4, env.label)
    return Drawn(asset=env.assets[0], annotation=annotation, rectangle=rectangle)


def test_other_organization_cannot_see_an_annotation(other_client: Client, mine: Drawn) -> None:
    forged = Annotation(other_client._connection, mine.annotation._schema)
    with pytest.raises(NotFoundError):
        forged.sync()
    with pytest.raises(NotFoundError):
        forged.list_shapes()
    with pytest.raises(NotFoundError):
        forged.list_rectangles()


def test_other_organization_cannot_change_an_annotation(
    other_client: Client, env: Setup, mine: Drawn
) -> None:
    forged = Annotation(other_client._connection, mine.annotation._schema)
    forged_label = Label(other_client._connection, env.label._schema)
    with pytest.raises(NotFoundError):
        forged.update(duration=99, status=AnnotationStatus.REFUSED)
    with pytest.raises(NotFoundError):
        forged.create_rectangle(0, 0, 1, 1, forged_label)
    with pytest.raises(NotFoundError):
        forged.overwrite()
    with pytest.raises(NotFoundError):
        forged.delete()
    mine.annotation.sync()
    assert mine.annotation.duration == 3
    assert mine.annotation.status is AnnotationStatus.PENDING
    assert mine.annotation.list_shapes() == [mine.rectangle]


def test_other_organization_cannot_touch_a_shape(
    other_client: Client, env: Setup, mine: Drawn
) -> None:
    forged = Rectangle(other_client._connection, mine.rectangle._schema)
    with pytest.raises(NotFoundError):
        forged.update(x=100)
    with pytest.raises(NotFoundError):
        forged.delete()
    [stored] = mine.annotation.list_rectangles()
    assert stored.x == 1


def test_other_organization_cannot_touch_a_label(other_client: Client, env: Setup) -> None:
    forged = Label(other_client._connection, env.label._schema)
    with pytest.raises(NotFoundError):
        forged.update(name="stolen")
    with pytest.raises(NotFoundError):
        forged.delete()
    assert env.v.list_labels() == [env.label] and env.label.name == "cat"
    forged_version = DatasetVersion(other_client._connection, env.v._schema)
    with pytest.raises(NotFoundError):
        forged_version.list_labels()
    with pytest.raises(NotFoundError):
        forged_version.create_label("intruder")
    assert env.v.list_labels() == [env.label]


def test_other_organization_cannot_annotate_an_asset(
    other_client: Client, env: Setup, mine: Drawn
) -> None:
    forged = Asset(other_client._connection, mine.asset._schema)
    with pytest.raises(NotFoundError):
        forged.create_annotation()
    with pytest.raises(NotFoundError):
        forged.get_annotation()
    with pytest.raises(NotFoundError):
        forged.list_annotations()
    with pytest.raises(NotFoundError):
        forged.delete_annotations()
    forged_version = DatasetVersion(other_client._connection, env.v._schema)
    with pytest.raises(NotFoundError):
        forged_version.list_annotations()
    assert env.v.list_annotations() == [mine.annotation]


def test_other_organizations_worker_and_label_are_not_found(
    client: Client, other_client: Client, env: Setup, mine: Drawn
) -> None:
    their_ds = other_client.create_dataset("theirs")
    their_v = their_ds.create_version("v1")
    their_label = their_v.create_label("cat")
    their_worker = their_ds.find_worker(other_client.username)
    with pytest.raises(NotFoundError):
        env.assets[1].create_annotation(worker=Worker(client._connection, their_worker._schema))
    with pytest.raises(NotFoundError):
        mine.asset.get_annotation(Worker(client._connection, their_worker._schema))
    with pytest.raises(NotFoundError):
        env.assets.delete_annotations(workers=[Worker(client._connection, their_worker._schema)])
    with pytest.raises(NotFoundError):
        mine.annotation.create_classification(Label(client._connection, their_label._schema))
    assert mine.annotation.list_shapes() == [mine.rectangle]
    assert env.v.list_annotations() == [mine.annotation]


def test_our_worker_cannot_annotate_their_asset(
    client: Client, other_client: Client, env: Setup, images: list[Path]
) -> None:
    their_v = other_client.create_dataset("theirs").create_version("v1")
    their_asset = their_v.add_data(other_client.get_datalake().upload_data(images[0]))[0]
    our_worker = env.ds.find_worker(client.username)
    with pytest.raises(NotFoundError):
        their_asset.create_annotation(worker=Worker(other_client._connection, our_worker._schema))
    assert their_asset.list_annotations() == []
