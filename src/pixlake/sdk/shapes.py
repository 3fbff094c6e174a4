"""Shapes drawn in an annotation: rectangles, polygons, classifications, points, lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from pixlake.enums import ShapeKind
from pixlake.errors import BadRequestError
from pixlake.schemas import ShapePublic
from pixlake.sdk.base import SchemaField, SdkObject
from pixlake.sdk.label import Label
from pixlake.shapes import check_shape

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = ["Classification", "Line", "Point", "Polygon", "Rectangle", "Shape", "shape_of"]


class Shape(SdkObject[ShapePublic]):
    kind: ClassVar[ShapeKind]
    annotation_id = SchemaField[UUID]()
    label_id = SchemaField[UUID]()
    text = SchemaField[str | None]()

    def __init__(
        self, connection: Connection, schema: ShapePublic, label: Label | None = None
    ) -> None:
        super().__init__(connection, schema)
        self._label = label

    @property
    def label(self) -> Label:
        if self._label is None or self._label.id != self.label_id:
            raise BadRequestError(
                "this shape's label is not known here; list shapes through "
                "their annotation to have it"
            )
        return self._label

    def _update(self, label: Label | None = None, text: str | None = None, **geometry: Any) -> None:
        changes = {k: v for k, v in geometry.items() if v is not None}
        if changes:
            merged = {k: getattr(self._schema, k) for k in ("x", "y", "w", "h", "coords")}
            checked = check_shape(self.kind, **(merged | changes), where=self.kind.value.lower())
            changes = {k: checked[k] for k in changes}  # normalised: a point's [x, y] too
        if text is not None:
            changes["text"] = text
        if label is not None:
            changes["label_id"] = str(label_of(label).id)
        self._schema = ShapePublic.model_validate(
            self._connection.request("PATCH", f"/shapes/{self.id}", json=changes)
        )
        if label is not None:
            self._label = label

    def delete(self) -> None:
        self._connection.request("DELETE", f"/shapes/{self.id}")


class Rectangle(Shape):
    kind = ShapeKind.RECTANGLE
    x = SchemaField[float]()
    y = SchemaField[float]()
    w = SchemaField[float]()
    h = SchemaField[float]()

    def update(
        self,
        x: float | None = None,
        y: float | None = None,
        w: float | None = None,
        h: float | None = None,
        label: Label | None = None,
        text: str | None = None,
    ) -> None:
        self._update(label, x=x, y=y, w=w, h=h, text=text)


class _CoordsShape(Shape):
    coords = SchemaField[list[list[float]]]()

    def update(
        self, coords: list[Any] | None = None, label: Label | None = None, text: str | None = None
    ) -> None:
        self._update(label, coords=coords, text=text)


class Polygon(_CoordsShape):
    kind = ShapeKind.POLYGON


class Line(_CoordsShape):
    kind = ShapeKind.LINE


class Point(_CoordsShape):
    kind = ShapeKind.POINT


class Classification(Shape):
    kind = ShapeKind.CLASSIFICATION

    def update(self, label: Label | None = None, text: str | None = None) -> None:
        self._update(label, text=text)


_CLASSES: dict[ShapeKind, type[Shape]] = {
    cls.kind: cls for cls in (Rectangle, Polygon, Line, Point, Classification)
}


def shape_of(connection: Connection, schema: ShapePublic, labels: dict[UUID, Label]) -> Shape:
    return _CLASSES[schema.kind](connection, schema, labels.get(schema.label_id))


def label_of(label: Any) -> Label:
    if not isinstance(label, Label):
        raise BadRequestError(f"expected a Label, got {label!r}")
    return label
