"""From/until arithmetic, table-tested (harvester/windows.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.windows import (
    DAY,
    SECONDS,
    Window,
    format_datestamp,
    later,
    next_from,
    normalise_granularity,
    parse_datestamp,
    plan_window,
    to_granularity,
    user_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T10:20:30Z", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T10:20:30.123Z", datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-01T10:20:30+02:00", datetime(2024, 3, 1, 8, 20, 30, tzinfo=UTC)),
        (" 2024-03-01T10:20Z ", datetime(2024, 3, 1, 10, 20, tzinfo=UTC)),
    ],
)
def test_parse_datestamp(text: str, expected: datetime) -> None:
    assert parse_datestamp(text) == expected


@pytest.mark.parametrize("bad", ["", "yesterday", "2024-13-01", "2024-02-30", "03:020:00Z"])
def test_parse_datestamp_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match=r"datestamp|date"):
        parse_datestamp(bad)


@pytest.mark.parametrize(
    ("declared", "granularity"),
    [("YYYY-MM-DD", DAY), ("YYYY-MM-DDThh:mm:ssZ", SECONDS), ("", DAY), (None, DAY)],
)
def test_granularity(declared: str | None, granularity: str) -> None:
    assert normalise_granularity(declared) == granularity


def test_format_in_granularity() -> None:
    dt = datetime(2024, 3, 1, 23, 59, 59, tzinfo=UTC)
    assert format_datestamp(dt, DAY) == "2024-03-01"
    assert format_datestamp(dt, SECONDS) == "2024-03-01T23:59:59Z"


@pytest.mark.parametrize(
    ("watermark", "granularity", "overlap", "expected"),
    [
        (None, SECONDS, 60, None),
        ("2024-03-01T10:00:00Z", SECONDS, 60, "2024-03-01T09:59:00Z"),
        ("2024-03-01T10:00:00Z", SECONDS, 0, "2024-03-01T10:00:00Z"),
        ("2024-03-01T00:00:30Z", DAY, 60, "2024-02-29"),
        ("2024-03-01T10:00:00Z", DAY, 60, "2024-03-01"),
        ("2024-03-01", SECONDS, 1, "2024-02-29T23:59:59Z"),
    ],
)
def test_next_from(watermark: str | None, granularity: str, overlap: int, expected: str) -> None:
    assert next_from(watermark, granularity, timedelta(seconds=overlap)) == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, Window("2024-03-01T09:59:00Z", None)),
        ({"full": True}, Window(None, None)),
        ({"from_": "2023-01-01"}, Window("2023-01-01T00:00:00Z", None, manual=True)),
        ({"until": "2023-01-01"}, Window(None, "2023-01-01T23:59:59Z", manual=True)),
        (
            {"from_": "2023-01-01T05:00:00Z", "until": "2023-01-02T06:00:00Z"},
            Window("2023-01-01T05:00:00Z", "2023-01-02T06:00:00Z", manual=True),
        ),
        ({"full": True, "from_": "2023-05-05"}, Window("2023-05-05T00:00:00Z", None, manual=True)),
    ],
)
def test_plan_window_seconds(kw: dict, expected: Window) -> None:
    assert plan_window("2024-03-01T10:00:00Z", SECONDS, **kw) == expected


def test_plan_window_day_granularity_truncates_times() -> None:
    w = plan_window(None, DAY, from_="2023-01-01T05:00:00Z", until="2023-01-02T06:00:00Z")
    assert w == Window("2023-01-01", "2023-01-02", manual=True)


def test_plan_window_rejects_reversed() -> None:
    with pytest.raises(ValueError, match="later than"):
        plan_window(None, SECONDS, from_="2024-01-02", until="2024-01-01")


@pytest.mark.parametrize(
    ("value", "gran", "end", "expected"),
    [
        ("2024-01-01", SECONDS, False, "2024-01-01T00:00:00Z"),
        ("2024-01-01", SECONDS, True, "2024-01-01T23:59:59Z"),
        ("2024-01-01T12:00:00Z", SECONDS, True, "2024-01-01T12:00:00Z"),
        ("2024-01-01T12:00:00Z", DAY, True, "2024-01-01"),
    ],
)
def test_to_granularity(value: str, gran: str, end: bool, expected: str) -> None:
    assert to_granularity(value, gran, end=end) == expected


def test_user_date() -> None:
    assert user_date("2024-03-01") == "2024-03-01"
    assert user_date("2024-03-01T10:00:00+01:00") == "2024-03-01T09:00:00Z"
    with pytest.raises(ValueError, match="not a datestamp"):
        user_date("March")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, None),
        ("2024-01-01", None, "2024-01-01"),
        (None, "2024-01-01", "2024-01-01"),
        ("2024-01-01T00:00:01Z", "2024-01-01", "2024-01-01T00:00:01Z"),
        ("2023-12-31", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
    ],
)
def test_later(a: str | None, b: str | None, expected: str | None) -> None:
    assert later(a, b) == expected
