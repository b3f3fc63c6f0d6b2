"""Faults injected between the real harvester and a real provider; after each, the raw store
equals the provider's record set exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.config import load_config
from harvester.harvest import HarvestOptions, RunSummary, harvest_sources
from harvester.retry import Backoff
from harvester.store import StateDB
from tests.support.oai import make_items, stored, write_config
from tests.support.oai_targets import TargetFactory, assert_store_exact

FAST = HarvestOptions(backoff=Backoff(base=0.001, cap=0.005, retry_after_cap=0.01))


def harvest(tmp_path: Path, db: StateDB, url: str, retries: int = 3) -> RunSummary:
    cfg = load_config(write_config(tmp_path, {"anl": url}, max_retries=retries))
    return harvest_sources(cfg, db, options=FAST, progress=False)["anl"]


@pytest.mark.parametrize(
    "kind", ["503", "503-date", "500", "reset", "truncate", "badchars", "html"]
)
def test_transient_fault_mid_list_is_retried(
    tmp_path: Path, state_db: StateDB, target: TargetFactory, kind: str
) -> None:
    t = target(make_items(40, deleted_every=6), page_size=6)
    t.faulty.add(kind, skip=2, times=2)  # the third and fourth resumption requests
    result = harvest(tmp_path, state_db, t.url)
    assert (result.status, result.error) == ("ok", None)
    assert t.faulty.fired == [kind, kind]
    assert_store_exact(state_db, "anl", t)
    assert state_db.checkpoint("anl", "", "marc21").token is None


@pytest.mark.parametrize("kind", ["503", "reset", "truncate", "html"])
def test_persistent_fault_fails_keeps_pages_and_resumes(
    tmp_path: Path, state_db: StateDB, target: TargetFactory, kind: str
) -> None:
    t = target(make_items(40), page_size=6)
    t.faulty.add(kind, skip=2, times=10)
    failed = harvest(tmp_path, state_db, t.url, retries=2)
    assert failed.status == "failed"
    assert "source 'anl'" in (failed.error or "") and "resumptionToken=" in (failed.error or "")
    assert len(stored(state_db, "anl")) == 18  # three pages committed before the fault
    token = state_db.checkpoint("anl", "", "marc21").token
    assert token
    t.faulty.faults.clear()
    t.faulty.params.clear()
    again = harvest(tmp_path, state_db, t.url)
    assert (again.status, again.new, again.unchanged) == ("ok", 22, 0)
    assert t.faulty.requests()[0]["resumptionToken"] == token
    assert_store_exact(state_db, "anl", t)


def test_token_expired_mid_list_restarts_from_watermark(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(30), page_size=7)
    t.faulty.add("expired", skip=1)
    result = harvest(tmp_path, state_db, t.url)
    assert result.status == "ok"
    starts = [p for p in t.faulty.requests() if "resumptionToken" not in p]
    assert len(starts) == 2  # the list was started again
    assert (result.new, result.unchanged) == (30, 14)  # the first two pages came twice
    assert_store_exact(state_db, "anl", t)


def test_saved_token_expired_restarts_from_watermark(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(30), page_size=7)
    t.faulty.add("reset", skip=1, times=10)
    assert harvest(tmp_path, state_db, t.url, retries=0).status == "failed"
    assert state_db.checkpoint("anl", "", "marc21").token
    t.faulty.faults.clear()
    t.faulty.add("expired")  # the saved token is no longer accepted
    result = harvest(tmp_path, state_db, t.url)
    assert result.status == "ok"
    assert_store_exact(state_db, "anl", t)


def test_repeated_token_is_a_protocol_error(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(30), page_size=5)
    t.faulty.add("repeat", skip=1)
    failed = harvest(tmp_path, state_db, t.url)
    assert failed.status == "failed"
    assert "repeated resumption token" in (failed.error or "")
    assert "source 'anl'" in (failed.error or "") and t.url in (failed.error or "")
    held = len(stored(state_db, "anl"))
    assert held == 10  # pages before the bad one stay; the bad page was not committed
    t.faulty.faults.clear()
    again = harvest(tmp_path, state_db, t.url)
    assert (again.status, again.new) == ("ok", 20)
    assert_store_exact(state_db, "anl", t)


def test_oai_error_fails_the_run_naming_the_code(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(5))
    cfg = load_config(write_config(tmp_path, {"anl": t.url}, prefix="unimarc"))
    result = harvest_sources(cfg, state_db, options=FAST, progress=False)["anl"]
    assert result.status == "failed"
    assert "'unimarc' is not offered" in (result.error or "")
    last = state_db.last_run("anl")
    assert last is not None and last["status"] == "failed"
