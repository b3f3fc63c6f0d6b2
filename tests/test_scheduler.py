"""The scheduler with real APScheduler, six-field crons firing every second, and real
providers on 127.0.0.1: jobs fire, never overlap, survive a failing source, catch up."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from birlik.commands.run import HarvestJob
from birlik.scheduler import Scheduler, missed_since
from harvester.store import StateDB
from tests.support.ops import OpsProviderFactory, source, wait_for, write_config
from tests.support.provider import sample_items, write_collection

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEAD = "http://127.0.0.1:9/oai"
YEARLY = "0 0 1 1 *"


@pytest.mark.parametrize(
    ("schedule", "last", "now", "missed"),
    [
        ("0 2 * * *", None, T0, False),  # never harvested: wait for the schedule
        ("0 2 * * *", T0 - timedelta(hours=1), T0, False),  # 02:00 not passed since
        ("0 2 * * *", T0 - timedelta(hours=11), T0, True),  # 01:00 → 12:00 passed 02:00
        ("0 2 * * *", T0 - timedelta(days=3), T0, True),  # three missed: one catch-up
        ("0 2 * * *", T0.replace(hour=2), T0, False),  # started exactly at the tick
        ("*/10 * * * * *", T0 - timedelta(seconds=5), T0, True),  # six fields, seconds first
        ("*/10 * * * * *", T0 - timedelta(seconds=5), T0 - timedelta(seconds=1), False),
        ("0 0 1 1 *", T0 - timedelta(days=200), T0, False),
    ],
)
def test_missed_since(schedule: str, last: datetime | None, now: datetime, missed: bool) -> None:
    assert missed_since(schedule, last, now) is missed


def runs(db_path: Path, key: str) -> list[dict[str, object]]:
    with StateDB(db_path) as db:
        return [dict(r) for r in reversed(db.runs(key))]


def test_jobs_fire_and_survive_a_failing_source(
    tmp_path: Path, ops_provider: OpsProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    provider = ops_provider(write_collection(tmp_path / "c", sample_items(12)), page_size=5)
    config = write_config(
        tmp_path / "site",
        [source("anl", provider.url), source("nlrk", DEAD), source("boom", provider.url)],
    )
    harvest = HarvestJob(config, index=False)

    def job(key: str, stop: threading.Event) -> None:
        if key == "boom":
            raise RuntimeError("a bug in a job")
        harvest(key, stop)

    sched = Scheduler(config, job)
    sched.start()
    try:
        wait_for(lambda: len(runs(config.state_db, "anl")) >= 3, timeout=10)
        wait_for(lambda: len(runs(config.state_db, "nlrk")) >= 3, timeout=10)
    finally:
        sched.shutdown()
    anl, nlrk = runs(config.state_db, "anl"), runs(config.state_db, "nlrk")
    assert {r["status"] for r in anl} == {"ok"}
    assert anl[0]["new"] == 11 and anl[0]["deleted"] == 1
    assert {r["status"] for r in nlrk} == {"failed"}
    assert "127.0.0.1:9" in str(nlrk[0]["error"])
    assert caplog.text.count("boom: scheduled run failed") >= 3
    assert "RuntimeError: a bug in a job" in caplog.text


def test_runs_of_one_source_never_overlap(
    tmp_path: Path, ops_provider: OpsProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A harvest longer than the cron period: the ticks in between are skipped and logged."""
    caplog.set_level(logging.INFO)
    provider = ops_provider(
        write_collection(tmp_path / "c", sample_items(12)), page_size=3, delay=0.25
    )
    config = write_config(tmp_path / "site", [source("anl", provider.url)])
    sched = Scheduler(config, HarvestJob(config, index=False))
    sched.start()
    try:
        wait_for(lambda: sched.running("anl"), timeout=5)
        assert sched.trigger("anl") is False  # "harvest now" while it runs
        wait_for(lambda: len(runs(config.state_db, "anl")) >= 2, timeout=10)
        wait_for(lambda: not sched.running("anl"), timeout=5)
    finally:
        sched.shutdown()
    history = runs(config.state_db, "anl")
    for before, after in itertools.pairwise(history):
        assert before["ended"] is not None
        assert before["ended"] <= after["started"]  # type: ignore[operator]
    assert {r["status"] for r in history} <= {"ok", "interrupted"}
    assert history[0]["status"] == "ok"
    assert history[0]["ended"] - history[0]["started"] > 1  # type: ignore[operator]
    skipped = "maximum number of running instances reached" in caplog.text
    assert skipped or "skipped, the previous run is still going" in caplog.text
    assert "a run is already going; not starting another" in caplog.text


