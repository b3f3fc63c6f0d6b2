"""OAI-PMH datestamp arithmetic for the provider: parsing, granularity, from/until bounds.

Pure functions, table-tested. Datestamps are stored in the finest granularity
(``YYYY-MM-DDThh:mm:ssZ``, UTC), which sorts lexicographically in time order, and are
shown in the repository's granularity.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

DAY = "day"
SECONDS = "seconds"
GRANULARITIES = {DAY: "YYYY-MM-DD", SECONDS: "YYYY-MM-DDThh:mm:ssZ"}

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class BadDate(ValueError):
    """A date argument or datestamp that OAI-PMH does not allow here."""


def parse(text: str) -> tuple[str, str]:
    """``(stored form, granularity)`` of an OAI-PMH UTCdatetime; raises BadDate."""
    if _SECONDS_RE.fullmatch(text):
        granularity, stored = SECONDS, text
    elif _DAY_RE.fullmatch(text):
        granularity, stored = DAY, text + "T00:00:00Z"
    else:
        raise BadDate(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    try:
        datetime.fromisoformat(stored)
    except ValueError:
        raise BadDate(f"{text!r} is not a real date") from None
    return stored, granularity


def normalise(text: str) -> str:
    """A datestamp in stored form, from either granularity; raises BadDate."""
    return parse(text)[0]


def show(stored: str, granularity: str) -> str:
    """A stored datestamp as the repository shows it."""
    return stored[:10] if granularity == DAY else stored


def bounds(from_: str | None, until: str | None, repo_granularity: str) -> tuple[str, str | None]:
    """Inclusive stored-form ``(lo, hi)`` for from/until arguments; raises BadDate.

    A day-granular ``until`` covers the whole day. Mixing granularities, a granularity
    finer than the repository's, and ``from`` after ``until`` are bad arguments.
    """
    lo, hi = "", None
    seen: list[str] = []
    if from_ is not None:
        lo, g = parse(from_)
        seen.append(g)
    if until is not None:
        hi, g = parse(until)
        seen.append(g)
        if g == DAY:
            hi = hi[:10] + "T23:59:59Z"
    if len(set(seen)) > 1:
        raise BadDate(f"from {from_!r} and until {until!r} have different granularities")
    if seen and seen[0] == SECONDS and repo_granularity == DAY:
        raise BadDate("this repository supports day granularity only (YYYY-MM-DD)")
    if hi is not None and lo > hi:
        raise BadDate(f"from {from_!r} is later than until {until!r}")
    return lo, hi


def now() -> str:
    """The current UTC time in stored form."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def after(stored: str, seconds: int = 1) -> str:
    """``stored`` plus ``seconds``, in stored form."""
    t = datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t + seconds))


def from_epoch(seconds: float) -> str:
    """Epoch seconds in stored form."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
