"""Assets and data in wire form (AssetPublic, DataPublic as JSON), written by the database.

Listings run to hundreds of thousands of rows. Building a dict per row in Python to hand
it to the JSON writer cost twice the query; SQLite's ``json_object`` and PostgreSQL's
``json_build_object`` write each row's JSON in C instead, and the answer is those texts
joined. The fields and their formats are the models': ids as dashed UUIDs, times as
ISO 8601 with their offset, metadata as the JSON stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NewType
from uuid import UUID

import orjson
from sqlalchemy import String, Text, case, cast, func, literal_column, select, type_coerce

from pixlake.core import tables as t
from pixlake.schemas import AssetPublic, DataPublic, WireModel

__all__ = [
    "KNOWN_DATALAKES",
    "JsonArray",
    "JsonPage",
    "asset_json_select",
    "constant_text",
    "dashed_from_raw",
    "data_json_select",
    "json_array",
    "raw_id_text",
    "raw_uuid",
    "written_json_array",
]

JsonArray = NewType("JsonArray", orjson.Fragment)
"""A JSON array of objects the database wrote, which orjson writes out as it is."""


KNOWN_DATALAKES = 8
"""At most this many datalakes have their dashed id written into an asset listing's
statement (``asset_json_select``): each row looks its datalake up in a CASE of that many
branches, cheaper than dashing the id (five substrings joined) only while it is short."""


@dataclass(frozen=True, slots=True)
class JsonPage:
    """One page of a listing as the wire has it (``AssetPage``, ``DataPage``): the items,
    written by the database, and the key of the next page (None on the last one). orjson
    writes it as it is."""

    items: JsonArray
    next_after: str | None


def asset_json_select(
    dialect: str,
    large_file_threshold: int,
    version_id: UUID,
    datalake_ids: Sequence[UUID] = (),
) -> Any:
    """SELECT of (asset id, data id, asset JSON) over assets joined with their data; ids
    as the driver gives them raw (see ``raw_uuid``), to be filtered and ordered by the
    caller, who keeps to the assets of ``version_id``.

    ``datalake_ids``: datalakes the assets' data likely belong to (the organization's),
    whose dashed ids SQLite then writes from the statement rather than row by row (the
    first ``KNOWN_DATALAKES``; a data of another datalake gets its id dashed as ever)."""
    if dialect == "sqlite":
        fields = _sqlite_asset_fields(large_file_threshold, version_id, datalake_ids)
    else:
        fields = _postgresql_asset_fields(large_file_threshold)
    return select(
        _raw_text(t.assets.c.id, dialect).label("raw_id"),
        _raw_text(t.assets.c.data_id, dialect).label("raw_data_id"),
        _json_object(dialect, AssetPublic, fields).label("json"),
    ).join(t.data, t.data.c.id == t.assets.c.data_id)


def data_json_select(dialect: str, large_file_threshold: int, datalake_id: UUID) -> Any:
    """SELECT of (data id, data JSON) over the data of ``datalake_id``; the id as the
    driver gives it raw (see ``raw_uuid``), to be filtered further and ordered by the
    caller."""
    if dialect == "sqlite":
        fields = _sqlite_data_fields(large_file_threshold, datalake_id)
    else:
        fields = _postgresql_data_fields(large_file_threshold)
    return select(
        _raw_text(t.data.c.id, dialect).label("raw_id"),
        _json_object(dialect, DataPublic, fields).label("json"),
    ).where(t.data.c.datalake_id == datalake_id)


def _json_object(dialect: str, model: type[WireModel], fields: list[tuple[str, Any]]) -> Any:
    """The JSON object of ``fields``, keys in the model's order (as its own dump has them)."""
    by_name = dict(fields)
    if by_name.keys() != model.model_fields.keys():
        raise TypeError(f"{model.__name__} JSON fields differ: {sorted(by_name)}")
    build = func.json_object if dialect == "sqlite" else func.json_build_object
    return cast(
        build(
            *[part for name in model.model_fields for part in (constant_text(name), by_name[name])]
        ),
        Text,
    )


def json_array(texts: Iterable[str]) -> JsonArray:
    """JSON texts as one array, for orjson to write as it is."""
    return JsonArray(orjson.Fragment("[" + ",".join(texts) + "]"))


def written_json_array(array: bytes) -> JsonArray:
    """A JSON array the database wrote whole, in UTF-8, for orjson to write as it is."""
    return JsonArray(orjson.Fragment(array))


def raw_id_text(column: Any, dialect: str) -> Any:
    """A UUID column as the text the database keeps it in (see ``raw_uuid``): ids that
    Python only compares, sorts (the texts sort as the UUIDs do) and hands on cost no UUID
    object per row; ``dashed_from_raw`` writes them for the wire."""
    return _raw_text(column, dialect)


def dashed_from_raw(dialect: str) -> Callable[[str], str]:
    """The wire's text of a UUID (``str(uuid)``) from its raw text on ``dialect``."""
    if dialect == "sqlite":
        return lambda raw: f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return str


def _raw_text(column: Any, dialect: str) -> Any:
    """The id as text, converted by neither SQLAlchemy nor the driver."""
    return type_coerce(column, String) if dialect == "sqlite" else cast(column, Text)


