"""Protocol arithmetic for from/until windows (pure; metha's ``intervals.go``).

OAI-PMH datestamps come in two granularities, ``YYYY-MM-DD`` and
``YYYY-MM-DDThh:mm:ssZ``; a request must use the one the provider declares in Identify.
Each (source, set, prefix) keeps a *watermark*, the provider time up to which everything
was harvested; the next run asks ``from`` = watermark minus a small overlap, so a record
stamped in the same second (or day) as the end of the last run is not missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
DEFAULT_OVERLAP = timedelta(seconds=60)

_DATESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


def normalise_granularity(value: str | None) -> str:
    """The granularity an Identify response declares (anything with a time part is seconds)."""
    return SECONDS if value and "hh" in value.lower() else DAY


def parse_datestamp(text: str) -> datetime:
    """A datestamp (either granularity, tolerating fractions and offsets) as an aware UTC
    datetime. Raises ``ValueError`` naming the bad value."""
    m = _DATESTAMP.match(text.strip())
    if not m:
        raise ValueError(f"not a datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ): {text!r}")
    y, mo, d, hh, mm, ss, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as e:
        raise ValueError(f"not a valid date: {text!r} ({e})") from None
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.replace(tzinfo=UTC)


def format_datestamp(dt: datetime, granularity: str) -> str:
    """``dt`` in the provider's granularity (UTC)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    if granularity == DAY:
        return dt.strftime("%Y-%m-%d")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def has_time(text: str) -> bool:
    return "T" in text.strip() or " " in text.strip()


def user_date(text: str) -> str:
    """Validate a ``--from``/``--until`` value; returns it normalised to UTC seconds or day.

    Raises ``ValueError`` (argparse turns that into a usage error, exit 2)."""
    dt = parse_datestamp(text)
    return format_datestamp(dt, SECONDS if has_time(text) else DAY)


def to_granularity(value: str, granularity: str, *, end: bool = False) -> str:
    """A user or stored datestamp re-expressed in ``granularity``. A day widened to seconds
    becomes its first second, or its last when ``end`` (an inclusive ``until``)."""
    dt = parse_datestamp(value)
    if granularity == SECONDS and not has_time(value) and end:
        dt += timedelta(days=1, seconds=-1)
    return format_datestamp(dt, granularity)


def next_from(
    watermark: str | None, granularity: str, overlap: timedelta = DEFAULT_OVERLAP
) -> str | None:
    """``from`` for an incremental run: the watermark minus ``overlap``, in ``granularity``."""
    if not watermark:
        return None
    return format_datestamp(parse_datestamp(watermark) - overlap, granularity)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two datestamps (either may be None), keeping its original text."""
    if not a:
        return b
    if not b:
        return a
    return a if parse_datestamp(a) >= parse_datestamp(b) else b


@dataclass(frozen=True)
class Window:
    """The from/until of one list request; ``manual`` when set by --from/--until."""

    from_: str | None
    until: str | None
    manual: bool = False


def plan_window(
    watermark: str | None,
    granularity: str,
    *,
    full: bool = False,
    from_: str | None = None,
    until: str | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> Window:
    """The window of the next list: --from/--until win, --full asks for everything,
    otherwise an incremental window from the watermark."""
    if from_ is not None or until is not None:
        f = to_granularity(from_, granularity) if from_ else None
        u = to_granularity(until, granularity, end=True) if until else None
        if f and u and parse_datestamp(f) > parse_datestamp(u):
            raise ValueError(f"--from {from_} is later than --until {until}")
        return Window(f, u, manual=True)
    if full:
        return Window(None, None)
    return Window(next_from(watermark, granularity, overlap), None)
