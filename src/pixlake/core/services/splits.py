"""Seeded, stratified splits of a dataset version's assets into parts.

The whole computation is here, next to the data: one grouped query reads which labels each
asset holds (and how many shapes of each), ``pixlake.core.stratify`` cuts the assets into
parts, and the answer carries each part's asset ids and counts. Nothing is read per asset.
With tag names, each part's tag is moved onto its assets in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, delete, func, select
from sqlalchemy.sql import ColumnElement

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.services import tags as tag_service
from pixlake.core.services.datasets import require_version
from pixlake.core.sql import chunked, one_of
from pixlake.core.stratify import LabelledItem, split_items
from pixlake.enums import Target
from pixlake.errors import BadRequestError
from pixlake.schemas import LabelPublic, SplitPart, SplitRequest, SplitResult

__all__ = ["assets_kept_by_query", "split_version"]


def assets_kept_by_query(
    conn: Connection, actor: Actor, version_id: UUID, q: str | None
) -> ColumnElement[bool] | None:
    """The condition on ``assets`` rows that keeps those the query ``q`` keeps, or None
    for no query: the one place splits read a query.

    Raises:
        BadRequestError: a query is given; the query language is not part of this build.
    """
    if q is None:
        return None
    raise BadRequestError("q is not supported yet", details={"field": "q"})


def split_version(
    ctx: AppContext, actor: Actor, version_id: UUID, request: SplitRequest
) -> SplitResult:
    """Cut the version's live assets (those ``request.q`` keeps) into parts.

    Only a split with ``tag_names`` writes (the tags), so only that one is refused on a
    locked version.
    """
    seed = request.random_seed if request.random_seed is not None else secrets.randbits(63)
    writing = request.tag_names is not None
    transaction = ctx.db.write() if writing else ctx.db.read()
    with transaction as conn:
        require_version(conn, actor, version_id, writing=writing)
        kept = assets_kept_by_query(conn, actor, version_id, request.q)
        labels = _labels(conn, version_id)
        items = _labelled_assets(conn, version_id, kept)
        keys = split_items(items, request.ratios, seed, stratify=request.stratify)
        objects_of = {item.key: item.objects for item in items}
        names = {label.id: label.name for label in labels}
        parts = [
            _part(
                part,
                objects_of,
                names,
                request.tag_names[j] if request.tag_names is not None else None,
            )
            for j, part in enumerate(keys)
        ]
        if request.tag_names is not None:
            _move_tags(conn, actor, request.tag_names, parts)
        result = SplitResult(
            random_seed=seed,
            ratios=request.ratios,
            stratified=request.stratify,
            parts=parts,
            labels=labels,
        )
    return result


def _labels(conn: Connection, version_id: UUID) -> list[LabelPublic]:
    rows = conn.execute(
        select(t.labels).where(t.labels.c.dataset_version_id == version_id).order_by(t.labels.c.id)
    )
    return [
        LabelPublic(
            id=row.id,
            dataset_version_id=row.dataset_version_id,
            name=row.name,
            created_at=row.created_at,
        )
        for row in rows
    ]


def _labelled_assets(
    conn: Connection, version_id: UUID, kept: ColumnElement[bool] | None
) -> list[LabelledItem[bytes, UUID]]:
    """Every live asset of the version (that ``kept`` keeps), keyed by its id's bytes, with
    its shapes per label over every worker's live annotation: one grouped query."""
    annotations = t.annotations_table
    statement = (
        select(t.assets.c.id, t.shapes.c.label_id, func.count(t.shapes.c.id))
        .select_from(
            t.assets.outerjoin(
                annotations,
                and_(annotations.c.asset_id == t.assets.c.id, kinds.not_in_trash(ANNOTATION)),
            ).outerjoin(t.shapes, t.shapes.c.annotation_id == annotations.c.id)
        )
        .where(t.assets.c.dataset_version_id == version_id, kinds.not_in_trash(ASSET))
        .group_by(t.assets.c.id, t.shapes.c.label_id)
    )
    if kept is not None:
        statement = statement.where(kept)
    objects: dict[bytes, dict[UUID, int]] = {}
    for asset_id, label_id, count in conn.execute(statement):
        held = objects.setdefault(asset_id.bytes, {})
        if label_id is not None:
            held[label_id] = count
    return [LabelledItem(key, held) for key, held in objects.items()]


def _part(
    keys: Sequence[bytes],
    objects_of: dict[bytes, Any],
    names: dict[UUID, str],
    tag: str | None,
) -> SplitPart:
    images = dict.fromkeys(names.values(), 0)
    objects = dict.fromkeys(names.values(), 0)
    for key in keys:
        for label_id, count in objects_of[key].items():
            name = names[label_id]
            images[name] += 1
            objects[name] += count
    return SplitPart.trusted(
        asset_ids=[UUID(bytes=key) for key in keys],
        images_per_label=images,
        objects_per_label=objects,
        tag=tag,
    )


def _move_tags(
    conn: Connection, actor: Actor, tag_names: Sequence[str], parts: Sequence[SplitPart]
) -> None:
    """Each part's tag on its assets and on no other asset of the split: a second split
    with the same names replaces the first one's tags instead of adding to them."""
    tag_ids = tag_service.ensure_tags(conn, actor, tag_names, Target.ASSET)
    every_asset = [asset_id for part in parts for asset_id in part.asset_ids]
    for chunk in chunked(conn, every_asset):
        conn.execute(
            delete(t.tag_links).where(
                t.tag_links.c.tag_id.in_(tag_ids), one_of(conn, t.tag_links.c.object_id, chunk)
            )
        )
    for tag_id, part in zip(tag_ids, parts, strict=True):
        tag_service.link_tags(conn, part.asset_ids, [tag_id])
