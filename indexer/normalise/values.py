"""Small pure helpers the mappings share: ISBD punctuation, years, ISBNs, ISSNs, URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from stdnum import isbn as _isbn
from stdnum import issn as _issn
from stdnum.exceptions import ValidationError

# ISBD punctuation that ends a MARC/UNIMARC subfield and belongs to the display, not to
# the value: " /", " :", " ;", " =", ",", "." (kept after an initial or an abbreviation).
_SEPARATORS = frozenset("/:;=,")
# what ``soft_trim`` takes off either end: white space (as ``str.isspace``, which is what
# ``\s`` matches; U+3000 is the last such character) and the separators
_TRIMMED = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "/:;=,"
_BRACKETS = re.compile(r"^\[(.*)\]$")
_LAST_WORD_REVERSED = re.compile(r"\.(\w+)")
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_ISBN = re.compile(r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_URL = re.compile(r"^(?:https?|ftp)://\S+$", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def trim(value: str) -> str:
    """A value without the ISBD punctuation around it ("Title /" → "Title", "Paul." →
    "Paul"). A final period stays after a short word or an initial ("СПб.", "Сб.",
    "J. S."), where it belongs to an abbreviation."""
    v = _soft_trim(value)
    if v.endswith(".") and not v.endswith(".."):
        if v.endswith((").", "].")):
            return v[:-1].rstrip()
        # the word before the period, read from the end (a search from the start tries
        # every position of the value)
        # (only the last five characters: a word of four already keeps the period off)
        m = _LAST_WORD_REVERSED.match(v[:-6:-1])
        if m and (len(m.group(1)) >= 4 or m.group(1).isdigit()):
            v = v[:-1].rstrip()
    return v


@lru_cache(maxsize=1 << 14)
def soft_trim(value: str) -> str:
    """A value without leading and trailing ISBD separators; periods are kept."""
    v = value.strip()
    if v and v[-1] in _SEPARATORS:
        v = v.rstrip(_TRIMMED)
    if v and v[0] in _SEPARATORS:
        v = v.lstrip(_TRIMMED)
    return v


_soft_trim = soft_trim.__wrapped__  # trim is cached itself: no second cache look-up


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
        return raw if _ean_ok(raw) else ""  # the common case: a bare ISBN-13
    if raw[:3] in ("978", "979") and raw[-1] != "-" and "--" not in raw:
        # digits and single hyphens, "978-5-593-34737-4": what the search below finds is
        # the whole value, so its digits are the hyphens' removal
        digits = raw.replace("-", "")
        if len(digits) == 13 and digits.isascii() and digits.isdigit():
            return digits if _ean_ok(digits) else ""
    # Russian catalogues often type the check digit X as a Cyrillic "х"
    m = _ISBN.search(raw.replace("х", "X").replace("Х", "X"))
    number = m.group(0) if m else raw
    digits = number.replace("-", "").replace(" ", "")
    if digits.isascii():
        # hyphenated ISBN-13s and ISBN-10s: the check digits stdnum's ``isbn.validate``
        # computes, without its general cleaning (5x faster); anything else goes to stdnum
        if len(digits) == 13 and digits.isdigit():
            return digits if digits[:3] in ("978", "979") and _ean_ok(digits) else ""
        if (
            len(digits) == 10
            and digits[:9].isdigit()
            and (digits[9].isdigit() or digits[9] in "Xx")
        ):
            total = sum(i * (ord(c) - 48) for i, c in enumerate(digits[:9], 1)) % 11
            if ("X" if total == 10 else str(total)) != digits[9].upper():
                return ""
            body = "978" + digits[:9]
            return body + str(_ean_check(body))
    try:
        return str(_isbn.to_isbn13(_isbn.validate(number)))
    except (ValidationError, ValueError):
        return ""


def _ean_check(body: str) -> int:
    """The EAN-13 check digit of 12 ASCII digits."""
    if body.isascii():  # digit bytes are 48 + the digit: 6 * 48 + 3 * 6 * 48 = 1152
        b = body.encode()
        return (10 - (sum(b[0:12:2]) + 3 * sum(b[1:12:2]) - 1152) % 10) % 10
    d = [ord(c) - 48 for c in body]
    return (
        10
        - (
            d[0]
            + d[2]
            + d[4]
            + d[6]
            + d[8]
            + d[10]
            + 3 * (d[1] + d[3] + d[5] + d[7] + d[9] + d[11])
        )
        % 10
    ) % 10


def _ean_ok(code: str) -> bool:
    return _ean_check(code[:12]) == ord(code[12]) - 48


def valid_issn(value: str) -> str:
    """The ISSN in ``value`` as NNNN-NNNN if it is valid, else ""."""
    m = _ISSN.search(value)
    if not m:
        return ""
    try:
        return str(_issn.format(_issn.validate(m.group(0))))
    except (ValidationError, ValueError):
        return ""


def split_issns(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """(valid ISSNs as NNNN-NNNN, the invalid ones as "ISSN <value>" for other_ids)."""
    valid: list[str] = []
    invalid: list[str] = []
    for v in values:
        code = valid_issn(v)
        if code:
            valid.append(code)
        else:
            invalid.append(f"ISSN {v}")
    return valid, invalid


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
    if len(values) < 2:
        return (values[0],) if values and values[0] else ()
    return tuple(dict.fromkeys(v for v in values if v))
