"""What the writers read: one image with its shapes, as plain values (no database rows)."""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from pixlake.enums import ShapeKind

__all__ = ["ExportImage", "ExportShape"]


class ExportShape(NamedTuple):
    """One shape, its label given by its index in label order (see ``conventions``).

    A named tuple: an export builds one per shape, half a million for a large version,
    and a tuple is built several times faster than a frozen dataclass."""

    kind: ShapeKind
    label_index: int
    x: float | None = None
    y: float | None = None
    w: float | None = None
    h: float | None = None
    coords: list[list[float]] | None = None


class ExportImage(NamedTuple):
    """One asset's image (its displayed size) and the shapes of its exported annotation."""

    asset_id: str | UUID
    data_id: str | UUID
    """Ids as the database driver gives them (hex text or UUID): only compared and
    written out, never parsed."""
    filename: str
    width: int
    height: int
    checksum: str
    shapes: tuple[ExportShape, ...]