def raw_uuid(dialect: str) -> Callable[[UUID], str]:
    """A UUID as ``asset_json_select`` returns ids: 32 hex digits on SQLite (how SQLAlchemy
    stores them there), dashed text on PostgreSQL."""
    return (lambda value: value.hex) if dialect == "sqlite" else str


def _sqlite_asset_fields(
    threshold: int, version_id: UUID, datalake_ids: Sequence[UUID]
) -> list[tuple[str, Any]]:
    a, d = t.assets.c, t.data.c
    return [
        # The version is the same on every row: written once into the statement rather
        # than dashed row by row, it saves about a tenth of SQLite's time on a listing.
        ("id", _dashed(a.id)),
        ("dataset_version_id", constant_text(str(version_id))),
        ("data_id", _dashed(a.data_id)),
        # Dashing an id is a third of SQLite's time on a listing; the datalake repeats
        # across the rows (a fifth less time with it written once per datalake).
        ("datalake_id", _dashed_known(d.datalake_id, datalake_ids[:KNOWN_DATALAKES])),
        *_data_file_fields(),
        *_sqlite_measured_fields(threshold),
        ("data_created_at", _iso(d.created_at)),
        ("created_at", _iso(a.created_at)),
        ("deleted_at", case((a.deleted_at.is_(None), None), else_=_iso(a.deleted_at))),
    ]


def _postgresql_asset_fields(threshold: int) -> list[tuple[str, Any]]:
    a, d = t.assets.c, t.data.c
    return [
        ("id", a.id),
        ("dataset_version_id", a.dataset_version_id),
        ("data_id", a.data_id),
        ("datalake_id", d.datalake_id),
        *_data_file_fields(),
        *_postgresql_measured_fields(threshold),
        ("data_created_at", d.created_at),
        ("created_at", a.created_at),
        ("deleted_at", a.deleted_at),
    ]


def _sqlite_data_fields(threshold: int, datalake_id: UUID) -> list[tuple[str, Any]]:
    d = t.data.c
    return [
        ("id", _dashed(d.id)),
        # One datalake's data (the statement keeps to it): its id written once, as the
        # version's is for assets.
        ("datalake_id", constant_text(str(datalake_id))),
        *_data_file_fields(),
        *_sqlite_measured_fields(threshold),
        ("created_at", _iso(d.created_at)),
    ]


def _postgresql_data_fields(threshold: int) -> list[tuple[str, Any]]:
    d = t.data.c
    return [
        ("id", d.id),
        ("datalake_id", d.datalake_id),
        *_data_file_fields(),
        *_postgresql_measured_fields(threshold),
        ("created_at", d.created_at),
    ]


def _data_file_fields() -> list[tuple[str, Any]]:
    d = t.data.c
    return [
        ("object_name", d.object_name),
        ("filename", d.filename),
        ("type", d.type),
        ("content_type", d.content_type),
        ("size", d.size),
        ("width", d.width),
        ("height", d.height),
    ]


def _sqlite_measured_fields(threshold: int) -> list[tuple[str, Any]]:
    d = t.data.c
    return [
        # json_object would write a REAL with 15 digits; 17 give back the same double. A
        # NULL is written null as it is: only a video's duration goes through json().
        (
            "duration",
            case(
                (d.duration.is_(None), None),
                else_=func.json(func.printf(constant_text("%!.17g"), d.duration)),
            ),
        ),
        # json('true') makes a JSON boolean of it, not the string "true"; of a constant,
        # SQLite computes it once per statement rather than parsing it again on every row.
        (
            "large",
            case(
                (d.size >= threshold, func.json(constant_text("true"))),
                else_=func.json(constant_text("false")),
            ),
        ),
        ("checksum", d.checksum),
        ("metadata", func.json(d.metadata)),
        ("custom_metadata", func.json(d.custom_metadata)),
    ]


def _postgresql_measured_fields(threshold: int) -> list[tuple[str, Any]]:
    d = t.data.c
    return [
        ("duration", d.duration),
        ("large", d.size >= threshold),
        ("checksum", d.checksum),
        ("metadata", d.metadata),
        ("custom_metadata", d.custom_metadata),
    ]


def _dashed(column: Any) -> Any:
    """SQLite keeps UUIDs as 32 hex digits: put the dashes back."""
    raw = type_coerce(column, String)

    def part(start: int, length: int | None = None) -> Any:
        bounds = (start,) if length is None else (start, length)
        return func.substr(raw, *(literal_column(str(b)) for b in bounds), type_=String)

    dash = constant_text("-")
    return (
        part(1, 8) + dash + part(9, 4) + dash + part(13, 4) + dash + part(17, 4) + dash + part(21)
    )


def _dashed_known(column: Any, known: Sequence[UUID]) -> Any:
    """``_dashed(column)``, with the texts of the ``known`` ids written in the statement."""
    if not known:
        return _dashed(column)
    return case(
        *[(constant_text(value.hex), constant_text(str(value))) for value in known],
        value=type_coerce(column, String),
        else_=_dashed(column),
    )


def _iso(column: Any) -> Any:
    """SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff': ISO 8601 with its offset."""
    return func.replace(
        type_coerce(column, String), constant_text(" "), constant_text("T"), type_=String
    ) + constant_text("+00:00")


def constant_text(constant: str) -> Any:
    """A constant written into the statement, not bound: the statement already binds
    thousands of ids, and SQLite counts every variable against its limit."""
    return literal_column(f"'{constant}'", String)
