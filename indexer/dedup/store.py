"""Dedup state in the state database: features, keys, pairs, clusters, decisions.

``DedupStore.update(changed, deleted)`` re-clusters only the neighbourhood of what changed:
the changed records, the clusters they and the deleted records were in, and everything
linked to those by a stored ``same`` pair or a librarian's decision, to a fixpoint. A
deleted record leaves no stale cluster behind. Decisions (``dedup_decisions``) are never
touched by harvesting or ``--rebuild``: they are re-applied on every clustering.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from indexer.dedup.blocking import MAX_BLOCK, cluster_all, member
from indexer.dedup.cluster import cluster
from indexer.dedup.features import Features, blocking_keys
from indexer.dedup.match import Match, score_pair

SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_features (record_id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_keys (key TEXT NOT NULL, record_id TEXT NOT NULL,
    PRIMARY KEY (key, record_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedup_keys_record ON dedup_keys(record_id);
CREATE TABLE IF NOT EXISTS dedup_pairs (a TEXT NOT NULL, b TEXT NOT NULL, verdict TEXT NOT NULL,
    score REAL NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedup_pairs_b ON dedup_pairs(b);
CREATE TABLE IF NOT EXISTS clusters (record_id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL,
    rank INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS clusters_cluster ON clusters(cluster_id, rank);
CREATE TABLE IF NOT EXISTS dedup_decisions (id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('must_link', 'cannot_link')),
    a TEXT NOT NULL, b TEXT NOT NULL, action TEXT NOT NULL, who TEXT NOT NULL,
    at REAL NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS dedup_decisions_a ON dedup_decisions(a);
CREATE INDEX IF NOT EXISTS dedup_decisions_b ON dedup_decisions(b);
CREATE TABLE IF NOT EXISTS dedup_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def features_to_json(f: Features) -> str:
    d = asdict(f)
    for k, v in d.items():
        if isinstance(v, frozenset):
            d[k] = sorted(v)
    return json.dumps(d, ensure_ascii=False)


def features_from_json(s: str) -> Features:
    d = json.loads(s)
    for k in ("languages", "isbns", "issns", "parents"):
        d[k] = frozenset(d[k])
    d["authors"] = tuple(d["authors"])
    return Features(**d)


@dataclass(frozen=True)
class Decision:
    id: int
    kind: str
    a: str
    b: str
    action: str
    who: str
    at: float
    note: str


class DedupStore:
    """Keys, pairs and clusters over one state-database connection."""

    def __init__(self, conn: sqlite3.Connection, *, create: bool = True) -> None:
        """``create=False`` for a read-only connection (the tables must exist)."""
        self.conn = conn
        if create:
            with conn:
                conn.executescript(SCHEMA)

    # -- reading -------------------------------------------------------------------------

    def cluster_of(self, record_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT cluster_id FROM clusters WHERE record_id=?", (record_id,)
        ).fetchone()
        return row[0] if row else None

    def members(self, cluster_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT record_id FROM clusters WHERE cluster_id=? ORDER BY rank", (cluster_id,)
        )
        return [r[0] for r in rows]

    def assignment(self, record_ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """record id → (cluster id, is the preferred record)."""
        out: dict[str, tuple[str, bool]] = {}
        for rid in record_ids:
            row = self.conn.execute(
                "SELECT cluster_id, rank FROM clusters WHERE record_id=?", (rid,)
            ).fetchone()
            out[rid] = (row[0], row[1] == 0) if row else (rid, True)
        return out

    def clusters_rev(self) -> int:
        """Grows whenever any cluster is written (in the same transaction): readers that
        derive something from the clusters (the review queue) key their caches on it."""
        try:
            row = self.conn.execute(
                "SELECT value FROM dedup_meta WHERE key='clusters_rev'"
            ).fetchone()
        except sqlite3.OperationalError:  # a database from before the table existed
            return -1
        return int(row[0]) if row else 0

    def multi_member_clusters(self) -> list[tuple[str, list[str]]]:
        rows = self.conn.execute(
            "SELECT cluster_id, group_concat(record_id, char(31)) FROM"
            " (SELECT cluster_id, record_id FROM clusters ORDER BY cluster_id, rank)"
            " GROUP BY cluster_id HAVING count(*) > 1 ORDER BY cluster_id"
        )
        return [(r[0], r[1].split("\x1f")) for r in rows]

    def pairs_within(self, ids: Sequence[str]) -> list[Match]:
        idset = set(ids)
        out = []
        for rid in ids:
            for r in self.conn.execute(
                "SELECT a, b, verdict, score, reasons FROM dedup_pairs WHERE a=?", (rid,)
            ):
                if r[1] in idset:
                    out.append(Match(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))))
        return out

    def decisions(self, record_ids: Iterable[str] | None = None) -> list[Decision]:
        sql = "SELECT id, kind, a, b, action, who, at, note FROM dedup_decisions"
        if record_ids is None:
            return [Decision(*r) for r in self.conn.execute(sql + " ORDER BY id")]
        ids = list(set(record_ids))
        out: dict[int, Decision] = {}
        for i in range(0, len(ids), 400):
            chunk = ids[i : i + 400]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"{sql} WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk
            ):
                out[r[0]] = Decision(*r)
        return [out[k] for k in sorted(out)]

    # -- decisions -----------------------------------------------------------------------

    def decide(
        self, kind: str, pairs: Iterable[tuple[str, str]], action: str, who: str, note: str = ""
    ) -> None:
        """Store a librarian's decision as must-link or cannot-link pairs (who and when)."""
        with self.conn:
            self.write_decision(kind, pairs, action, who, note)

    def write_decision(
        self, kind: str, pairs: Iterable[tuple[str, str]], action: str, who: str, note: str = ""
    ) -> None:
        """``decide`` inside the caller's transaction (the caller commits), so the decision
        and the re-clustering it causes are written together or not at all."""
        now = time.time()
        for a, b in pairs:
            if a == b:
                continue
            a, b = sorted((a, b))
            self.conn.execute("DELETE FROM dedup_decisions WHERE a=? AND b=?", (a, b))
            self.conn.execute(
                "INSERT INTO dedup_decisions (kind, a, b, action, who, at, note)"
                " VALUES (?,?,?,?,?,?,?)",
                (kind, a, b, action, who, now, note),
            )

    def _constraints(self, ids: set[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        must: list[tuple[str, str]] = []
        cannot: list[tuple[str, str]] = []
        for d in self.decisions(ids):
            (must if d.kind == "must_link" else cannot).append((d.a, d.b))
        return must, cannot

    # -- updating ------------------------------------------------------------------------

    def _features(self, ids: Iterable[str]) -> dict[str, Features]:
        out = {}
        for rid in ids:
            row = self.conn.execute(
                "SELECT json FROM dedup_features WHERE record_id=?", (rid,)
            ).fetchone()
            if row:
                out[rid] = features_from_json(row[0])
        return out

    def _old_cluster_members(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for rid in ids:
            cid = self.cluster_of(rid)
            if cid is not None:
                out.update(self.members(cid))
        return out

    def update(self, changed: Sequence[Features], deleted: Sequence[str]) -> set[str]:
        """Re-cluster the neighbourhood of ``changed`` and ``deleted``; return affected ids.

        The caller commits (the connection's transaction wraps the whole update).
        """
        c = self.conn
        seeds = self._old_cluster_members([f.id for f in changed] + list(deleted))
        for rid in [*deleted, *(f.id for f in changed)]:
            c.execute("DELETE FROM dedup_keys WHERE record_id=?", (rid,))
            c.execute("DELETE FROM dedup_pairs WHERE a=? OR b=?", (rid, rid))
        for rid in deleted:
            c.execute("DELETE FROM dedup_features WHERE record_id=?", (rid,))
            c.execute("DELETE FROM clusters WHERE record_id=?", (rid,))
        for f in changed:
            c.execute(
                "INSERT OR REPLACE INTO dedup_features (record_id, json) VALUES (?, ?)",
                (f.id, features_to_json(f)),
            )
            c.executemany(
                "INSERT OR IGNORE INTO dedup_keys (key, record_id) VALUES (?, ?)",
                [(k, f.id) for k in blocking_keys(f)],
            )
        for f in changed:
            for other in self._candidates(f):
                self._store_pair(score_pair(f, other) if f.id < other.id else score_pair(other, f))
        seeds |= {f.id for f in changed}
        seeds -= set(deleted)
        hood = self._neighbourhood(seeds)
        self._recluster(hood)
        return hood | set(deleted)

    def recluster_around(self, ids: Iterable[str]) -> set[str]:
        """Re-cluster the neighbourhood of ``ids`` (after a decision); return it.

        The caller commits.
        """
        hood = self._neighbourhood(set(ids))
        self._recluster(hood)
        return hood

    def _candidates(self, f: Features) -> list[Features]:
        ids: set[str] = set()
        for k in blocking_keys(f):
            rows = self.conn.execute(
                "SELECT record_id FROM dedup_keys WHERE key=? LIMIT ?", (k, MAX_BLOCK + 1)
            ).fetchall()
            if len(rows) > MAX_BLOCK:
                continue
            ids.update(r[0] for r in rows)
        ids.discard(f.id)
        return list(self._features(sorted(ids)).values())

    def _store_pair(self, m: Match) -> None:
        if m.verdict == "different" and m.score == 0:
            return
        self.conn.execute(
            "INSERT OR REPLACE INTO dedup_pairs (a, b, verdict, score, reasons) VALUES (?,?,?,?,?)",
            (m.a, m.b, m.verdict, m.score, json.dumps(list(m.reasons), ensure_ascii=False)),
        )

    def _neighbourhood(self, seeds: set[str]) -> set[str]:
        hood: set[str] = set()
        todo = set(seeds)
        while todo:
            rid = todo.pop()
            if rid in hood:
                continue
            hood.add(rid)
            linked = {
                r[0]
                for r in self.conn.execute(
                    "SELECT b FROM dedup_pairs WHERE a=? AND verdict='same'"
                    " UNION SELECT a FROM dedup_pairs WHERE b=? AND verdict='same'"
                    " UNION SELECT b FROM dedup_decisions WHERE a=? AND kind='must_link'"
                    " UNION SELECT a FROM dedup_decisions WHERE b=? AND kind='must_link'",
                    (rid, rid, rid, rid),
                )
            }
            cid = self.cluster_of(rid)
            if cid is not None:
                linked.update(self.members(cid))
            todo |= linked - hood
        return {r for r in hood if self._features([r])}

    def _recluster(self, hood: set[str]) -> None:
        feats = self._features(sorted(hood))
        previous = {r: cid for r in hood if (cid := self.cluster_of(r)) is not None}
        same = [(m.a, m.b, m.score) for m in self.pairs_within(sorted(hood)) if m.same]
        must, cannot = self._constraints(hood)
        old_ids = set(previous.values())
        taken = {
            r[0] for r in self.conn.execute("SELECT DISTINCT cluster_id FROM clusters")
        } - old_ids
        clusters = cluster(
            {r: member(f) for r, f in feats.items()},
            same,
            must_link=must,
            cannot_link=cannot,
            previous=previous,
            taken=taken,
        )
        self.conn.executemany("DELETE FROM clusters WHERE record_id=?", [(r,) for r in hood])
        self._write_clusters(clusters)

    def _write_clusters(self, clusters: dict[str, list[str]]) -> None:
        self.conn.execute(
            "INSERT INTO dedup_meta (key, value) VALUES ('clusters_rev', 1)"
            " ON CONFLICT(key) DO UPDATE SET value = value + 1"
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO clusters (record_id, cluster_id, rank) VALUES (?,?,?)",
            [(rid, cid, i) for cid, ids in clusters.items() for i, rid in enumerate(ids)],
        )

    def rebuild(self, feats: list[Features]) -> None:
        """Recompute every key, pair and cluster from ``feats``; decisions and ids persist."""
        c = self.conn
        previous = dict(c.execute("SELECT record_id, cluster_id FROM clusters").fetchall())
        for table in ("dedup_features", "dedup_keys", "dedup_pairs", "clusters"):
            c.execute(f"DELETE FROM {table}")
        c.executemany(
            "INSERT INTO dedup_features (record_id, json) VALUES (?, ?)",
            [(f.id, features_to_json(f)) for f in feats],
        )
        c.executemany(
            "INSERT OR IGNORE INTO dedup_keys (key, record_id) VALUES (?, ?)",
            [(k, f.id) for f in feats for k in blocking_keys(f)],
        )
        must, cannot = self._constraints({f.id for f in feats})
        clusters, matches = cluster_all(
            feats, must_link=must, cannot_link=cannot, previous=previous
        )
        for m in matches:
            self._store_pair(m)
        self._write_clusters(clusters)
