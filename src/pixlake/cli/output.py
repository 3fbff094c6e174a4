"""How listings are printed: aligned columns under a header row, or one JSON document."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click

__all__ = ["echo_json", "echo_listing", "when"]


def when(moment: datetime) -> str:
    """A date as listings show it: to the minute, in the timezone it was stored with."""
    return f"{moment:%Y-%m-%d %H:%M}"


def echo_json(document: Any) -> None:
    """One JSON document on stdout (datetimes and ids as strings)."""
    click.echo(json.dumps(document, default=_json_value, indent=2, ensure_ascii=False))


def _json_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def echo_listing(
    rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str], *, as_json: bool, noun: str
) -> None:
    """Print ``rows`` as a table of ``columns`` (key -> header) or as JSON.

    The table has a header row when there is at least one row; the count goes to stderr so
    that stdout stays the rows alone. JSON is the whole list, every key of every row.
    """
    if as_json:
        echo_json(list(rows))
        return
    if rows:
        cells = [list(columns.values())]
        cells += [[_cell(row[key]) for key in columns] for row in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        for line in cells:
            # The last column is not padded: a long name or description doesn't pad the rest.
            padded = [
                value.ljust(width) for value, width in zip(line[:-1], widths[:-1], strict=True)
            ]
            click.echo("  ".join([*padded, line[-1]]))
    click.echo(f"{len(rows)} {noun}", err=True)


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # tag names
        return ",".join(map(_tag_name, value)) or "-"
    return "-" if value is None or value == "" else str(value)


def _tag_name(name: Any) -> str:
    """A tag name in a comma-separated cell: quoted when it holds a comma or a quote, so
    that the tags 'a,b' and 'c' don't read as the three tags a, b and c."""
    text = str(name)
    return json.dumps(text, ensure_ascii=False) if "," in text or '"' in text else text
