"""Every kind of object pixlake stores, declared once.

A kind says which table holds its objects, which column scopes them to an organization,
which kind is its parent (and through which column), which tag target tags it, whether it
goes to the trash (its ``deleted_at`` is set, and cleared again on restore) and which
ancestor's ``locked`` flag freezes it. Queries ask this module whether an object is alive
instead of writing the rule again:

    an object is alive when neither it nor any of its ancestors is in the trash.

So a version in the trash hides its assets, their annotations and their shapes from every
read (get, list, tags, stats, URLs, downloads), and they come back with it on restore. A new
kind (a model, a model version) is one more entry in ``KINDS``, plus its service.

The declaration is one literal mapping, read by the services; nothing registers itself
when a module is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, select
from sqlalchemy.sql import ColumnElement, FromClause

from pixlake.core import tables as t
from pixlake.enums import Target, TrashKind

__all__ = [
    "ANNOTATION",
    "ASSET",
    "DATA",
    "DATALAKE",
    "DATASET",
    "DATASET_VERSION",
    "KINDS",
    "LABEL",
    "MODEL",
    "MODEL_FILE",
    "MODEL_VERSION",
    "SHAPE",
    "TAG",
    "Kind",
    "ancestors",
    "by_tag_target",
    "in_trash",
    "join_up_to",
    "lineage",
    "not_in_trash",
    "select_visible",
    "trashable_kinds",
    "visible",
]


@dataclass(frozen=True)
class Kind:
    """What one kind of object is. ``parent`` and ``locked_by`` are keys of ``KINDS``."""

    key: str
    label: str
    """How messages name an object of the kind ("dataset version 1234 not found")."""
    table: Table
    parent: str | None = None
    parent_column: str | None = None
    """The column of ``table`` holding the parent's id."""
    organization_column: str = "organization_id"
    tag_target: Target | None = None
    trash_kind: TrashKind | None = None
    """Set when the kind goes to the trash: ``deleted_at`` marks it, restore clears it."""
    locked_by: str | None = None
    """The ancestor kind whose ``locked`` column freezes this object (its content, its tags,
    its coming back from the trash)."""
    name_column: str = "name"
    """The column that names an object of the kind to a person."""

    @property
    def trashable(self) -> bool:
        return self.trash_kind is not None

    @property
    def id_column(self) -> Any:
        return self.table.c.id

    def organization_scope(self, organization_id: UUID) -> ColumnElement[bool]:
        return self.table.c[self.organization_column] == organization_id


KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "DATALAKE": Kind("DATALAKE", "datalake", t.datalakes),
        "DATA": Kind(
            "DATA",
            "data",
            t.data,
            parent="DATALAKE",
            parent_column="datalake_id",
            tag_target=Target.DATA,
            name_column="filename",
        ),
        "DATASET": Kind(
            "DATASET",
            "dataset",
            t.datasets,
            tag_target=Target.DATASET,
            trash_kind=TrashKind.DATASET,
        ),
        "DATASET_VERSION": Kind(
            "DATASET_VERSION",
            "dataset version",
            t.dataset_versions,
            parent="DATASET",
            parent_column="dataset_id",
            tag_target=Target.DATASET_VERSION,
            trash_kind=TrashKind.DATASET_VERSION,
            name_column="version",
        ),
        "ASSET": Kind(
            "ASSET",
            "asset",
            t.assets,
            parent="DATASET_VERSION",
            parent_column="dataset_version_id",
            tag_target=Target.ASSET,
            trash_kind=TrashKind.ASSET,
            locked_by="DATASET_VERSION",
            name_column="id",
        ),
        "ANNOTATION": Kind(
            "ANNOTATION",
            "annotation",
            t.annotations_table,
            parent="ASSET",
            parent_column="asset_id",
            trash_kind=TrashKind.ANNOTATION,
            locked_by="DATASET_VERSION",
            name_column="id",
        ),
        "SHAPE": Kind(
            "SHAPE",
            "shape",
            t.shapes,
            parent="ANNOTATION",
            parent_column="annotation_id",
            locked_by="DATASET_VERSION",
            name_column="id",
        ),
        "LABEL": Kind(
            "LABEL",
            "label",
            t.labels,
            parent="DATASET_VERSION",
            parent_column="dataset_version_id",
            locked_by="DATASET_VERSION",
        ),
        "TAG": Kind("TAG", "tag", t.tags),
        "MODEL": Kind(
            "MODEL",
            "model",
            t.models,
            tag_target=Target.MODEL,
            trash_kind=TrashKind.MODEL,
        ),
        "MODEL_VERSION": Kind(
            "MODEL_VERSION",
            "model version",
            t.model_versions,
            parent="MODEL",
            parent_column="model_id",
            tag_target=Target.MODEL_VERSION,
            trash_kind=TrashKind.MODEL_VERSION,
        ),
        # A file goes to the trash on its own (ModelFile.delete, store with replace=True),
        # so that weights deleted by mistake come back until the trash is purged.
        "MODEL_FILE": Kind(
            "MODEL_FILE",
            "model file",
            t.model_files,
            parent="MODEL_VERSION",
            parent_column="model_version_id",
            trash_kind=TrashKind.MODEL_FILE,
        ),
    }
)

