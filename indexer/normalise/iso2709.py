"""Reading ISO 2709 files (MARC21, UNIMARC, RUSMARC exchange files) for imports and tests.

Character sets: UTF-8, MARC-8 and Windows-1251. Leader/09 says "a" for UTF-8 and blank
for everything else, and Russian producers leave it blank for CP1251 too, so the leader
decides nothing on its own: a record whose bytes are valid UTF-8 is UTF-8; otherwise
CP1251 and MARC-8 are both tried and the decoded text is scored (CP1251 read as MARC-8 is
full of stray diacritics; MARC-8 read as CP1251 puts single Cyrillic letters inside Latin
words). MARC-8 escape sequences settle it for MARC-8.

RUSMARC files from some producers write three indicator characters; the extra ones are
dropped. A record that cannot be read (truncated, bad directory) is yielded as a
``NormaliseError`` naming its offset, so a caller quarantines it and goes on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from pymarc.marc8 import MARC8ToUnicode

from indexer.errors import NormaliseError
from indexer.normalise.marc import Field, MarcRecord

FT = 0x1E  # field terminator
RT = 0x1D  # record terminator
SF = 0x1F  # subfield delimiter

_CYR = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD_WITH_CYR = re.compile(r"[A-Za-z]+[\u0400-\u04ff][A-Za-z]|[A-Za-z][\u0400-\u04ff]\b")
_CYR_WORD = re.compile(r"[\u0400-\u04ff]{3,}")


def _decode_marc8(data: bytes) -> str:
    # a fresh converter per field: MARC-8 escapes hold only until the end of a field
    return unicodedata.normalize("NFC", str(MARC8ToUnicode(quiet=True).translate(data)))


def cp1251_score(text: str) -> float:
    """How much ``text`` looks like real CP1251 Cyrillic: 0 (not at all) to 1."""
    cyr = len(_CYR.findall(text))
    if not cyr:
        return 0.0
    in_words = sum(len(w) for w in _CYR_WORD.findall(text))
    mixed = len(_LATIN_WORD_WITH_CYR.findall(text))
    return max(0.0, (in_words - 3 * mixed) / cyr)


def detect_encoding(record: bytes) -> str:
    """'utf-8', 'cp1251' or 'marc-8' for the raw bytes of one record."""
    body = record[24:]
    if not any(b > 0x7F for b in body) and b"\x1b" not in body:
        return "utf-8"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if b"\x1b" in body:
        return "marc-8"
    text = body.decode("cp1251", errors="replace")
    return "cp1251" if cp1251_score(text) >= 0.6 else "marc-8"


def _decoder(encoding: str) -> Callable[[bytes], str]:
    if encoding == "marc-8":
        return _decode_marc8
    return lambda b: unicodedata.normalize("NFC", b.decode(encoding, errors="replace"))


def parse_record(record: bytes, *, encoding: str | None = None) -> MarcRecord:
    """Parse the bytes of one record (leader to record terminator)."""
    if len(record) < 25:
        raise NormaliseError(f"truncated record: {len(record)} bytes", step="iso2709")
    try:
        leader = record[:24].decode("ascii")
        base = int(leader[12:17])
        len_len = int(leader[20]) if leader[20].isdigit() else 4
        start_len = int(leader[21]) if leader[21].isdigit() else 5
    except (UnicodeDecodeError, ValueError) as e:
        raise NormaliseError(f"unreadable leader {record[:24]!r}: {e}", step="iso2709") from None
    entry = 3 + len_len + start_len
    dir_end = record.find(bytes([FT]), 24)
    if dir_end < 0 or base > len(record) or base < 24:
        raise NormaliseError(
            f"bad base address {base} in a record of {len(record)} bytes", step="iso2709"
        )
    directory = record[24:dir_end]
    if len(directory) % entry:
        raise NormaliseError(
            f"directory of {len(directory)} bytes is not a multiple of {entry}", step="iso2709"
        )
    encoding = encoding or detect_encoding(record)
    decode = _decoder(encoding)
    rec = MarcRecord(leader)
    for i in range(0, len(directory), entry):
        d = directory[i : i + entry]
        try:
            tag = d[:3].decode("ascii")
            length = int(d[3 : 3 + len_len])
            start = int(d[3 + len_len :])
        except (UnicodeDecodeError, ValueError):
            raise NormaliseError(f"bad directory entry {d!r}", step="iso2709") from None
        raw = record[base + start : base + start + length]
        if not raw:
            raise NormaliseError(f"field {tag} lies outside the record", step="iso2709")
        if raw[-1] == FT:
            raw = raw[:-1]
        if tag < "010" and tag.isdigit():
            rec.add(Field(tag, data=decode(raw)))
            continue
        parts = raw.split(bytes([SF]))
        ind = parts[0].decode("ascii", errors="replace")
        ind = (ind + "  ")[:2] if len(ind) <= 2 else ind.strip().ljust(2)[:2]
        subs = tuple((chr(p[0]) if p[0] < 0x80 else "?", decode(p[1:])) for p in parts[1:] if p)
        rec.add(Field(tag, ind[0], ind[1], subs))
    return rec


def iter_iso2709(
    data: bytes, *, encoding: str | None = None
) -> Iterator[MarcRecord | NormaliseError]:
    """Every record of an ISO 2709 file: a ``MarcRecord``, or a ``NormaliseError`` for a
    record that cannot be read (with its byte offset). Never raises on bad data."""
    pos = 0
    n = len(data)
    while pos < n:
        # skip the line breaks some tools put between records; at the end of the file
        # they are reported, since a file cut short often ends the same way
        gap = pos
        while pos < n and data[pos] in b"\r\n\x00 ":
            pos += 1
        if pos >= n:
            yield NormaliseError(
                f"record at byte {gap}: {n - gap} stray byte(s) after the last record",
                step="iso2709",
            )
            return
        head = data[pos : pos + 5]
        end = data.find(bytes([RT]), pos)
        if head.isdigit() and int(head) >= 25 and pos + int(head) <= n:
            length = int(head)
            if data[pos + length - 1] == RT:
                end = pos + length - 1
        if end < 0:
            end = n - 1
        chunk = data[pos : end + 1]
        try:
            yield parse_record(chunk, encoding=encoding)
        except NormaliseError as e:
            yield NormaliseError(f"record at byte {pos}: {e.reason}", step=e.step or "iso2709")
        pos = end + 1
