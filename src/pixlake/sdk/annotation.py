"""Annotations: one worker's shapes on one asset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from pixlake.enums import AnnotationStatus, ShapeKind
from pixlake.errors import BadRequestError
from pixlake.gcpause import paused_gc
from pixlake.limits import MAX_SHAPES_PER_REQUEST
from pixlake.schemas import AnnotationPublic, LabelPublic, ShapePublic
from pixlake.sdk.arguments import renamed_argument
from pixlake.sdk.base import SchemaField, SdkObject, coerce_enum
from pixlake.sdk.connection import idempotency_keys
from pixlake.sdk.label import Label
from pixlake.sdk.shapes import (
    Classification,
    Line,
    Point,
    Polygon,
    Rectangle,
    Shape,
    label_of,
    shape_of,
)
from pixlake.sdk.wire import parse_many
from pixlake.shapes import check_shape

__all__ = ["Annotation"]

ShapeT = TypeVar("ShapeT", bound=Shape)


def _of_kind(shape_class: type[ShapeT], shapes: list[Shape]) -> list[ShapeT]:
    """``shapes``, each known to be a ``shape_class`` (what the server answers for a
    request of one kind), typed as such."""
    return [shape for shape in shapes if isinstance(shape, shape_class)]


SHAPE_CHUNK = MAX_SHAPES_PER_REQUEST
"""Shapes per request when creating many (the most the server takes): one statement each
on the server."""


class Annotation(SdkObject[AnnotationPublic]):
    """The shapes one worker drew on one asset."""

    asset_id = SchemaField[UUID]()
    dataset_version_id = SchemaField[UUID]()
    worker_id = SchemaField[UUID]()
    duration = SchemaField[float]()
    status = SchemaField[AnnotationStatus]()
    created_at = SchemaField[datetime]()
    updated_at = SchemaField[datetime]()

    def sync(self) -> dict[str, Any]:
        self._schema = AnnotationPublic.model_validate(
            self._connection.request("GET", f"/annotations/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def update(
        self, duration: float | None = None, status: AnnotationStatus | str | None = None
    ) -> None:
        body: dict[str, Any] = {}
        if duration is not None:
            from pixlake.sdk.asset import check_duration  # asset imports this module

            body["duration"] = check_duration(duration)
        if status is not None:
            body["status"] = coerce_enum(AnnotationStatus, status).value
        self._schema = AnnotationPublic.model_validate(
            self._connection.request("PATCH", f"/annotations/{self.id}", json=body)
        )

    def delete(self) -> None:
        """Move this annotation (with its shapes) to the trash."""
        self._connection.request("DELETE", f"/annotations/{self.id}")

    # Creating shapes

    @paused_gc()
    def _send(
        self, shapes: list[dict[str, Any]], labels: dict[UUID, Label], replace: bool = False
    ) -> list[Shape]:
        created: list[Shape] = []
        chunks = [shapes[i : i + SHAPE_CHUNK] for i in range(0, len(shapes), SHAPE_CHUNK)]
        keys = idempotency_keys()  # a retried chunk is answered once, not added twice
        for index, chunk in enumerate(chunks or [[]]):
            rows = self._connection.request(
                "POST",
                f"/annotations/{self.id}/shapes",
                json={"shapes": chunk, "replace": replace and index == 0},
                idempotency_key=next(keys),
            )
            created.extend(
                shape_of(self._connection, item, labels) for item in parse_many(ShapePublic, rows)
            )
        return created

    def _prepare(
        self, kind: ShapeKind, items: Sequence[tuple[Any, Label]], geometry_of: Any
    ) -> tuple[list[dict[str, Any]], dict[UUID, Label]]:
        shapes, labels = [], {}
        name = kind.value.lower()
        for index, (geometry, label) in enumerate(items):
            label = label_of(label)
            labels[label.id] = label
            checked = check_shape(kind, **geometry_of(geometry), where=f"{name} {index}")
            shapes.append(
                {
                    "kind": kind.value,
                    "label_id": str(label.id),
                    **{k: v for k, v in checked.items() if v is not None},
                }
            )
        return shapes, labels

    def create_rectangle(self, x: float, y: float, w: float, h: float, label: Label) -> Rectangle:
        return self.create_multiple_rectangles([(x, y, w, h, label)])[0]

    def create_multiple_rectangles(
        self,
        rectangles: Sequence[tuple[float, float, float, float, Label]],
    ) -> list[Rectangle]:
        """Many rectangles ``(x, y, w, h, label)`` in one request (or chunks of 20,000)."""
        shapes, labels = self._rectangles(rectangles)
        return _of_kind(Rectangle, self._send(shapes, labels))

    def _rectangles(
        self, rectangles: Sequence[Any]
    ) -> tuple[list[dict[str, Any]], dict[UUID, Label]]:
        items = []
        for index, item in enumerate(rectangles):
            if not isinstance(item, Sequence) or len(item) != 5:
                raise BadRequestError(
                    f"rectangle {index}: expected (x, y, w, h, label), got {item!r}"
                )
            items.append((item[:4], item[4]))
        return self._prepare(
            ShapeKind.RECTANGLE, items, lambda g: {"x": g[0], "y": g[1], "w": g[2], "h": g[3]}
        )

    def create_polygon(self, coords: Sequence[Sequence[float]], label: Label) -> Polygon:
        return self.create_multiple_polygons([(coords, label)])[0]

    def create_multiple_polygons(
        self, polygons: Sequence[tuple[Sequence[Any], Label]]
    ) -> list[Polygon]:
        return _of_kind(Polygon, self._send(*self._coords(ShapeKind.POLYGON, polygons)))

    def create_line(self, coords: Sequence[Sequence[float]], label: Label) -> Line:
        return self.create_multiple_lines([(coords, label)])[0]

    def create_multiple_lines(self, lines: Sequence[tuple[Sequence[Any], Label]]) -> list[Line]:
        return _of_kind(Line, self._send(*self._coords(ShapeKind.LINE, lines)))

    def create_point(self, coords: Sequence[float], label: Label) -> Point:
        return self.create_multiple_points([(coords, label)])[0]

    def create_multiple_points(self, points: Sequence[tuple[Sequence[Any], Label]]) -> list[Point]:
        return _of_kind(Point, self._send(*self._coords(ShapeKind.POINT, points)))

    def create_classification(self, label: Label) -> Classification:
        return self.create_multiple_classifications([label])[0]

    def create_multiple_classifications(
        self,
        classifications: Sequence[Label] | None = None,
        *,
        labels: Sequence[Label] | None = None,
    ) -> list[Classification]:
        """A classification per label; ``classifications`` is the Picsellia SDK's name for
        the labels, ``labels`` (pixlake's first name for them) is still taken."""
        labels = renamed_argument(classifications, labels, "classifications", "labels")
        shapes, known = self._prepare(
            ShapeKind.CLASSIFICATION, [(None, label) for label in labels], lambda g: {}
        )
        return _of_kind(Classification, self._send(shapes, known))

    def _coords(
        self, kind: ShapeKind, items: Sequence[Any]
    ) -> tuple[list[dict[str, Any]], dict[UUID, Label]]:
        pairs = []
        for index, item in enumerate(items):
            if not isinstance(item, Sequence) or len(item) != 2:
                raise BadRequestError(
                    f"{kind.value.lower()} {index}: expected (coords, label), got {item!r}"
                )
            pairs.append((item[0], item[1]))
        return self._prepare(kind, pairs, lambda g: {"coords": g})

    def overwrite(
        self,
        rectangles: Sequence[tuple[Any, ...]] | None = None,
        polygons: Sequence[tuple[Any, ...]] | None = None,
        classifications: Sequence[Label] | None = None,
        lines: Sequence[tuple[Any, ...]] | None = None,
        points: Sequence[tuple[Any, ...]] | None = None,
    ) -> list[Shape]:
        """Replace every shape of this annotation by the ones given, in one request."""
        shapes: list[dict[str, Any]] = []
        labels: dict[UUID, Label] = {}
        parts = [
            self._rectangles(rectangles or []),
            self._coords(ShapeKind.POLYGON, polygons or []),
            self._prepare(
                ShapeKind.CLASSIFICATION,
                [(None, label) for label in classifications or []],
                lambda g: {},
            ),
            self._coords(ShapeKind.LINE, lines or []),
            self._coords(ShapeKind.POINT, points or []),
        ]
        for part_shapes, part_labels in parts:
            shapes.extend(part_shapes)
            labels.update(part_labels)
        return self._send(shapes, labels, replace=True)

    # Listing shapes

    def list_shapes(self, kind: ShapeKind | None = None) -> list[Shape]:
        params = {"kind": kind.value} if kind is not None else {}
        rows = self._connection.request("GET", f"/annotations/{self.id}/shapes", params=params)
        labels = {label.id: label for label in self._version_labels()}
        return [shape_of(self._connection, item, labels) for item in parse_many(ShapePublic, rows)]

    def _version_labels(self) -> list[Label]:
        rows = self._connection.request("GET", f"/versions/{self.dataset_version_id}/labels")
        return [Label(self._connection, LabelPublic.model_validate(r)) for r in rows]

    def list_rectangles(self) -> list[Rectangle]:
        return _of_kind(Rectangle, self.list_shapes(ShapeKind.RECTANGLE))

    def list_polygons(self) -> list[Polygon]:
        return _of_kind(Polygon, self.list_shapes(ShapeKind.POLYGON))

    def list_lines(self) -> list[Line]:
        return _of_kind(Line, self.list_shapes(ShapeKind.LINE))

    def list_points(self) -> list[Point]:
        return _of_kind(Point, self.list_shapes(ShapeKind.POINT))

    def list_classifications(self) -> list[Classification]:
        return _of_kind(Classification, self.list_shapes(ShapeKind.CLASSIFICATION))

    def __repr__(self) -> str:
        return f"Annotation(id={self.id}, asset_id={self.asset_id}, worker_id={self.worker_id})"
