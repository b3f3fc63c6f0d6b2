"""The retry decision, table-tested (harvester/retry.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harvester.retry import Backoff, decide, retry_after_seconds

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
B = Backoff(base=1.0, cap=8.0, retry_after_cap=120.0)


@pytest.mark.parametrize(
    ("attempt", "kw", "retry", "wait"),
    [
        # 503 with Retry-After in seconds, as an HTTP-date, capped, unreadable
        (1, {"status": 503, "retry_after": "7"}, True, 7.0),
        (1, {"status": 503, "retry_after": "Fri, 01 Mar 2024 12:00:30 GMT"}, True, 30.0),
        (1, {"status": 503, "retry_after": "Fri, 01 Mar 2024 11:00:00 GMT"}, True, 0.0),
        (1, {"status": 503, "retry_after": "86400"}, True, 120.0),
        (1, {"status": 503, "retry_after": "soon"}, True, 1.0),
        (1, {"status": 429, "retry_after": "3"}, True, 3.0),
        # other 5xx, 429 without header: exponential backoff, capped
        (1, {"status": 500}, True, 1.0),
        (2, {"status": 502}, True, 2.0),
        (3, {"status": 504}, True, 4.0),
        (5, {"status": 503}, True, 8.0),
        (1, {"status": 429}, True, 1.0),
        # transport failures
        (1, {"error": "timeout"}, True, 1.0),
        (2, {"error": "connection"}, True, 2.0),
        (3, {"error": "incomplete"}, True, 4.0),
        (1, {"error": "invalid"}, True, 1.0),
        # never retried
        (1, {"status": 404}, False, 0.0),
        (1, {"status": 401}, False, 0.0),
        (1, {"status": 200}, False, 0.0),
        (1, {"error": "dns-poisoned"}, False, 0.0),
        # retries exhausted (max_retries=5 below)
        (6, {"status": 503, "retry_after": "1"}, False, 0.0),
        (6, {"error": "timeout"}, False, 0.0),
    ],
)
def test_decide(attempt: int, kw: dict, retry: bool, wait: float) -> None:
    d = decide(attempt, 5, now=NOW, jitter=1.0, backoff=B, **kw)
    assert (d.retry, d.wait) == (retry, pytest.approx(wait))
    assert d.reason


@pytest.mark.parametrize(("jitter", "wait"), [(0.0, 2.0), (0.5, 3.0), (1.0, 4.0), (7.0, 4.0)])
def test_jitter_is_half_of_the_backoff(jitter: float, wait: float) -> None:
    assert decide(3, 5, status=500, jitter=jitter, backoff=B).wait == pytest.approx(wait)


def test_zero_retries_never_retry() -> None:
    assert not decide(1, 0, status=503, retry_after="1").retry


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("12", 12.0),
        ("Fri, 01 Mar 2024 12:01:00 GMT", 60.0),
        ("Friday", None),
        ("-5", None),
    ],
)
def test_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds
