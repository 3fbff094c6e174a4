"""Seeded, stratified splits of a dataset version's assets into parts.

The whole computation is here, next to the data: one grouped query reads which labels each
asset holds (and how many shapes of each), ``pixlake.core.stratify`` cuts the assets into
parts, and the answer carries each part's asset ids and counts. Nothing is read per asset.
With tag names, each part's tag is moved onto its assets in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from uuid import UUID

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.sql import ColumnElement

from pixlake.core import kinds
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.kinds import ANNOTATION, ASSET
from pixlake.core.services import tags as tag_service
from pixlake.core.services.datasets import require_version
from pixlake.core.services.selection import version_assets
from pixlake.core.services.wire_json import dashed_from_raw, raw_id_text, raw_uuid
from pixlake.core.sql import chunked, one_of
from pixlake.core.stratify import LabelledItem, split_items
from pixlake.enums import Target
from pixlake.gcpause import paused_gc
from pixlake.schemas import LabelPublic, SplitPart, SplitRequest, SplitResult

__all__ = ["assets_kept_by_query", "split_version"]


def assets_kept_by_query(
    conn: Connection, actor: Actor, version_id: UUID, q: str | None
) -> ColumnElement[bool] | None:
    """The condition on ``assets`` rows that keeps those the query ``q`` keeps, or None
    for no query: the one place splits read a query. The assets are those a listing with
    the same ``q`` gives (``selection.version_assets``).

    Raises:
        InvalidQueryError, LimitExceededError: ``q`` is no valid query of assets.
    """
    if q is None or not q.strip():
        return None
    kept = version_assets(version_id, actor.organization_id, q, conn.dialect.name)
    return t.assets.c.id.in_(kept)


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
    # A tuple, a dict and an id per asset, all alive until the answer is written: a
    # collection triggered along the way would walk every one of them (see gcpause).
    with paused_gc(), transaction as conn:
        require_version(conn, actor, version_id, writing=writing)
        kept = assets_kept_by_query(conn, actor, version_id, request.q)
        labels = _labels(conn, version_id)
        items, asset_of = _labelled_assets(conn, version_id, kept, labels)
        keys = split_items(items, request.ratios, seed, stratify=request.stratify)
        objects_of = {item.key: item.objects for item in items}
        names = [label.name for label in labels]
        parts = [
            _part(
                part,
                asset_of,
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
    conn: Connection,
    version_id: UUID,
    kept: ColumnElement[bool] | None,
    labels: Sequence[LabelPublic],
) -> tuple[list[LabelledItem[str, str]], dict[str, str]]:
    """Every live asset of the version (that ``kept`` keeps) with its shapes per label
    name over every worker's live annotation, keyed by its data's id; and the asset id
    (the wire's text) of each key. Two indexed reads: the assets, and the shapes grouped
    by asset and label. Keys are the ids' raw text (see ``raw_id_text``).

    The key is the data's id, not the asset's: a data has one asset per version, and so
    the same seed cuts a fork, or another version of the same images, the same way."""
    dialect = conn.dialect.name
    annotations = t.annotations_table
    assets = select(
        raw_id_text(t.assets.c.data_id, dialect), raw_id_text(t.assets.c.id, dialect)
    ).where(t.assets.c.dataset_version_id == version_id, kinds.not_in_trash(ASSET))
    if kept is not None:
        assets = assets.where(kept)
    # Rows fetched at once (``all``), not one by one: 100,000 assets and twice as many
    # (asset, label) groups, where a per-row fetch cost more than the queries.
    asset_rows = conn.execute(assets).all()
    objects: dict[str, dict[str, int]] = {raw_id: {} for _data, raw_id in asset_rows}
    raw = raw_uuid(dialect)
    names = {raw(label.id): label.name for label in labels}
    shapes = (
        select(
            raw_id_text(annotations.c.asset_id, dialect),
            raw_id_text(t.shapes.c.label_id, dialect),
            func.count(),
        )
        .select_from(annotations.join(t.shapes, t.shapes.c.annotation_id == annotations.c.id))
        .where(annotations.c.dataset_version_id == version_id, kinds.not_in_trash(ANNOTATION))
        .group_by(annotations.c.asset_id, t.shapes.c.label_id)
    )
    for asset_id, label_id, count in conn.execute(shapes).all():
        held = objects.get(asset_id)
        if held is not None:  # None: an asset in the trash, or one the query leaves out
            name = names[label_id]
            held[name] = held.get(name, 0) + count
    dashed = dashed_from_raw(dialect)
    items = [LabelledItem(data_id, objects[raw_id]) for data_id, raw_id in asset_rows]
    asset_of = {data_id: dashed(raw_id) for data_id, raw_id in asset_rows}
    return items, asset_of


def _part(
    keys: Sequence[str],
    asset_of: Mapping[str, str],
    objects_of: Mapping[str, Mapping[str, int]],
    names: Sequence[str],
    tag: str | None,
) -> SplitPart:
    images = dict.fromkeys(names, 0)
    objects = dict.fromkeys(names, 0)
    for key in keys:
        for name, count in objects_of[key].items():
            images[name] += 1
            objects[name] += count
    # The ids stay text (the wire's form of a UUID): the answer is written as JSON at once,
    # and 100,000 UUID objects would be built only to be written back as text.
    return SplitPart.trusted(
        asset_ids=sorted(asset_of[key] for key in keys),
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
    ids_of = [[UUID(str(asset_id)) for asset_id in part.asset_ids] for part in parts]
    every_asset = [asset_id for ids in ids_of for asset_id in ids]
    for chunk in chunked(conn, every_asset):
        conn.execute(
            delete(t.tag_links).where(
                t.tag_links.c.tag_id.in_(tag_ids), one_of(conn, t.tag_links.c.object_id, chunk)
            )
        )
    for tag_id, ids in zip(tag_ids, ids_of, strict=True):
        tag_service.link_tags(conn, ids, [tag_id])
