"""`birlik index` end to end over the sample collections: harvest (real providers on
127.0.0.1) → normalise → deduplicate → SQLite index, then incremental changes, deletions,
librarians' decisions and `--rebuild`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harvester.config import Config, load_config
from harvester.harvest import harvest_sources
from harvester.provider import Collection, make_app, serve
from harvester.store import RawRecord, StateDB
from indexer import pipeline
from indexer.backends.base import IndexDoc, SearchQuery
from indexer.backends.sqlite import SQLiteBackend
from indexer.dedup.store import DedupStore
from indexer.errors import BackendError
from indexer.pipeline import apply_decision, run_index
from indexer.state import get_record
from tests.support.samples import SAMPLES, shared_works

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state database holding both sample collections, harvested over HTTP once."""
    work = tmp_path_factory.mktemp("pipeline")
    config = load_config(ROOT / "config" / "demo.toml")
    urls = {}
    servers = []
    for source in config.sources:
        coll = Collection.from_directory(SAMPLES / source.key, work / f"{source.key}.sqlite3")
        server = serve(make_app(coll))
        servers.append((coll, server))
        urls[source.key] = server.url
    config = replace(
        config,
        data_dir=work / "data",
        sources=tuple(replace(s, url=urls[s.key]) for s in config.sources),
    )
    try:
        with StateDB(config.state_db) as db:
            for summary in harvest_sources(config, db).values():
                assert summary.status == "ok", summary
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        for coll, server in servers:
            server.shutdown()
            coll.close()
    return config.state_db


@pytest.fixture
def env(harvested: Path, tmp_path: Path) -> Iterator[tuple[Config, StateDB]]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(harvested, data / harvested.name)
    config = replace(load_config(ROOT / "config" / "demo.toml"), data_dir=data)
    with StateDB(config.state_db) as db:
        yield config, db


def _open(config: Config) -> SQLiteBackend:
    return SQLiteBackend(config.data_dir, config.index.name)


@pytest.fixture
def indexed(env: tuple[Config, StateDB]) -> Iterator[SQLiteBackend]:
    """The demo records indexed by a first run, and that index open."""
    config, db = env
    run_index(config, db)
    backend = _open(config)
    try:
        yield backend
    finally:
        backend.close()


def _shared_pair() -> tuple[str, str]:
    pair = next(p for p in shared_works() if p.relation == "same")
    return f"anl:{pair.anl_id}", f"nlrk:{pair.nlrk_id}"


def test_first_run_indexes_every_record_and_joins_shared_works(
    env: tuple[Config, StateDB],
) -> None:
    config, db = env
    summary = run_index(config, db)
    assert summary.full
    assert summary.normalise.seen == 654  # 635 live records and 19 deletions
    assert summary.indexed == summary.normalise.normalised > 600
    assert summary.clusters >= 100  # 126 labelled shared works in the samples
    backend = _open(config)
    try:
        assert backend.count() == summary.indexed
        anl, nlrk = _shared_pair()
        dedup = DedupStore(db.conn)
        assert dedup.cluster_of(anl) == dedup.cluster_of(nlrk)
        shared = backend.cluster(dedup.cluster_of(anl) or "")
        assert {r.source for r in shared} == {"anl", "nlrk"}
    finally:
        backend.close()
    again = run_index(config, db)
    assert not again.full
    assert (again.changed, again.deleted, again.indexed) == (0, 0, 0)


def test_a_deletion_leaves_the_index_and_its_cluster(env: tuple[Config, StateDB]) -> None:
    config, db = env
    run_index(config, db)
    anl, nlrk = _shared_pair()
    dedup = DedupStore(db.conn)
    cid = dedup.cluster_of(nlrk)
    source, identifier = nlrk.split(":", 1)
    db.store_page([RawRecord(source, identifier, "marc21", "2030-01-01", deleted=True)])
    summary = run_index(config, db)
    assert not summary.full
    assert summary.deleted == 1
    assert dedup.cluster_of(nlrk) is None
    backend = _open(config)
    try:
        assert backend.get(nlrk) is None
        assert [r.id for r in backend.cluster(cid or "")] in ([anl], [])
        assert backend.get(anl) is not None
    finally:
        backend.close()


