"""Small pure helpers the mappings share: ISBD punctuation, years, ISBNs, ISSNs, URLs."""

from __future__ import annotations

import re

from stdnum import isbn as _isbn
from stdnum import issn as _issn
from stdnum.exceptions import ValidationError

# ISBD punctuation that ends a MARC/UNIMARC subfield and belongs to the display, not to
# the value: " /", " :", " ;", " =", ",", "." (kept after an initial or an abbreviation).
_SEPARATORS = frozenset("/:;=,")
_TRAILING = re.compile(r"[\s/:;=,]+$")
_LEADING = re.compile(r"^[\s/:;=,]+")
_BRACKETS = re.compile(r"^\[(.*)\]$")
_LAST_WORD = re.compile(r"(\w+)\.$")
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_ISBN = re.compile(r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_URL = re.compile(r"^(?:https?|ftp)://\S+$", re.IGNORECASE)


def trim(value: str) -> str:
    """A value without the ISBD punctuation around it ("Title /" → "Title", "Paul." →
    "Paul"). A final period stays after a short word or an initial ("СПб.", "Сб.",
    "J. S."), where it belongs to an abbreviation."""
    v = soft_trim(value)
    if v.endswith(".") and not v.endswith(".."):
        m = _LAST_WORD.search(v)
        if v.endswith((").", "].")) or (m and (len(m.group(1)) >= 4 or m.group(1).isdigit())):
            v = v[:-1].rstrip()
    return v


def soft_trim(value: str) -> str:
    """A value without leading and trailing ISBD separators; periods are kept."""
    v = value.strip()
    if v and v[-1] in _SEPARATORS:
        v = _TRAILING.sub("", v)
    if v and v[0] in _SEPARATORS:
        v = _LEADING.sub("", v)
    return v


def unbracket(value: str) -> str:
    """ "[Moscow]" → "Moscow": brackets mark supplied data, the value is the same."""
    m = _BRACKETS.match(value.strip())
    return m.group(1).strip() if m else value.strip()


def year_of(value: str) -> int | None:
    """The first plausible year (1000–2099) in a date as catalogued ("c1962.", "[1997?]")."""
    m = _YEAR.search(value)
    return int(m.group(1)) if m else None


def split_isbns(values: list[str]) -> tuple[list[str], list[str]]:
    """(valid ISBN-13s, invalid values as catalogued) for raw ISBN subfield values.

    "5-02-013850-9 (в пер.)" → "9785020138506"; a value that is not an ISBN is kept in the
    second list, never dropped.
    """
    valid: list[str] = []
    invalid: list[str] = []
    for raw in values:
        raw = raw.strip()
        if not raw:
            continue
        code = _isbn13(raw)
        if not code:
            if raw not in invalid:
                invalid.append(raw)
            continue
        if code not in valid:
            valid.append(code)
    return valid, invalid


def _isbn13(raw: str) -> str:
    """The ISBN-13 of a catalogued ISBN value, or "" when it is not a valid ISBN."""
    if len(raw) == 13 and raw.isdigit() and raw[:3] in ("978", "979"):
        # the common case (a bare ISBN-13): the EAN-13 check digit that stdnum's
        # ``isbn.validate`` computes, without its general cleaning (5x faster)
        d = [ord(c) - 48 for c in raw]
        odd = d[0] + d[2] + d[4] + d[6] + d[8] + d[10]
        even = d[1] + d[3] + d[5] + d[7] + d[9] + d[11]
        return raw if (10 - (odd + 3 * even) % 10) % 10 == d[12] else ""
    # Russian catalogues often type the check digit X as a Cyrillic "х"
    m = _ISBN.search(raw.replace("х", "X").replace("Х", "X"))
    try:
        return str(_isbn.to_isbn13(_isbn.validate(m.group(0) if m else raw)))
    except (ValidationError, ValueError):
        return ""


def valid_issn(value: str) -> str:
    """The ISSN in ``value`` as NNNN-NNNN if it is valid, else ""."""
    m = _ISSN.search(value)
    if not m:
        return ""
    try:
        return str(_issn.format(_issn.validate(m.group(0))))
    except (ValidationError, ValueError):
        return ""


def is_url(value: str) -> bool:
    return bool(_URL.match(value.strip()))


def looks_like_isbn(value: str) -> bool:
    """True for an identifier meant as an ISBN ("ISBN 978-…", or 10/13 digits)."""
    v = value.strip()
    if v.lower().startswith(("isbn", "urn:isbn:")):
        return True
    digits = re.sub(r"[\s-]", "", v)
    return bool(re.fullmatch(r"(?:97[89])?\d{9}[\dXx]", digits))


def dedup(values: list[str]) -> tuple[str, ...]:
    """Non-empty values in first-seen order, without repeats."""
    return tuple(dict.fromkeys(v for v in values if v))
