"""The tokenizer: query text to a list of tokens, each with its position.

A hand-written scanner, character by character; anything it does not know (``;``, a lone
``-``, ``/*``, a single quote) is refused where it stands, so no text of a query ever
reaches the database but as the value of a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pixlake.errors import InvalidQueryError

__all__ = ["KEYWORDS", "Token", "TokenKind", "tokenize"]


class TokenKind(StrEnum):
    NAME = "name"
    KEYWORD = "keyword"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    OPERATOR = "operator"
    DOT = "."
    COMMA = ","
    LPAREN = "("
    RPAREN = ")"
    END = "end"


KEYWORDS = frozenset({"and", "or", "not", "in", "like", "is", "null", "true", "false"})
"""Words of the grammar, in any case (``AND``, ``and``); never field names."""

_OPERATORS = frozenset({"!=", "<=", ">=", "=", "<", ">"})
_OPERATOR_CHARS = "!=<>"
_DIGITS = "0123456789"
_ESCAPES = {'"': '"', "\\": "\\"}


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    """As written (a STRING's with its quotes)."""
    position: int
    value: str = ""
    """A STRING's content with escapes resolved, a KEYWORD's lower-case word, else the text."""


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token at its length."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            i = _string(text, i, tokens)
        elif char in _DIGITS or (char == "-" and i + 1 < n and text[i + 1] in _DIGITS):
            i = _number_or_date(text, i, tokens)
        elif char.isalpha() or char == "_":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_-"):
                i += 1
            word = text[start:i]
            if word.lower() in KEYWORDS:
                tokens.append(Token(TokenKind.KEYWORD, word, start, word.lower()))
            else:
                tokens.append(Token(TokenKind.NAME, word, start, word))
        elif char in ".,()":
            tokens.append(Token(TokenKind(char), char, i, char))
            i += 1
        elif char in _OPERATOR_CHARS:
            start = i
            while i < n and text[i] in _OPERATOR_CHARS:
                i += 1
            operator = text[start:i]
            if operator not in _OPERATORS:
                raise InvalidQueryError(
                    f"unknown operator {operator!r}", position=start, token=operator
                )
            tokens.append(Token(TokenKind.OPERATOR, operator, start, operator))
        else:
            raise InvalidQueryError(f"unexpected character {char!r}", position=i, token=char)
    tokens.append(Token(TokenKind.END, "", n))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    """A double-quoted string; ``\\"`` is a quote and ``\\\\`` a backslash inside it."""
    chars: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            tokens.append(Token(TokenKind.STRING, text[start : i + 1], start, "".join(chars)))
            return i + 1
        if char == "\\":
            escaped = text[i + 1] if i + 1 < n else ""
            if escaped not in _ESCAPES:
                raise InvalidQueryError(
                    'unknown escape in a string (only \\" and \\\\ are escapes)',
                    position=i,
                    token=text[i : i + 2],
                )
            chars.append(_ESCAPES[escaped])
            i += 2
            continue
        chars.append(char)
        i += 1
    raise InvalidQueryError("unterminated string", position=start, token=text[start : start + 20])


def _number_or_date(text: str, start: int, tokens: list[Token]) -> int:
    """A number (``12``, ``-3.5``, ``1e6``) or a bare ISO date (``2024-05-01``, with an
    optional ``T10:00:00``, fraction and ``Z`` or offset): the longest run of the characters
    they are made of, told apart by their shape."""
    i, n = start + 1, len(text)
    while i < n and (text[i].isalnum() or text[i] in ".:+-"):
        # A sign continues a token only after an exponent or inside a date's time.
        if text[i] in "+-" and not _sign_continues(text, start, i):
            break
        i += 1
    word = text[start:i]
    if len(word) >= 10 and word[4] == "-" and word[7] == "-" and word[:4].isdigit():
        tokens.append(Token(TokenKind.DATE, word, start, word))
    else:
        tokens.append(Token(TokenKind.NUMBER, word, start, word))
    return i


def _sign_continues(text: str, start: int, i: int) -> bool:
    before = text[start:i]
    if before[-1:] in ("e", "E") and not (len(before) >= 5 and before[4] == "-"):
        return True  # 1e-5
    return (
        len(before) >= 4
        and all(c in _DIGITS for c in before[:4])
        and (len(before) == 4 or "-" in before)
    )