def test_catch_up_and_resume_on_start(tmp_path: Path, ops_provider: OpsProviderFactory) -> None:
    """A yearly cron that fired during downtime runs once at start; so does a source whose
    last run did not finish; a source with nothing missed waits for its schedule."""
    provider = ops_provider(write_collection(tmp_path / "c", sample_items(5)))
    config = write_config(
        tmp_path / "site",
        [
            source("anl", provider.url, YEARLY),
            source("nlrk", provider.url, YEARLY),
            source("kitap", provider.url, YEARLY),
        ],
    )
    now = datetime.now(UTC)
    sched = Scheduler(config, HarvestJob(config, index=False))
    sched.start({"anl": now - timedelta(days=400), "nlrk": now, "kitap": now}, {"kitap"})
    try:
        wait_for(lambda: runs(config.state_db, "anl") and runs(config.state_db, "kitap"))
        wait_for(lambda: not sched.busy())
        time.sleep(0.3)
        assert runs(config.state_db, "nlrk") == []
        nxt = sched.next_run("nlrk")
        assert nxt is not None and (nxt.month, nxt.day, nxt.hour) == (1, 1, 0)
    finally:
        sched.shutdown()
    assert len(runs(config.state_db, "anl")) == 1


def test_shutdown_stops_a_harvest_after_its_page(
    tmp_path: Path, ops_provider: OpsProviderFactory
) -> None:
    provider = ops_provider(
        write_collection(tmp_path / "c", sample_items(40)), page_size=4, delay=0.2
    )
    config = write_config(tmp_path / "site", [source("anl", provider.url, YEARLY)])
    sched = Scheduler(config, HarvestJob(config, index=False))
    sched.start()
    assert sched.trigger("anl")
    with StateDB(config.state_db) as db:
        wait_for(lambda: db.counts("anl")[0] >= 4)
    started = time.monotonic()
    sched.shutdown(wait=True)
    assert time.monotonic() - started < 3
    (run,) = runs(config.state_db, "anl")
    assert run["status"] == "interrupted"
    with StateDB(config.state_db) as db:
        cp = db.checkpoint("anl", "", "marc21")
        held = sum(db.counts("anl"))
    assert cp.token is not None  # resumes from here next time
    assert 4 <= held < 40
    assert held == run["new"] + run["deleted"]  # type: ignore[operator]


def test_a_failing_index_run_is_logged_with_the_harvest_summary(
    tmp_path: Path, ops_provider: OpsProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    caplog.set_level(logging.INFO)
    provider = ops_provider(write_collection(tmp_path / "c", sample_items(5)))
    config = write_config(tmp_path / "site", [source("anl", provider.url, YEARLY)])
    config = replace(
        config, index=replace(config.index, backend="elasticsearch", url="http://127.0.0.1:9")
    )
    HarvestJob(config)("anl", threading.Event())
    assert "anl: indexing after the harvest failed" in caplog.text
    summary = [r for r in caplog.records if r.name == "birlik.run"][-1]
    assert summary.getMessage().startswith("run anl ok: new=5 updated=0 deleted=0")
    assert "index: failed: cannot reach Elasticsearch at http://127.0.0.1:9" in summary.getMessage()
