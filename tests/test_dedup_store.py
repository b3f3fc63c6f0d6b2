"""Clusters in the state database: incremental, stable ids, deletions, decisions win."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from indexer.dedup.features import features
from indexer.dedup.store import DedupStore
from indexer.record import Name, Record


def rec(rid: str, title: str, author: str, year: int = 2010, **kw: object) -> Record:
    return Record(
        id=rid,
        source=rid.split(":")[0],
        oai_id=rid,
        datestamp=kw.pop("datestamp", "2024"),  # type: ignore[arg-type]
        format="marc21",
        title=title,
        authors=(Name(author),),
        year=year,
        type="book",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(tmp_path: Path) -> DedupStore:
    return DedupStore(sqlite3.connect(tmp_path / "state.sqlite3"))


def update(store: DedupStore, changed: list[Record], deleted: list[str] = ()) -> set[str]:  # type: ignore[assignment]
    with store.conn:
        return store.update([features(r) for r in changed], list(deleted))


A = rec("anl:1", "Abai zholy", "Auezov, Mukhtar", publisher="Zhazushy", extent="400 p.")
B = rec("nlrk:1", "Abai zholy", "Auezov, Mukhtar", datestamp="2023")
C = rec("nlrk:2", "Kara sozder", "Abai Kunanbaiuly")


def test_duplicates_cluster_with_preferred_first(store: DedupStore) -> None:
    update(store, [A, B, C])
    cid = store.cluster_of("anl:1")
    assert cid == store.cluster_of("nlrk:1") != store.cluster_of("nlrk:2")
    assert cid is not None
    assert store.members(cid) == ["anl:1", "nlrk:1"]  # the more complete record first
    (pair,) = store.pairs_within(["anl:1", "nlrk:1"])
    assert pair.same and "title 1.00" in pair.reasons


def test_cluster_id_is_stable_across_updates_and_rebuild(store: DedupStore) -> None:
    update(store, [A, C])
    first = store.cluster_of("anl:1")
    update(store, [B])
    assert store.cluster_of("nlrk:1") == first
    with store.conn:
        store.rebuild([features(r) for r in (A, B, C)])
    assert store.cluster_of("anl:1") == store.cluster_of("nlrk:1") == first


def test_deletion_leaves_no_stale_cluster(store: DedupStore) -> None:
    update(store, [A, B, C])
    cid = store.cluster_of("nlrk:1")
    affected = update(store, [], ["anl:1"])
    assert {"anl:1", "nlrk:1"} <= affected
    assert store.cluster_of("anl:1") is None
    assert store.members(store.cluster_of("nlrk:1") or "") == ["nlrk:1"]
    assert all(len(m) > 1 for _, m in store.multi_member_clusters())
    assert cid  # the id may be reused by the survivor, never by a ghost


def test_changed_record_leaves_its_cluster(store: DedupStore) -> None:
    update(store, [A, B])
    update(store, [rec("nlrk:1", "Kara sozder", "Abai Kunanbaiuly")])
    assert store.cluster_of("anl:1") != store.cluster_of("nlrk:1")


def test_split_and_merge_decisions_win_and_survive_rebuild(store: DedupStore) -> None:
    update(store, [A, B, C])
    store.decide("cannot_link", [("anl:1", "nlrk:1")], "split", "aygul")
    update(store, [B])
    assert store.cluster_of("anl:1") != store.cluster_of("nlrk:1")
    store.decide("must_link", [("anl:1", "nlrk:2")], "merge", "aygul")
    update(store, [C])
    assert store.cluster_of("anl:1") == store.cluster_of("nlrk:2")
    with store.conn:
        store.rebuild([features(r) for r in (A, B, C)])
    assert store.cluster_of("anl:1") == store.cluster_of("nlrk:2") != store.cluster_of("nlrk:1")
    (d1, d2) = store.decisions()
    assert (d1.action, d1.who, d2.action) == ("split", "aygul", "merge")
