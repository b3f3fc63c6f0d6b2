"""The value helpers' fast paths give what the general code gives: ISBNs checked without
stdnum against stdnum, ISBD trimming read from the end against the plain regular
expressions it replaced, cleaning of catalogued text against its definition."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import isbn
from stdnum.exceptions import ValidationError

from indexer.normalise.marc import clean_text
from indexer.normalise.values import soft_trim, split_isbns, trim

SETTINGS = settings(max_examples=400, deadline=None)


def stdnum_isbn13(raw: str) -> str:
    """The ISBN-13 by stdnum alone (after the same search for the number in the value)."""
    m = re.search(
        r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]", raw.replace("х", "X").replace("Х", "X")
    )
    try:
        return str(isbn.to_isbn13(isbn.validate(m.group(0) if m else raw)))
    except (ValidationError, ValueError):
        return ""


def _with_check_digit(body: str) -> str:
    if len(body) == 9:
        total = sum(i * int(c) for i, c in enumerate(body, 1)) % 11
        return body + ("X" if total == 10 else str(total))
    d = [int(c) for c in body]
    return body + str((10 - (sum(d[0::2]) + 3 * sum(d[1::2])) % 10) % 10)


@st.composite
def isbn_like(draw: st.DrawFn) -> str:
    """Valid ISBN-10s and -13s, hyphenated or spaced at random, some with a digit changed,
    some with the notes catalogues add."""
    body = draw(st.sampled_from(["", "978", "979"])) + draw(st.from_regex(r"\A[0-9]{9}\Z"))
    number = _with_check_digit(body)
    if draw(st.booleans()):
        i = draw(st.integers(0, len(number) - 1))
        number = number[:i] + draw(st.sampled_from("0123456789Xxх")) + number[i + 1 :]
    seps = draw(st.lists(st.sampled_from(["", "", "-", " "]), min_size=len(number)))
    text = "".join(c + s for c, s in zip(number, seps, strict=False))
    return text + draw(st.sampled_from(["", " (в пер.)", " (pbk.)", ":"]))


@SETTINGS
@given(isbn_like() | st.text(alphabet="0123456789Xx- х٣", max_size=20))
def test_isbn_fast_path_agrees_with_stdnum(raw: str) -> None:
    valid, invalid = split_isbns([raw])
    expected = stdnum_isbn13(raw.strip())
    assert valid == ([expected] if expected else [])
    assert invalid == ([] if expected or not raw.strip() else [raw.strip()])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Абай жолы :", "Абай жолы"),
        ("Пушкин, Александр Сергеевич,", "Пушкин, Александр Сергеевич"),
        ("Камал Ибраһимов.", "Камал Ибраһимов"),
        ("СПб.", "СПб."),
        ("J. S.", "J. S."),
        ("1998.", "1998"),
        ("[s.n.].", "[s.n.]"),
        ("Т. 10 / ;", "Т. 10"),
        (" : Maarif,", "Maarif"),
        ("etc...", "etc..."),
    ],
)
def test_trim(value: str, expected: str) -> None:
    assert trim(value) == expected


_TRAILING = re.compile(r"[\s/:;=,]+$")
_LAST_WORD = re.compile(r"(\w+)\.$")


def plain_trim(value: str) -> str:
    """trim as first written: regular expressions searched from the start."""
    v = value.strip()
    if v and v[-1] in "/:;=,":
        v = _TRAILING.sub("", v)
    v = re.sub(r"^[\s/:;=,]+", "", v) if v and v[0] in "/:;=," else v
    if v.endswith(".") and not v.endswith(".."):
        m = _LAST_WORD.search(v)
        if v.endswith((").", "].")) or (m and (len(m.group(1)) >= 4 or m.group(1).isdigit())):
            v = v[:-1].rstrip()
    return v


CHARS = st.sampled_from(list("aЯə1 .:;/=,[]()_\t\u00a0\u0301")) | st.characters()
TEXT = st.text(alphabet=CHARS)


@SETTINGS
@given(TEXT)
def test_trim_reads_the_end_as_the_regular_expressions_did(value: str) -> None:
    assert trim(value) == plain_trim(value)
    assert soft_trim(value) == soft_trim(soft_trim(value))


def test_soft_trim_knows_every_white_space_character() -> None:
    spaces = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert soft_trim(f"{spaces}Абай{spaces}/{spaces}") == "Абай"
    assert soft_trim(f"{spaces}:{spaces}Абай") == "Абай"


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("aЯ ə\u0301e\x88\x89\x98\x9c\n\u00a0")) | CHARS))
def test_clean_text(value: str) -> None:
    expected = value
    for marker in "\x88\x89\x98\x9c":
        expected = expected.replace(marker, "")
    assert clean_text(value) == unicodedata.normalize("NFC", expected).strip()