# Short names for the services; the mapping above stays the one declaration.
DATALAKE = KINDS["DATALAKE"]
DATA = KINDS["DATA"]
DATASET = KINDS["DATASET"]
DATASET_VERSION = KINDS["DATASET_VERSION"]
ASSET = KINDS["ASSET"]
ANNOTATION = KINDS["ANNOTATION"]
SHAPE = KINDS["SHAPE"]
LABEL = KINDS["LABEL"]
TAG = KINDS["TAG"]
MODEL = KINDS["MODEL"]
MODEL_VERSION = KINDS["MODEL_VERSION"]
MODEL_FILE = KINDS["MODEL_FILE"]


def ancestors(kind: Kind) -> list[Kind]:
    """The kind's parent, its parent's parent, and so on, nearest first."""
    chain: list[Kind] = []
    while kind.parent is not None:
        kind = KINDS[kind.parent]
        chain.append(kind)
    return chain


def lineage(kind: Kind) -> list[Kind]:
    """The kind itself, then its ancestors."""
    return [kind, *ancestors(kind)]


def join_up_to(kind: Kind, ancestor: Kind) -> FromClause:
    """The kind's table joined, parent by parent, up to ``ancestor``'s table."""
    joined: FromClause = kind.table
    child = kind
    for parent in ancestors(kind):
        assert child.parent_column is not None  # every kind with a parent names its column
        joined = joined.join(parent.table, parent.id_column == child.table.c[child.parent_column])
        if parent is ancestor:
            return joined
        child = parent
    raise ValueError(f"{ancestor.key} is not an ancestor of {kind.key}")


def not_in_trash(kind: Kind) -> ColumnElement[bool]:
    """The kind's own rows that are not in the trash, whatever their ancestors: for queries
    whose container was checked alive already (a version's listing)."""
    _require_trash(kind)
    return kind.table.c.deleted_at.is_(None)


def in_trash(kind: Kind) -> ColumnElement[bool]:
    """The kind's own rows that are in the trash."""
    _require_trash(kind)
    return kind.table.c.deleted_at.is_not(None)


def _require_trash(kind: Kind) -> None:
    if not kind.trashable:
        raise ValueError(f"{kind.key} has no trash")


def visible(
    kind: Kind, organization_id: UUID, *, trashed: bool = False
) -> tuple[FromClause, list[ColumnElement[bool]]]:
    """The FROM and the WHERE of the objects of ``kind`` an organization sees: its own, with
    every ancestor alive, and the object itself alive (or in the trash, when ``trashed``:
    what a restore may bring back). Only the ancestors that have a trash are joined."""
    trashable_ancestors = [a for a in ancestors(kind) if a.trashable]
    source = join_up_to(kind, trashable_ancestors[-1]) if trashable_ancestors else kind.table
    where = [kind.organization_scope(organization_id)]
    if trashed:
        where.append(in_trash(kind))
    elif kind.trashable:
        where.append(kind.table.c.deleted_at.is_(None))
    where += [ancestor.table.c.deleted_at.is_(None) for ancestor in trashable_ancestors]
    return source, where


def select_visible(
    kind: Kind, organization_id: UUID, *columns: Any, trashed: bool = False
) -> Select[Any]:
    """SELECT ``columns`` (the kind's whole row by default) of the visible objects."""
    source, where = visible(kind, organization_id, trashed=trashed)
    return select(*(columns or (kind.table,))).select_from(source).where(*where)


def by_tag_target(target: Target) -> Kind | None:
    """The kind a tag of ``target`` is attached to (None: nothing of it is taggable yet)."""
    for kind in KINDS.values():
        if kind.tag_target is target:
            return kind
    return None


def trashable_kinds() -> dict[TrashKind, Kind]:
    """The kinds that go to the trash, by the name the trash gives them."""
    return {kind.trash_kind: kind for kind in KINDS.values() if kind.trash_kind is not None}
