"""The retry decision: one pure function from what went wrong to "retry after N seconds?".

Kept free of clocks, randomness and I/O (metha's ``shouldRetry``): the caller passes the
attempt number, what it saw (HTTP status, ``Retry-After`` header, kind of failure), the
current time for HTTP-date headers and a jitter value in [0, 1]. So it is table-tested.

Rules:
- 503 and 429 with ``Retry-After`` (seconds or an HTTP-date): wait what the server asks,
  capped at ``Backoff.retry_after_cap``;
- other 5xx, 429 without the header, timeouts, connection errors, incomplete or unreadable
  bodies: exponential backoff ``base * 2**(attempt-1)`` capped at ``Backoff.cap``, with
  "equal jitter" (half fixed, half scaled by ``jitter``);
- any other status (404, 401 …) or an unknown failure kind: do not retry;
- never more than ``max_retries`` retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Failure kinds a transport may report besides an HTTP status.
TIMEOUT = "timeout"
CONNECTION = "connection"
INCOMPLETE = "incomplete"  # body shorter than announced, or cut mid-transfer
INVALID = "invalid"  # body arrived but is not OAI-PMH XML (HTML error page, broken XML)
RETRYABLE_KINDS = frozenset({TIMEOUT, CONNECTION, INCOMPLETE, INVALID})


@dataclass(frozen=True)
class Backoff:
    """Timing of retries; tests shrink these to milliseconds."""

    base: float = 1.0  # first backoff wait, seconds
    cap: float = 60.0  # longest backoff wait
    retry_after_cap: float = 300.0  # longest wait a Retry-After header may ask for


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class Decision:
    retry: bool
    wait: float
    reason: str


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def decide(
    attempt: int,
    max_retries: int,
    *,
    status: int | None = None,
    retry_after: str | None = None,
    error: str | None = None,
    jitter: float = 0.5,
    now: datetime | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> Decision:
    """Whether to retry after failed ``attempt`` (1 = the first request failed), and how long
    to wait. ``status`` is the HTTP status if a response came back, ``error`` the failure
    kind otherwise (see ``RETRYABLE_KINDS``)."""
    if error is not None:
        if error not in RETRYABLE_KINDS:
            return Decision(False, 0.0, f"{error} is not retried")
        what = error
    elif status is None or 200 <= status < 300:
        return Decision(False, 0.0, "success")
    elif status in (429, 503) or 500 <= status < 600:
        what = f"HTTP {status}"
    else:
        return Decision(False, 0.0, f"HTTP {status} is not retried")

    if attempt > max_retries:
        return Decision(False, 0.0, f"{what}: gave up after {max_retries} retries")

    if status in (429, 503) and error is None:
        asked = retry_after_seconds(retry_after, now or datetime.now(UTC))
        if asked is not None:
            wait = min(asked, backoff.retry_after_cap)
            return Decision(True, wait, f"{what}: Retry-After {wait:g}s")

    exp = min(backoff.cap, backoff.base * 2 ** (attempt - 1))
    jitter = min(1.0, max(0.0, jitter))
    wait = exp / 2 + exp / 2 * jitter
    return Decision(True, wait, f"{what}: backoff {wait:.3g}s")
