"""The query language's grammar and checks, without a database: what parses into what, and
every kind of bad query refused with an InvalidQueryError naming its position and token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pixlake import BadRequestError, InvalidQueryError, LimitExceededError
from pixlake.limits import MAX_QUERY_DEPTH, MAX_QUERY_LENGTH
from pixlake.query import (
    And,
    Comparison,
    LiteralKind,
    Not,
    Operator,
    Or,
    QueryTarget,
    bind,
    field_names,
    parse,
)


def comparison(text: str) -> Comparison:
    tree = parse(text)
    assert isinstance(tree, Comparison)
    return tree


def test_precedence_not_over_and_over_or() -> None:
    tree = parse("not a = 1 and b = 2 or c = 3")
    assert isinstance(tree, Or)
    left, right = tree.items
    assert isinstance(left, And) and isinstance(left.items[0], Not)
    assert isinstance(right, Comparison) and right.field.dotted == "c"


def test_parentheses_group() -> None:
    tree = parse("a = 1 and (b = 2 or c = 3)")
    assert isinstance(tree, And) and isinstance(tree.items[1], Or)


def test_keywords_ignore_case() -> None:
    tree = parse('a = 1 AND NOT b IS NULL Or c LIKE "x%"')
    assert isinstance(tree, Or)


@pytest.mark.parametrize(
    ("text", "operator", "values"),
    [
        ("width = 640", Operator.EQ, [640]),
        ("width != 640", Operator.NE, [640]),
        ("width < 1.5", Operator.LT, [1.5]),
        ("width <= -2", Operator.LE, [-2]),
        ("width > 1e3", Operator.GT, [1000.0]),
        ("width >= 0", Operator.GE, [0]),
        ('tags.name in ("a", "b")', Operator.IN, ["a", "b"]),
        ('tags.name not in ("a")', Operator.NOT_IN, ["a"]),
        ('filename like "%.png"', Operator.LIKE, ["%.png"]),
        ("width is null", Operator.IS_NULL, []),
        ("width is not null", Operator.IS_NOT_NULL, []),
        ("custom_metadata.ok = true", Operator.EQ, [True]),
    ],
)
def test_operators(text: str, operator: Operator, values: list[object]) -> None:
    node = comparison(text)
    assert node.operator is operator
    assert [value.value for value in node.values] == values


def test_strings_escape_quotes_and_backslashes() -> None:
    node = comparison(r'filename = "a \"b\" \\ c"')
    assert node.values[0].value == 'a "b" \\ c'


def test_dates_bare_and_with_time() -> None:
    day = comparison("created_at >= 2024-05-01").values[0]
    assert day.kind is LiteralKind.DATE and day.date_only
    assert day.value == datetime(2024, 5, 1, tzinfo=UTC)
    moment = comparison("created_at < 2024-05-01T10:30:00+02:00").values[0]
    assert not moment.date_only
    assert moment.value == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def test_dotted_paths_and_quoted_keys() -> None:
    assert comparison('annotations.rectangles.label.name = "car"').field.parts == (
        "annotations",
        "rectangles",
        "label",
        "name",
    )
    assert comparison('custom_metadata."camera id" = "x"').field.parts == (
        "custom_metadata",
        "camera id",
    )


def test_blank_query_is_no_condition() -> None:
    assert parse("") is None
    assert parse("   \n") is None


def refused(text: str, target: QueryTarget = QueryTarget.ASSET) -> InvalidQueryError:
    with pytest.raises(InvalidQueryError) as caught:
        tree = parse(text)
        assert tree is not None
        bind(tree, target)
    error = caught.value
    assert isinstance(error, BadRequestError)
    assert error.details["position"] == error.position
    assert str(error.position) in str(error)
    return error


@pytest.mark.parametrize(
    ("text", "position", "token"),
    [
        ("(width = 1", 0, "("),
        ("width = 1)", 9, ")"),
        ("((width = 1) or (height = 2)", 0, "("),
        ('filename = "abc', 11, '"abc'),
        ("width == 1", 6, "=="),
        ("width ~ 1", 6, "~"),
        ("width between 1", 6, "between"),
        ("width = ", 8, ""),
        ("width = 12px", 8, "12px"),
        ("created_at > 2024-13-45", 13, "2024-13-45"),
        ('filename = "a\\n"', 13, "\\n"),
    ],
)
def test_syntax_errors_name_position_and_token(text: str, position: int, token: str) -> None:
    error = refused(text)
    assert (error.position, error.token) == (position, token)


def test_unknown_field() -> None:
    error = refused('colour = "red"')
    assert (error.position, error.token) == (0, "colour")
    assert "colour" in str(error)


def test_a_field_of_another_kind_of_object_is_unknown() -> None:
    refused('annotations.label.name = "car"', QueryTarget.DATA)
    refused('data.filename = "a.jpg"', QueryTarget.DATA)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ('width > "wide"', '"wide"'),
        ("filename = 3", "3"),
        ("created_at > 12", "12"),
        ('created_at > "last week"', '"last week"'),
        ('annotations.count = "two"', '"two"'),
        ('type = "PICTURE"', '"PICTURE"'),
        ('annotations.status = "DONE"', '"DONE"'),
    ],
)
def test_values_of_the_wrong_type(text: str, token: str) -> None:
    assert refused(text).token == token


@pytest.mark.parametrize(
    ("text", "token"),
    [('width like "6%"', "like"), ('type > "IMAGE"', ">"), ("custom_metadata.ok > true", ">")],
)
def test_operators_that_do_not_apply(text: str, token: str) -> None:
    assert refused(text).token == token


@pytest.mark.parametrize(
    "text", ["custom_metadata. = 1", "custom_metadata = 1", "custom_metadata.a.b = 1"]
)
def test_custom_metadata_needs_one_key(text: str) -> None:
    error = refused(text)
    assert error.position in (0, len("custom_metadata. "))


def test_too_long_a_query() -> None:
    with pytest.raises(LimitExceededError) as caught:
        parse("width > 1 or " * 1000)
    assert caught.value.limit == "max_query_length"
    assert caught.value.details["position"] == MAX_QUERY_LENGTH
    assert isinstance(caught.value, BadRequestError)
    text = ("width > 1 or " * 800)[: MAX_QUERY_LENGTH - 10] + "width > 1"
    parse(text.rsplit(" or ", 1)[0])  # just under the bound parses


def test_too_deep_a_query() -> None:
    deep = "(" * (MAX_QUERY_DEPTH + 1) + "width = 1" + ")" * (MAX_QUERY_DEPTH + 1)
    with pytest.raises(LimitExceededError) as caught:
        parse(deep)
    assert caught.value.limit == "max_query_depth"
    fits = "(" * MAX_QUERY_DEPTH + "width = 1" + ")" * MAX_QUERY_DEPTH
    assert isinstance(parse(fits), Comparison)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ('filename = "x" ; drop table assets', ";"),
        ('filename = "x" -- comment', "-"),
        ('filename = "x" /* comment */', "/"),
        ("filename = 'x' or '1'='1'", "'"),
        ('filename = "x" or 1=1', "1"),
    ],
)
def test_sql_outside_strings_is_refused(text: str, token: str) -> None:
    assert refused(text).token == token


def test_every_listed_field_binds() -> None:
    for target in QueryTarget:
        for name in field_names(target):
            path = name.replace("<key>", "k")
            bind(comparison(f"{path} is null"), target)  # type: ignore[arg-type]
