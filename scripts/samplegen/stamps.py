"""Deterministic identifiers and dates derived from edition keys (no randomness, no clock).

An identifier depends only on the library and the edition key, so adding a row to a table
never renumbers the records other tests and notes already cite.
"""

from __future__ import annotations

import datetime as dt
import zlib

EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
LAST = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def _hash(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def record_number(lib: str, key: str) -> str:
    """The six-digit local record number of an edition in a library."""
    return f"{100000 + _hash(lib, key) % 900000:06d}"


def datestamp(lib: str, key: str) -> str:
    """The OAI datestamp (last change) of a record, spread over 2023-01-01 .. 2026-11-20."""
    span = int((LAST - EPOCH).total_seconds())
    moment = EPOCH + dt.timedelta(seconds=_hash("stamp", lib, key) % span)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def entered_date(lib: str, key: str, year: str) -> str:
    """008/00-05 (yymmdd): when the record was first entered, not before publication."""
    published = int(year[:4]) if year[:4].isdigit() else 1990
    first = max(published, 1994)
    last = max(first, 2022)
    h = _hash("entered", lib, key)
    day = dt.date(first + h % (last - first + 1), 1, 1) + dt.timedelta(days=(h >> 8) % 365)
    return day.strftime("%y%m%d")
