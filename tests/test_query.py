"""The query parser: words, phrases, field prefixes, ISBN and year values, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.backends.sqlite_sql import fts_match
from indexer.errors import QueryError
from indexer.query import MAX_QUERY_CHARS, ParsedQuery, Term, clean, parse, parse_year
from indexer.textkeys import search_key


def k(text: str) -> tuple[str, ...]:
    return tuple(search_key(text).split())


def words(text: str, field: str | None = None) -> tuple[Term, ...]:
    return tuple(Term((t,), field) for t in k(text))


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("Almaty tarihy", words("Almaty tarihy")),
        ("Алматы  тарихы", words("Алматы тарихы")),
        ('"Almaty tarihy"', (Term(k("Almaty tarihy"), phrase=True),)),
        ('"Almaty"', words("Almaty")),
        ('"almaty tarihy', (Term(k("almaty tarihy"), phrase=True),)),  # closed at the end
        ("title:Шуша", words("Шуша", field="title")),
        ('author:"Qasymov Erlan"', (Term(k("Qasymov Erlan"), "author", phrase=True),)),
        ("AU:qasymov SUBJECT:tarih", (*words("qasymov", "author"), *words("tarih", "subject"))),
        ("foo:bar", words("foo bar")),  # not a prefix: plain words
        ("almaty almaty", words("almaty")),
        ("Moskva (2nd ed.)", words("Moskva 2nd ed")),
    ],
)
def test_words_phrases_and_fields(q: str, terms: tuple[Term, ...]) -> None:
    assert parse(q).terms == terms


def test_latin_and_cyrillic_give_the_same_terms() -> None:
    assert parse("Алматы тарихы").terms == parse("Almaty tarihy").terms
    assert parse("Шуша").terms == parse("Şuşa").terms


def test_isbn_and_year_become_exact_values() -> None:
    p = parse("isbn:9965350019 isbn:978-9965-35-001-6 year:1990-1999 year:1995..")
    assert p.isbns == ("9789965350016",)
    assert (p.year_from, p.year_to) == (1995, 1999)
    assert p.terms == ()


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("1995", (1995, 1995)),
        ("1990-1999", (1990, 1999)),
        ("1990–1999", (1990, 1999)),
        ("1990..", (1990, None)),
        ("..1999", (None, 1999)),
        (" 1990 - 1999 ", (1990, 1999)),
    ],
)
def test_year_values(value: str, want: tuple[int | None, int | None]) -> None:
    assert parse_year(value) == want


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("isbn:123", "“123” is not a valid ISBN."),
        ("year:abc", "“abc” is not a year or a range of years such as 1990-1999."),
        ("year:2000-1990", "In “2000-1990” the first year comes after the second."),
        ("title:", "Nothing to search for after “title:”."),
        ('title:"()"', "Nothing to search for after “title:”."),
        ("() ** ::", "The query has no letters or digits to search for."),
        ("x" * (MAX_QUERY_CHARS + 1), "The query is too long: please use at most 1000 characters."),
        ("a " * 40, "The query has too many words: please use at most 32."),
    ],
)
def test_unreadable_queries_say_why(q: str, message: str) -> None:
    with pytest.raises(QueryError) as e:
        parse(q)
    assert str(e.value) == message


def test_empty_query_is_empty() -> None:
    assert parse("").empty and parse("   ").empty and parse("\x00\t").empty


def test_control_characters_are_dropped() -> None:
    assert clean("al\x00ma\u200bty\tX") == "almaty X"
    assert parse("alm\x00aty").terms == words("almaty")
    assert clean("a\u2028b") == "a b"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_query_error_and_yields_only_key_tokens(q: str) -> None:
    try:
        p = parse(q)
    except QueryError:
        return
    assert isinstance(p, ParsedQuery)
    for term in p.terms:
        for tok in term.tokens:
            assert tok and search_key(tok) == tok  # only key tokens go on
    expr = fts_match(p)
    # every token sits inside an FTS5 string; nothing else but AND, columns and colons
    outside = "".join(expr.split('"')[0::2])
    assert set(outside.replace("AND", "").replace("_key", "")) <= set(" :titleauthorsubject")
