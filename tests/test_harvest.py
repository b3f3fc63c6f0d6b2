"""Harvest runs against both providers (ours and the ``oaipmh`` package's) on 127.0.0.1."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.config import load_config
from harvester.harvest import HarvestOptions, RunSummary, harvest_sources
from harvester.progress import NoProgress, make_progress
from harvester.retry import Backoff
from harvester.store import StateDB
from tests.support.oai import DAY, Item, make_items, stored, write_config
from tests.support.oai_targets import TargetFactory, assert_store_exact

FAST = HarvestOptions(backoff=Backoff(base=0.001, cap=0.005, retry_after_cap=0.01))


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def run(tmp_path: Path, db: StateDB, sources: dict[str, str], **kw: Any) -> dict[str, RunSummary]:
    cfg = load_config(
        write_config(tmp_path, sources, prefix=kw.pop("prefix", "marc21"), sets=kw.pop("sets", ()))
    )
    return harvest_sources(cfg, db, options=FAST, progress=False, **kw)


def test_full_then_incremental(tmp_path: Path, state_db: StateDB, target: TargetFactory) -> None:
    t = target(make_items(45, deleted_every=9), page_size=10)
    first = run(tmp_path, state_db, {"anl": t.url})["anl"]
    assert (first.status, first.new, first.deleted, first.error) == ("ok", 40, 5, None)
    assert_store_exact(state_db, "anl", t)
    row = state_db.last_run("anl")
    assert row is not None
    assert (row["status"], row["new"], row["deleted"], row["requests"]) == ("ok", 40, 5, 7)
    watermark = state_db.checkpoint("anl", "", "marc21").watermark
    assert watermark and watermark >= now().strftime("%Y-%m-%dT%H:%M:%SZ")[:15]

    # change three, delete two, add one: only these come back
    stamp = now()
    for k in (3, 4, 5):
        t.put(Item(f"oai:test.kz:{k:06d}", stamp, (), False, f"Жаңа нұсқа {k}"))
    for k in (6, 7):
        t.delete(f"oai:test.kz:{k:06d}", stamp)
    t.put(Item("oai:test.kz:999999", stamp, (), False, "Dədə Qorqud"))
    t.faulty.params.clear()
    second = run(tmp_path, state_db, {"anl": t.url})["anl"]
    assert (second.new, second.updated, second.deleted, second.unchanged) == (1, 3, 2, 0)
    lists = t.faulty.requests()
    expected_from = datetime.strptime(watermark, "%Y-%m-%dT%H:%M:%SZ") - timedelta(seconds=60)
    assert lists[0]["from"] == expected_from.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert_store_exact(state_db, "anl", t)

    # nothing changed: only the overlap comes back, and changes nothing
    third = run(tmp_path, state_db, {"anl": t.url})["anl"]
    assert (third.status, third.new, third.updated, third.deleted) == ("ok", 0, 0, 0)


def test_oai_dc_and_day_granularity(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(12), page_size=5, granularity=DAY)
    assert run(tmp_path, state_db, {"nlrk": t.url}, prefix="oai_dc")["nlrk"].status == "ok"
    assert_store_exact(state_db, "nlrk", t, prefix="oai_dc")
    run(tmp_path, state_db, {"nlrk": t.url}, prefix="oai_dc")
    sent = t.faulty.requests()[-1]["from"]
    assert len(sent) == 10 and sent[4] == "-"  # YYYY-MM-DD


def test_sets(tmp_path: Path, state_db: StateDB, target: TargetFactory) -> None:
    books = make_items(8, sets=["books"])
    maps = [
        Item(f"oai:test.kz:5{k:05d}", i.datestamp, ("maps",), False, f"Карта {k}")
        for k, i in enumerate(make_items(6))
    ]
    t = target(books + maps, page_size=3, sets=["books", "maps"])
    assert run(tmp_path, state_db, {"anl": t.url}, sets=["maps"])["anl"].status == "ok"
    assert_store_exact(state_db, "anl", t, only=lambda i: i.startswith("oai:test.kz:5"))
    assert all(p.get("set") == "maps" for p in t.faulty.requests() if "resumptionToken" not in p)
    bad = run(tmp_path, state_db, {"anl": t.url}, sets=["globes"])["anl"]
    assert bad.status == "failed" and "globes" in (bad.error or "")


def test_full_and_manual_window(tmp_path: Path, state_db: StateDB, target: TargetFactory) -> None:
    t = target(make_items(20), page_size=50)
    run(tmp_path, state_db, {"anl": t.url})
    empty = run(tmp_path, state_db, {"anl": t.url})["anl"]  # noRecordsMatch: ok, empty
    assert (empty.status, empty.records) == ("ok", 0)
    run(tmp_path, state_db, {"anl": t.url}, full=True)
    assert "from" not in t.faulty.requests()[-1]
    mark = state_db.checkpoint("anl", "", "marc21").watermark
    manual = run(
        tmp_path,
        state_db,
        {"anl": t.url},
        from_="2024-01-01T00:05:00Z",
        until="2024-01-01T00:09:00Z",
    )["anl"]
    assert (manual.status, manual.unchanged) == ("ok", 5)
    last = t.faulty.requests()[-1]
    assert (last["from"], last["until"]) == ("2024-01-01T00:05:00Z", "2024-01-01T00:09:00Z")
    assert state_db.checkpoint("anl", "", "marc21").watermark == mark  # manual: untouched


def test_one_source_failing_does_not_stop_others(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(30), page_size=7)
    results = run(tmp_path, state_db, {"anl": t.url, "nlrk": "http://127.0.0.1:9/oai"})
    assert results["anl"].status == "ok"
    assert_store_exact(state_db, "anl", t)
    failed = results["nlrk"]
    assert failed.status == "failed"
    assert "source 'nlrk'" in (failed.error or "") and "127.0.0.1:9/oai" in (failed.error or "")
    last = state_db.last_run("nlrk")
    assert last is not None and last["error"] == failed.error


def test_stop_commits_the_page_and_resumes(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    t = target(make_items(60), page_size=5, delay=0.02)
    stop = threading.Event()

    def stopper() -> None:
        with StateDB(state_db.path) as db:
            while not stored(db, "anl"):
                time.sleep(0.005)
        stop.set()

    threading.Thread(target=stopper).start()
    first = run(tmp_path, state_db, {"anl": t.url}, stop=stop)["anl"]
    assert first.status == "interrupted"
    cp = state_db.checkpoint("anl", "", "marc21")
    assert cp.token and 0 < first.new < 60 and len(stored(state_db, "anl")) == first.new
    t.faulty.params.clear()
    second = run(tmp_path, state_db, {"anl": t.url})["anl"]
    assert (second.status, second.new, second.unchanged) == ("ok", 60 - first.new, 0)
    assert t.faulty.requests()[0]["resumptionToken"] == cp.token
    assert_store_exact(state_db, "anl", t)


def test_summary_log_line(
    tmp_path: Path, state_db: StateDB, target: TargetFactory, caplog: pytest.LogCaptureFixture
) -> None:
    t = target(make_items(4))
    with caplog.at_level(logging.INFO, logger="birlik.harvest"):
        run(tmp_path, state_db, {"anl": t.url})
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("harvest anl")]
    assert len(lines) == 1
    assert "new=4 updated=0 deleted=0 unchanged=0 quarantined=0 seconds=" in lines[0]
    assert "records/s=" in lines[0]


def test_progress_only_on_a_terminal(
    tmp_path: Path, state_db: StateDB, target: TargetFactory
) -> None:
    assert isinstance(make_progress(None), NoProgress)  # pytest's stderr is not a terminal
    t = target(make_items(12), page_size=5)
    cfg = load_config(write_config(tmp_path, {"anl": t.url}))
    assert harvest_sources(cfg, state_db, options=FAST, progress=True)["anl"].status == "ok"


def test_store_page_counts_and_seq(state_db: StateDB) -> None:
    from harvester.store import Checkpoint, RawRecord

    def rec(i: str, stamp: str, xml: str | None = "<r/>", deleted: bool = False) -> RawRecord:
        return RawRecord("anl", i, "marc21", stamp, ("books",), deleted, None if deleted else xml)

    first = state_db.store_page([rec("a", "1"), rec("b", "1"), rec("a", "2", "<r>2</r>")])
    assert (first.new, first.updated) == (2, 1)  # "a" listed twice: inserted, then updated
    seq_b = state_db.get("anl", "b", "marc21")
    again = state_db.store_page(
        [rec("b", "1"), rec("a", "3", deleted=True), rec("c", "1")],
        Checkpoint("anl", "", "marc21", token="t1"),
    )
    assert (again.unchanged, again.deleted, again.new) == (1, 1, 1)
    b = state_db.get("anl", "b", "marc21")
    assert b and seq_b and b.seq == seq_b.seq  # unchanged: the indexer does not see it again
    a = state_db.get("anl", "a", "marc21")
    assert a and a.record.deleted and a.record.xml is None and a.seq == state_db.max_seq() - 1
    assert state_db.checkpoint("anl", "", "marc21").token == "t1"


def test_store_page_is_all_or_nothing(state_db: StateDB) -> None:
    import sqlite3

    from harvester.store import Checkpoint, RawRecord

    good = RawRecord("anl", "a", "marc21", "1", (), False, "<r/>")
    bad = RawRecord("anl", "b", "marc21", None, (), False, "<r/>")  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        state_db.store_page([good, bad], Checkpoint("anl", "", "marc21", token="t9"))
    assert stored(state_db, "anl") == {}
    assert state_db.checkpoint("anl", "", "marc21").token is None


def test_provider_without_deletions_full_harvest_marks_dropped_records(
    tmp_path: Path, state_db: StateDB, oai_provider: Any
) -> None:
    p = oai_provider(make_items(30), page_size=10, deleted_record="no")
    first = run(tmp_path, state_db, {"nlrk": p.url})["nlrk"]
    assert (first.status, first.new, first.deleted) == ("ok", 30, 0)
    gone = [f"oai:test.kz:{k:06d}" for k in (2, 11, 29)]
    for ident in gone:
        del p.repo.items[ident]
    # an incremental run cannot tell a dropped record from an unchanged one
    second = run(tmp_path, state_db, {"nlrk": p.url})["nlrk"]
    assert second.deleted == 0
    third = run(tmp_path, state_db, {"nlrk": p.url}, full=True)["nlrk"]
    assert (third.status, third.deleted, third.unchanged) == ("ok", 3, 27)
    held = stored(state_db, "nlrk")
    assert sorted(i for i, (_, deleted) in held.items() if deleted) == gone
    assert len(held) == 30  # nothing already stored is lost: the XML stays
    xml = state_db.conn.execute(
        "SELECT xml FROM raw_records WHERE identifier=?", (gone[0],)
    ).fetchone()[0]
    assert xml and "<record" in xml
    # a record that comes back is live again
    p.repo.put(Item(gone[0], now(), (), False, "Қайтып келді"))
    fourth = run(tmp_path, state_db, {"nlrk": p.url}, full=True)["nlrk"]
    assert fourth.updated == 1 and fourth.deleted == 0
    assert stored(state_db, "nlrk")[gone[0]][1] is False


def _open_together(path: Path, n: int) -> list[BaseException]:
    """``n`` threads open the state database at ``path`` at the same moment."""
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def open_it() -> None:
        try:
            start.wait()
            with StateDB(path) as db:
                db.start_run("anl")
        except BaseException as e:  # collected for the test to assert
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_many_openers_of_a_new_state_database(tmp_path: Path) -> None:
    """A scheduler's jobs and a CLI command may create the state database at the same
    moment: each opens it, none sees "database is locked"."""
    for round_ in range(5):
        path = tmp_path / f"r{round_}" / "state.sqlite3"
        assert _open_together(path, 8) == []
        with StateDB(path) as db:
            assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 8
