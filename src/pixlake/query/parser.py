"""The parser: tokens to a tree, by recursive descent over this grammar::

    query       := [or_expr] END
    or_expr     := and_expr ("or" and_expr)*
    and_expr    := not_expr ("and" not_expr)*
    not_expr    := "not" not_expr | "(" or_expr ")" | comparison
    comparison  := field ( OPERATOR value
                         | ["not"] "in" "(" value ("," value)* ")"
                         | "like" STRING
                         | "is" ["not"] "null" )
    field       := NAME ("." (NAME | STRING))*
    value       := STRING | NUMBER | DATE | "true" | "false"

``and`` binds tighter than ``or``; ``not`` tighter than both. Keywords are case-blind.
Nesting (parentheses and ``not``) is bounded by ``MAX_QUERY_DEPTH``, the text by
``MAX_QUERY_LENGTH``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from pixlake.errors import InvalidQueryError, LimitExceededError
from pixlake.limits import MAX_QUERY_DEPTH, MAX_QUERY_LENGTH
from pixlake.query.tokens import Token, TokenKind, tokenize
from pixlake.query.tree import (
    And,
    Comparison,
    Expression,
    FieldPath,
    Literal,
    LiteralKind,
    Not,
    Operator,
    Or,
)

__all__ = ["parse"]

_COMPARISONS = {op.value: op for op in (Operator.EQ, Operator.NE, Operator.LT, Operator.LE,
                                        Operator.GT, Operator.GE)}  # fmt: skip


def parse(text: str) -> Expression | None:
    """The tree of a query; None for a blank one (no condition).

    Raises:
        InvalidQueryError: the text does not follow the grammar (naming where).
        LimitExceededError: the text is longer than ``MAX_QUERY_LENGTH`` characters.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise LimitExceededError(
            f"q is longer than {MAX_QUERY_LENGTH} characters ({len(text)})",
            details={
                "field": "q",
                "position": MAX_QUERY_LENGTH,
                "token": text[MAX_QUERY_LENGTH:][:20],
            },
            limit="max_query_length",
            maximum=MAX_QUERY_LENGTH,
        )
    return _Parser(tokenize(text)).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def kind(self) -> TokenKind:
        """The current token's kind (a call: each read sees where the parser is now)."""
        return self.tokens[self.index].kind

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.END:
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.kind() is TokenKind.KEYWORD and self.current.value in words

    def fail(self, message: str, token: Token | None = None) -> InvalidQueryError:
        token = token or self.current
        if token.kind is TokenKind.END:
            return InvalidQueryError(
                f"{message}, got the end of the query", position=token.position, token=""
            )
        return InvalidQueryError(message, position=token.position, token=token.text)

    def expect(self, kind: TokenKind, what: str) -> Token:
        if self.kind() is not kind:
            raise self.fail(f"expected {what}")
        return self.advance()

    def query(self) -> Expression | None:
        if self.kind() is TokenKind.END:
            return None
        expression = self.or_expr()
        if self.kind() is TokenKind.RPAREN:
            raise self.fail("unbalanced parenthesis: ')' closes nothing")
        if self.kind() is not TokenKind.END:
            raise self.fail("expected 'and', 'or' or the end of the query")
        return expression

    def or_expr(self) -> Expression:
        items = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Expression:
        items = [self.not_expr()]
        while self.at_keyword("and"):
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Expression:
        token = self.current
        if self.at_keyword("not") or token.kind is TokenKind.LPAREN:
            self.depth += 1
            if self.depth > MAX_QUERY_DEPTH:
                raise LimitExceededError(
                    f"q nests 'not' and parentheses deeper than {MAX_QUERY_DEPTH} levels, "
                    f"at position {token.position}",
                    details={"field": "q", "position": token.position, "token": token.text},
                    limit="max_query_depth",
                    maximum=MAX_QUERY_DEPTH,
                )
            self.advance()
            if token.kind is TokenKind.LPAREN:
                inner = self.or_expr()
                if self.kind() is not TokenKind.RPAREN:
                    if self.kind() is TokenKind.END:
                        raise self.fail("unbalanced parenthesis: '(' is never closed", token)
                    raise self.fail("expected ')', 'and' or 'or'")
                self.advance()
                result: Expression = inner
            else:
                result = Not(self.not_expr())
            self.depth -= 1
            return result
        return self.comparison()

    def field(self) -> FieldPath:
        first = self.current
        if first.kind is not TokenKind.NAME:
            raise self.fail("expected a field name (like filename, width or tags.name)")
        parts = [self.advance().value]
        end = first.position + len(first.text)
        while self.kind() is TokenKind.DOT:
            self.advance()
            if self.kind() not in (TokenKind.NAME, TokenKind.STRING):
                raise self.fail(f"expected a name after '{'.'.join(parts)}.'")
            segment = self.advance()
            parts.append(segment.value)
            end = segment.position + len(segment.text)
        text = "".join(
            token.text for token in self.tokens if first.position <= token.position < end
        )
        return FieldPath(tuple(parts), first.position, text)

    def comparison(self) -> Comparison:
        field = self.field()
        token = self.current
        if token.kind is TokenKind.OPERATOR:
            self.advance()
            return Comparison(
                field, _COMPARISONS[token.value], (self.value(),), token.position, token.text
            )
        if self.at_keyword("in"):
            self.advance()
            return Comparison(field, Operator.IN, self.value_list(), token.position, token.text)
        if self.at_keyword("not"):
            self.advance()
            if not self.at_keyword("in"):
                raise self.fail("expected 'in' after 'not'")
            self.advance()
            return Comparison(field, Operator.NOT_IN, self.value_list(), token.position, "not in")
        if self.at_keyword("like"):
            self.advance()
            pattern = self.value()
            if pattern.kind is not LiteralKind.STRING:
                raise InvalidQueryError(
                    "like takes a string (with % for any text)",
                    position=pattern.position,
                    token=pattern.text,
                )
            return Comparison(field, Operator.LIKE, (pattern,), token.position, token.text)
        if self.at_keyword("is"):
            self.advance()
            negated = self.at_keyword("not")
            if negated:
                self.advance()
            if not self.at_keyword("null"):
                raise self.fail("expected 'null' after 'is'" + (" not" if negated else ""))
            self.advance()
            operator = Operator.IS_NOT_NULL if negated else Operator.IS_NULL
            return Comparison(field, operator, (), token.position, operator.value)
        raise self.fail(
            "expected an operator (=, !=, <, <=, >, >=, in, not in, like, is null, is not null)"
        )

    def value_list(self) -> tuple[Literal, ...]:
        self.expect(TokenKind.LPAREN, "'(' opening a list of values")
        values = [self.value()]
        while self.kind() is TokenKind.COMMA:
            self.advance()
            values.append(self.value())
        if self.kind() is not TokenKind.RPAREN:
            raise self.fail("expected ',' or ')' in a list of values")
        self.advance()
        return tuple(values)

    def value(self) -> Literal:
        token = self.current
        if token.kind is TokenKind.STRING:
            self.advance()
            return Literal(LiteralKind.STRING, token.value, token.position, token.text)
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return Literal(LiteralKind.NUMBER, _number(token), token.position, token.text)
        if token.kind is TokenKind.DATE:
            self.advance()
            moment, date_only = parse_date(token.text, token.position)
            return Literal(LiteralKind.DATE, moment, token.position, token.text, date_only)
        if self.at_keyword("true", "false"):
            self.advance()
            return Literal(LiteralKind.BOOLEAN, token.value == "true", token.position, token.text)
        raise self.fail('expected a value (a "string" in double quotes, a number or a date)')


def _number(token: Token) -> int | float:
    text = token.text
    try:
        if text.lstrip("-") and all(c in "0123456789" for c in text.lstrip("-")):
            return int(text)
        value = float(text)
    except ValueError:
        raise InvalidQueryError("malformed number", position=token.position, token=text) from None
    if not math.isfinite(value) or any(c not in "0123456789.eE+-" for c in text):
        raise InvalidQueryError("malformed number", position=token.position, token=text)
    return value


def parse_date(text: str, position: int, token: str | None = None) -> tuple[datetime, bool]:
    """An ISO date (a day, UTC) or date and time (UTC unless it names an offset), and
    whether it is a day only; ``token`` is how the query wrote it (in quotes or not)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidQueryError(
            "malformed date (ISO 8601 expected, like 2024-05-01 or 2024-05-01T10:00:00Z)",
            position=position,
            token=token or text,
        ) from None
    date_only = len(text) == 10
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, date_only
