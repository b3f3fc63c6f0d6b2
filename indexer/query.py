"""A reader's query, parsed once into a small AST that every backend translates.

Grammar (deliberately small, forgiving where a reader would expect it)::

    query  := part*
    part   := [field ":"] (word | '"' phrase '"')
    field  := title | author | subject | isbn | year

Every text part is passed through ``indexer.textkeys.search_key``, the same function the
documents go through, so «Абай жолы», «Abai joly» and «Abay yolu» give the same tokens and a
Latin query finds Cyrillic records and the reverse on every backend. Only those tokens ever
reach an engine: quotes, parentheses, ``*``, FTS5 and Lucene operators and control characters
are never passed on. ``isbn:`` and ``year:`` parts become exact values and a year range.

A query the parser cannot use raises ``QueryError`` with a message fit for a reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from stdnum import isbn as stdisbn

from indexer.errors import QueryError
from indexer.textkeys import search_key

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
FIELDS = ("title", "author", "subject")
"""Text fields a reader can name; each maps to a ``<field>s_key``-style document field."""
PREFIXES = (*FIELDS, "isbn", "year")
_ALIASES = {
    "title": "title",
    "author": "author",
    "subject": "subject",
    "authors": "author",
    "subjects": "subject",
    "ti": "title",
    "au": "author",
    "su": "subject",
    "isbn": "isbn",
    "year": "year",
}
_PART = re.compile(r'\s*(?:(?P<field>[^\W\d_]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))?')
_YEAR = re.compile(r"^(\d{1,4})?\s*(?:(-|–|\.\.)\s*(\d{1,4})?)?$")


@dataclass(frozen=True)
class Term:
    """Tokens that must all match; ``phrase`` = adjacent and in order; ``field`` None = any."""

    tokens: tuple[str, ...]
    field: str | None = None
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """The AST: every term must match (AND); ISBNs and the year range are exact filters."""

    terms: tuple[Term, ...] = ()
    isbns: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.terms or self.isbns) and self.year_from is None and self.year_to is None

    @property
    def tokens(self) -> frozenset[str]:
        """Every text token, for highlighting."""
        return frozenset(t for term in self.terms for t in term.tokens)


@lru_cache(maxsize=1 << 18)
def word_key(word: str) -> str:
    """``search_key`` of one whitespace-separated word, cached: words repeat across a
    catalogue far more than whole titles do, so the slow transform runs once per word."""
    return search_key(word)


def text_key(text: str) -> str:
    """Script-neutral tokens of ``text``, word by word (what documents and queries use)."""
    return " ".join(k for k in map(word_key, text.split()) if k)


def clean(text: str) -> str:
    """Drop control and format characters (keeping spaces) and normalise to NFC."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "C" or cat in ("Zl", "Zp"):
            out.append(" " if ch in "\t\n\r\x0b\x0c\u2028\u2029" else "")
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise_isbn(value: str) -> str:
    """ISBN-13 digits of an ISBN-10 or ISBN-13; ``QueryError`` when it is not a valid ISBN."""
    try:
        return stdisbn.to_isbn13(stdisbn.validate(value)).replace("-", "")
    except Exception:
        raise QueryError(f"“{value}” is not a valid ISBN.") from None


def parse_year(value: str) -> tuple[int | None, int | None]:
    """``1995`` → (1995, 1995); ``1990-1999`` / ``1990..`` / ``..1999`` → a range."""
    m = _YEAR.match(value.strip())
    if not m or not (m.group(1) or m.group(3)):
        raise QueryError(f"“{value}” is not a year or a range of years such as 1990-1999.")
    lo = int(m.group(1)) if m.group(1) else None
    hi = int(m.group(3)) if m.group(3) else None
    if m.group(2) is None:
        hi = lo
    if lo is not None and hi is not None and lo > hi:
        raise QueryError(f"In “{value}” the first year comes after the second.")
    return lo, hi


def parse(q: str) -> ParsedQuery:
    """Parse a reader's query; raise ``QueryError`` when it cannot be used."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long: please use at most {MAX_QUERY_CHARS} characters.")
    text = clean(q).strip()
    terms: list[Term] = []
    isbns: list[str] = []
    year_from: int | None = None
    year_to: int | None = None
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            pos += 1  # a lone quote: skip it
            continue
        pos = m.end()
        raw_field, phrase, word = m.group("field"), m.group("phrase"), m.group("word")
        value = phrase if phrase is not None else (word or "")
        field = _ALIASES.get(raw_field.lower()) if raw_field else None
        if raw_field and field is None:
            field, value = None, f"{raw_field} {value}"  # not a prefix: just words
        if field is not None and field not in FIELDS:
            if not value.strip():
                raise QueryError(f"Nothing to search for after “{raw_field}:”.")
            if field == "isbn":
                isbns.append(normalise_isbn(value))
            else:
                lo, hi = parse_year(value)
                year_from = _tighter(year_from, lo, max)
                year_to = _tighter(year_to, hi, min)
            continue
        tokens = tuple(text_key(value).split())
        if not tokens:
            if field is not None:
                raise QueryError(f"Nothing to search for after “{raw_field}:”.")
            continue
        if phrase is not None and len(tokens) > 1:
            terms.append(Term(tokens, field, phrase=True))
        else:
            terms.extend(Term((t,), field) for t in tokens)
    if len(terms) + len(isbns) > MAX_TERMS:
        raise QueryError(f"The query has too many words: please use at most {MAX_TERMS}.")
    parsed = ParsedQuery(tuple(_dedupe(terms)), tuple(dict.fromkeys(isbns)), year_from, year_to)
    if parsed.empty and text.strip():
        raise QueryError("The query has no letters or digits to search for.")
    return parsed


def _tighter(a: int | None, b: int | None, pick: Callable[[int, int], int]) -> int | None:
    return b if a is None else a if b is None else pick(a, b)


def _dedupe(terms: list[Term]) -> list[Term]:
    seen: set[Term] = set()
    out = []
    for t in terms:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


__all__ = [
    "FIELDS",
    "PREFIXES",
    "ParsedQuery",
    "Term",
    "clean",
    "normalise_isbn",
    "parse",
    "parse_year",
    "text_key",
    "word_key",
]
