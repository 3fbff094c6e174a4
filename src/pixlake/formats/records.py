"""What the writers read: one image with its shapes, as plain values (no database rows)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pixlake.enums import ShapeKind

__all__ = ["ExportImage", "ExportShape"]


@dataclass(frozen=True, slots=True)
class ExportShape:
    """One shape, its label given by its index in label order (see ``conventions``)."""

    kind: ShapeKind
    label_index: int
    x: float | None = None
    y: float | None = None
    w: float | None = None
    h: float | None = None
    coords: list[list[float]] | None = None


@dataclass(frozen=True, slots=True)
class ExportImage:
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
