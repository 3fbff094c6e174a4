"""Bounds on what one request may carry, declared once for the server and the SDK.

The server's wire models use these in ``Field(max_length=...)``, so the OpenAPI document
states them; the SDK cuts its bulk calls into chunks of the same sizes, so it never sends
what the server refuses. Each bound has a name (``details["limit"]`` of the
``LimitExceededError`` that refuses it): a limit's name is the lower-case name of its
constant here, or of its setting in ``pixlake.settings`` for those an operator may change.
"""

from __future__ import annotations

__all__ = [
    "MAX_ANNOTATION_FILES_PER_IMPORT",
    "MAX_DOWNLOAD_BUNDLE",
    "MAX_IDS_PER_REQUEST",
    "MAX_JSON_DEPTH",
    "MAX_LOCAL_PATHS_PER_REQUEST",
    "MAX_MODEL_LABELS",
    "MAX_NAME_LENGTH",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_LENGTH",
    "MAX_SHAPES_PER_REQUEST",
    "MAX_SPLIT_PARTS",
    "MAX_TAGS_PER_REQUEST",
    "MAX_TEXT_LENGTH",
    "OFFSET_BOUND",
    "fixed_bounds",
    "limit_name_for_items",
    "limit_name_for_length",
]

MAX_NAME_LENGTH = 255
"""Characters of a name (dataset, version, label, tag, datalake, username, filename filter)."""

MAX_TEXT_LENGTH = 10_000
"""Characters of a long free text (a description, a shape's text)."""

MAX_IDS_PER_REQUEST = 10_000
"""Ids in one bulk request (add data, delete, tag, fetch by id, restore), and values of one
listing filter (filenames, ids, data ids, workers); the SDK sends bulk calls in chunks of
this many. A filter of this many values is one statement, well under what SQLite (32,766)
and PostgreSQL (65,535) bind."""

MAX_SHAPES_PER_REQUEST = 20_000
"""Shapes created in one request; the SDK sends its bulk creations in chunks of this many."""

MAX_TAGS_PER_REQUEST = 1_000
"""Tags (by name or id) in one request. Attaching links every tag to every object, so this
and ``MAX_IDS_PER_REQUEST`` together bound the rows one request writes."""

MAX_LOCAL_PATHS_PER_REQUEST = 2_048
"""Local paths in one embedded ingest request (the files are staged in parallel); the SDK
sends 256 at a time."""

MAX_DOWNLOAD_BUNDLE = 256
"""Data per download bundle (the server holds their files open while it sends them); the
SDK asks for 32 at a time."""

MAX_SPLIT_PARTS = 100
"""Parts one split of a dataset version may cut it into (ratios, and tag names, per split)."""

MAX_JSON_DEPTH = 32
"""Nesting of a JSON value a client stores (custom metadata): objects and arrays inside
one another. Its size is the setting ``max_json_bytes``."""

MAX_MODEL_LABELS = 4_096
"""Classes in one model version's ``labels`` (class index -> label name)."""
MAX_QUERY_LENGTH = 10_000
"""Characters of a query (``q``) of a listing, a count or the stats. It travels in the
query string: percent-encoded, 10,000 ASCII characters stay under the 32 KiB head that
``max_header_bytes`` allows by default."""

MAX_QUERY_DEPTH = 32
"""Nesting of ``not`` and parentheses in one query (the parser descends once per level)."""

OFFSET_BOUND = 2**53
"""A listing's ``offset`` stays below this. The databases keep offsets in signed 64-bit
integers, but the OpenAPI document writes bounds as JSON numbers, which clients read as
doubles: below 2**53 every integer is one exactly, so a client reading the document and
the server agree on every value (near 2**63 they did not)."""

MAX_ANNOTATION_FILES_PER_IMPORT = 500_000
"""Files in one annotation import (a YOLO or VOC dataset has one per image); their bytes
together are bounded by the setting ``max_annotation_import_bytes``."""

_LENGTH_LIMITS = {MAX_NAME_LENGTH: "max_name_length", MAX_TEXT_LENGTH: "max_text_length"}
_ITEM_LIMITS = {
    MAX_IDS_PER_REQUEST: "max_ids_per_request",
    MAX_SHAPES_PER_REQUEST: "max_shapes_per_request",
    MAX_TAGS_PER_REQUEST: "max_tags_per_request",
    MAX_LOCAL_PATHS_PER_REQUEST: "max_local_paths_per_request",
    MAX_DOWNLOAD_BUNDLE: "max_download_bundle",
    MAX_MODEL_LABELS: "max_model_labels",
    MAX_ANNOTATION_FILES_PER_IMPORT: "max_annotation_files_per_import",
    MAX_SPLIT_PARTS: "max_split_parts",
}
# Pydantic's errors give a bound's value, not its name: the names are found by value, so
# values of one kind differ (a test checks it).


def fixed_bounds() -> dict[str, int]:
    """Every fixed bound of a request, by name: what ``pixlake serve --help`` lists."""
    return {
        **{name: value for value, name in _LENGTH_LIMITS.items()},
        **{name: value for value, name in _ITEM_LIMITS.items()},
        "max_json_depth": MAX_JSON_DEPTH,
        "max_query_length": MAX_QUERY_LENGTH,
        "max_query_depth": MAX_QUERY_DEPTH,
        "offset_bound": OFFSET_BOUND,
    }


def limit_name_for_length(maximum: int) -> str:
    """The name of the bound on a text of at most ``maximum`` characters."""
    return _LENGTH_LIMITS.get(maximum, "max_length")


def limit_name_for_items(maximum: int) -> str:
    """The name of the bound on a list of at most ``maximum`` items (filters share their
    value with the ids' bound, and are named after it)."""
    return _ITEM_LIMITS.get(maximum, "max_items")