def test_a_split_decision_holds_through_rebuild(env: tuple[Config, StateDB]) -> None:
    config, db = env
    run_index(config, db)
    anl, nlrk = _shared_pair()
    dedup = DedupStore(db.conn)
    backend = _open(config)
    try:
        affected = apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
        assert {anl, nlrk} <= affected
        assert dedup.cluster_of(anl) != dedup.cluster_of(nlrk)
        ids = {r.id for r in backend.cluster(dedup.cluster_of(anl) or "")}
        assert nlrk not in ids
    finally:
        backend.close()
    out = subprocess.run(
        [sys.executable, "-m", "birlik", "--config", str(_write_config(config)), "index",
         "--rebuild"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "full pass" in out.stdout
    assert dedup.cluster_of(anl) != dedup.cluster_of(nlrk)
    conn = sqlite3.connect(config.state_db)
    who = conn.execute("SELECT who, action FROM dedup_decisions").fetchall()
    conn.close()
    assert who == [("aygul", "split")]


def _write_config(config: Config) -> Path:
    text = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    text = text.replace('data_dir = "../var/demo"', f'data_dir = "{config.data_dir}"')
    path = config.data_dir / "birlik.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_status_lists_quarantined_records(env: tuple[Config, StateDB]) -> None:
    config, db = env
    db.store_page([RawRecord("anl", "oai:anl.az:broken", "marc21", "2030-01-01", xml="<record>")])
    summary = run_index(config, db)
    assert summary.normalise.quarantined == 1
    path = _write_config(config)
    out = subprocess.run(
        [sys.executable, "-m", "birlik", "--config", str(path), "status"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "quarantined 1" in out.stdout
    line = next(x for x in out.stdout.splitlines() if "oai:anl.az:broken" in x)
    assert "(marc21): step " in line
    js = subprocess.run(
        [sys.executable, "-m", "birlik", "--config", str(path), "status", "--json"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    anl = next(s for s in json.loads(js.stdout)["sources"] if s["source"] == "anl")
    assert anl["quarantined"] == 1
    assert anl["quarantine"][0]["identifier"] == "oai:anl.az:broken"


def test_stop_ends_after_a_batch_and_the_next_run_goes_on(env: tuple[Config, StateDB]) -> None:
    config, db = env
    stop = threading.Event()
    stop.set()
    first = run_index(config, db, stop=stop)
    assert first.normalise.stopped
    assert first.normalise.seen == 500  # one batch, committed
    assert first.indexed == 0
    second = run_index(config, db)
    assert second.normalise.seen == 154
    assert second.full and second.indexed == 635


def test_features_of_an_older_version_are_recomputed(
    env: tuple[Config, StateDB], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, db = env
    assert run_index(config, db).full
    assert not run_index(config, db).full
    monkeypatch.setattr(pipeline, "FEATURES_VERSION", pipeline.FEATURES_VERSION + 1)
    again = run_index(config, db)
    assert again.full and again.clusters >= 100
    assert not run_index(config, db).full


def test_an_index_of_an_older_layout_is_rebuilt(env: tuple[Config, StateDB]) -> None:
    config, db = env
    run_index(config, db)
    pointer = config.data_dir / "birlik.current"
    index_file = config.data_dir / pointer.read_text().strip()
    with sqlite3.connect(index_file) as conn:
        conn.execute("PRAGMA user_version = 1")  # as an older Birlik left it
    conn.close()
    summary = run_index(config, db)
    assert summary.full and summary.indexed == 635
    backend = _open(config)
    try:
        assert backend.count() == 635
    finally:
        backend.close()


def test_the_review_queue_is_cached_until_a_cluster_changes(env: tuple[Config, StateDB]) -> None:
    from harvester.sqlite import connect
    from search_ui import review

    config, db = env
    run_index(config, db)
    reader = connect(config.state_db, readonly=True)
    try:
        first = review.queue(reader)
        assert review.queue(reader) is first  # served from memory
        anl, nlrk = _shared_pair()
        split = next(q for q in first if anl in q.members)
        backend = _open(config)
        try:
            apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
        finally:
            backend.close()
        after = review.queue(reader)
        assert after is not first
        assert all(not {anl, nlrk} <= set(q.members) for q in after)
        assert len(after) == len(first) - (len(split.members) == 2)
    finally:
        reader.close()


def test_a_decision_is_recorded_only_with_its_reclustering(
    env: tuple[Config, StateDB], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-clustering that fails after writing clusters leaves neither the decision nor
    those clusters; the librarian's next try works."""
    config, db = env
    run_index(config, db)
    anl, nlrk = _shared_pair()
    dedup = DedupStore(db.conn)
    cid = dedup.cluster_of(anl)
    assert cid is not None and dedup.cluster_of(nlrk) == cid
    rev = dedup.clusters_rev()
    recluster = DedupStore.recluster_around

    def crash(self: DedupStore, ids: Iterable[str]) -> set[str]:
        recluster(self, ids)  # the clusters are written, then the process "dies"
        raise RuntimeError("crash while re-clustering")

    monkeypatch.setattr(DedupStore, "recluster_around", crash)
    backend = _open(config)
    try:
        with pytest.raises(RuntimeError, match="crash while re-clustering"):
            apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
        with sqlite3.connect(config.state_db) as other:  # what another reader sees
            assert other.execute("SELECT COUNT(*) FROM dedup_decisions").fetchone() == (0,)
        other.close()
        assert dedup.decisions() == []
        assert (dedup.cluster_of(anl), dedup.cluster_of(nlrk)) == (cid, cid)
        assert dedup.clusters_rev() == rev
        monkeypatch.undo()
        affected = apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
        assert {anl, nlrk} <= affected
        assert [d.action for d in dedup.decisions()] == ["split"]
        assert dedup.cluster_of(anl) != dedup.cluster_of(nlrk)
    finally:
        backend.close()


def _pair_hits(backend: SQLiteBackend, db: StateDB, ids: tuple[str, str]) -> list[set[str]]:
    """The hits holding either record of ``ids`` (each as its set of holding ids), for a
    title search that finds both."""
    rec = get_record(db, ids[0])
    assert rec is not None
    result = backend.search(SearchQuery(q=rec.title, facets=False, size=50))
    found = [{h.id for h in hit.holdings} for hit in result.hits]
    return sorted((f for f in found if f & set(ids)), key=sorted)


def _engine_down_once(backend: SQLiteBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend's next ``add`` raises, as an engine that is down would; later ones work."""
    add = backend.add

    def down(docs: Iterable[IndexDoc]) -> int:
        monkeypatch.setattr(backend, "add", add)
        raise BackendError("the search engine is down")

    monkeypatch.setattr(backend, "add", down)


def test_a_decision_whose_index_write_failed_reaches_the_index_on_the_next_run(
    env: tuple[Config, StateDB], indexed: SQLiteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, db = env
    backend = indexed
    anl, nlrk = _shared_pair()
    dedup = DedupStore(db.conn)
    assert _pair_hits(backend, db, (anl, nlrk)) == [{anl, nlrk}]
    for kind, action, after in [
        ("cannot_link", "split", [{anl}, {nlrk}]),
        ("must_link", "merge", [{anl, nlrk}]),
    ]:
        before = _pair_hits(backend, db, (anl, nlrk))
        _engine_down_once(backend, monkeypatch)
        with pytest.raises(BackendError, match="down"):
            apply_decision(db, backend, kind, [(anl, nlrk)], action, "aygul")
        assert [d.action for d in dedup.decisions([anl])] == [action]  # stored
        assert (dedup.cluster_of(anl) == dedup.cluster_of(nlrk)) == (len(after) == 1)
        assert _pair_hits(backend, db, (anl, nlrk)) == before  # the write was lost
        summary = run_index(config, db)
        assert not summary.full and summary.normalise.normalised == 0
        assert summary.changed == summary.indexed >= 2
        assert _pair_hits(backend, db, (anl, nlrk)) == after
        assert run_index(config, db).indexed == 0


def test_the_run_after_a_decision_rewrites_only_its_records_and_changes_nothing(
    env: tuple[Config, StateDB], indexed: SQLiteBackend
) -> None:
    config, db = env
    backend = indexed
    anl, nlrk = _shared_pair()
    affected = apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
    clusters = _clusters(db)
    hits = _pair_hits(backend, db, (anl, nlrk))
    assert hits == [{anl}, {nlrk}]
    summary = run_index(config, db)
    assert not summary.full and (summary.normalise.normalised, summary.deleted) == (0, 0)
    assert summary.changed == summary.reclustered == summary.indexed == len(affected)
    assert _clusters(db) == clusters  # re-clustering them again: the same clusters
    assert _pair_hits(backend, db, (anl, nlrk)) == hits and backend.count() == 635
    again = run_index(config, db)
    assert (again.changed, again.deleted, again.indexed) == (0, 0, 0)


def _clusters(db: StateDB) -> list[tuple[str, str, int]]:
    return [tuple(r) for r in db.conn.execute("SELECT * FROM clusters ORDER BY record_id")]


def test_a_record_deleted_after_a_failed_write_and_another_index_are_brought_up_to_date(
    env: tuple[Config, StateDB], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second index, built before the decision and never written by it, gets the
    decided clusters on its next run; a record deleted before the repairing run leaves
    the index without error."""
    config, db = env
    other = replace(config, index=replace(config.index, name="second"))
    run_index(config, db)
    run_index(other, db)
    anl, nlrk = _shared_pair()
    backend = _open(config)
    second = _open(other)
    try:
        _engine_down_once(backend, monkeypatch)
        with pytest.raises(BackendError):
            apply_decision(db, backend, "cannot_link", [(anl, nlrk)], "split", "aygul")
        assert _pair_hits(second, db, (anl, nlrk)) == [{anl, nlrk}]
        assert not run_index(other, db).full
        assert _pair_hits(second, db, (anl, nlrk)) == [{anl}, {nlrk}]
        source, identifier = nlrk.split(":", 1)
        db.store_page([RawRecord(source, identifier, "marc21", "2030-01-01", deleted=True)])
        summary = run_index(config, db)
        assert not summary.full and summary.deleted == 1
        assert backend.get(nlrk) is None
        assert _pair_hits(backend, db, (anl, nlrk)) == [{anl}]
        assert run_index(other, db).deleted == 1
        assert _pair_hits(second, db, (anl, nlrk)) == [{anl}]
    finally:
        backend.close()
        second.close()
