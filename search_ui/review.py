"""What the duplicate review shows: the queue, a cluster compared field by field, its history.

Pure reading of the state database (``clusters``, ``dedup_pairs``, ``dedup_decisions``,
``records``); the decisions themselves go through ``indexer.pipeline.apply_decision``.

The queue puts the least certain clusters first: a cluster is as certain as the weakest
automatic match inside it. Clusters a librarian has confirmed as a whole go last.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from indexer.dedup.store import Decision, DedupStore
from indexer.record import Record
from indexer.state import get_record
from indexer.textkeys import search_key
from search_ui import i18n

# Field-by-field comparison: (label, how to read the value from a record).
COMPARED: tuple[tuple[object, Callable[[Record], str]], ...] = (
    (_l("Title"), lambda r: " : ".join(p for p in (r.title, r.subtitle) if p)),
    (_l("Volume"), lambda r: r.volume),
    (_l("Authors"), lambda r: "; ".join(r.author_names)),
    (_l("Statement of responsibility"), lambda r: r.responsibility),
    (_l("Edition"), lambda r: r.edition),
    (_l("Year"), lambda r: str(r.year or "")),
    (_l("Place"), lambda r: r.place),
    (_l("Publisher"), lambda r: r.publisher),
    (_l("Extent"), lambda r: r.extent),
    ("ISBN", lambda r: "; ".join(sorted(r.isbns or r.invalid_isbns))),
    ("ISSN", lambda r: "; ".join(sorted(r.issns))),
    (_l("Language"), lambda r: "; ".join(i18n.language_name(c) for c in r.languages)),
    (_l("Script"), lambda r: "; ".join(i18n.script_name(c) for c in r.scripts)),
    (_l("Type"), lambda r: i18n.type_label(r.type) if r.type else ""),
    (_l("Series"), lambda r: "; ".join(r.series)),
    (_l("Subjects"), lambda r: "; ".join(r.subjects)),
)
SAME, EQUIVALENT, PARTIAL, DIFFERS = "same", "equivalent", "partial", "differs"


@dataclass(frozen=True)
class QueueItem:
    cluster_id: str
    members: tuple[str, ...]  # record ids, preferred first
    certainty: float  # the weakest automatic match inside; 1.0 when only decisions join it
    confirmed: bool  # a librarian confirmed the whole cluster
    title: str = ""

    @property
    def libraries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(source_of(m) for m in self.members))


@dataclass(frozen=True)
class FieldRow:
    label: object
    values: tuple[str, ...]
    state: str  # SAME, EQUIVALENT (equal once scripts and spelling are folded), PARTIAL, DIFFERS


@dataclass(frozen=True)
class PairView:
    a: str
    b: str
    verdict: str
    score: float
    reasons: tuple[str, ...]


def source_of(record_id: str) -> str:
    return record_id.split(":", 1)[0]


def has_dedup_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN"
        " ('clusters', 'dedup_pairs', 'dedup_decisions', 'records')"
    ).fetchone()
    return bool(row and row[0] == 4)


def _confirmed(members: Sequence[str], links: dict[str, set[str]]) -> bool:
    """True when must-link decisions alone connect every member."""
    seen = {members[0]}
    todo = [members[0]]
    wanted = set(members)
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt in wanted and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen == wanted


_QUEUES: OrderedDict[tuple[str, int], list[QueueItem]] = OrderedDict()
_QUEUES_LOCK = threading.Lock()


def queue(conn: sqlite3.Connection) -> list[QueueItem]:
    """Every cluster of more than one record, least certain first, confirmed ones last.

    Computed once per state of the clusters (``clusters_rev``): about 1.5 s at a million
    records, then served from memory until any cluster changes."""
    if not has_dedup_tables(conn):
        return []
    store = DedupStore(conn, create=False)  # a read-only connection
    rev = store.clusters_rev()
    if rev < 0:  # no revision to key a cache on until the next index run
        return _compute_queue(conn, store)
    key = (conn.execute("PRAGMA database_list").fetchone()[2], rev)
    with _QUEUES_LOCK:
        cached = _QUEUES.get(key)
    if cached is not None:
        return cached
    items = _compute_queue(conn, store)
    with _QUEUES_LOCK:
        _QUEUES[key] = items
        while len(_QUEUES) > 4:
            _QUEUES.popitem(last=False)
    return items


def _compute_queue(conn: sqlite3.Connection, store: DedupStore) -> list[QueueItem]:
    weakest = dict(
        conn.execute(
            "SELECT c1.cluster_id, min(p.score) FROM dedup_pairs p"
            " JOIN clusters c1 ON c1.record_id = p.a JOIN clusters c2 ON c2.record_id = p.b"
            " WHERE p.verdict = 'same' AND c1.cluster_id = c2.cluster_id"
            " GROUP BY c1.cluster_id"
        ).fetchall()
    )
    links: dict[str, set[str]] = {}
    for a, b in conn.execute("SELECT a, b FROM dedup_decisions WHERE kind = 'must_link'"):
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)
    items = [
        QueueItem(cid, tuple(members), float(weakest.get(cid, 1.0)), _confirmed(members, links))
        for cid, members in store.multi_member_clusters()
    ]
    items.sort(key=lambda q: (q.confirmed, q.certainty, q.cluster_id))
    return items


def with_titles(conn: sqlite3.Connection, items: Sequence[QueueItem]) -> list[QueueItem]:
    """The items with the title of their preferred record (for the page shown only)."""
    out = []
    for item in items:
        rec = load_record(conn, item.members[0])
        title = (rec.title or rec.id) if rec else item.members[0]
        out.append(QueueItem(item.cluster_id, item.members, item.certainty, item.confirmed, title))
    return out


def load_record(conn: sqlite3.Connection, record_id: str) -> Record | None:
    return get_record(conn, record_id)


def cluster_members(conn: sqlite3.Connection, cluster_id: str) -> list[str]:
    return DedupStore(conn, create=False).members(cluster_id)


def cluster_of(conn: sqlite3.Connection, record_id: str) -> str | None:
    return DedupStore(conn, create=False).cluster_of(record_id)


def compare(records: Sequence[Record]) -> list[FieldRow]:
    """One row per field any record fills, with how the values agree."""
    rows = []
    for label, read in COMPARED:
        values = tuple(read(r) for r in records)
        present = [v for v in values if v]
        if not present:
            continue
        if len(set(present)) == 1:
            state = SAME if len(present) == len(values) else PARTIAL
        elif len({search_key(v) for v in present}) == 1:
            state = EQUIVALENT if len(present) == len(values) else PARTIAL
        else:
            state = DIFFERS
        rows.append(FieldRow(label, values, state))
    return rows


def pairs(conn: sqlite3.Connection, members: Sequence[str]) -> list[PairView]:
    """The automatic verdicts between the members, most telling (highest score) first."""
    found = [
        PairView(m.a, m.b, m.verdict, m.score, m.reasons)
        for m in DedupStore(conn, create=False).pairs_within(members)
    ]
    return sorted(found, key=lambda p: (-p.score, p.a, p.b))


def related_outside(conn: sqlite3.Connection, members: Sequence[str]) -> list[PairView]:
    """Scored pairs from a member to a record of another cluster (merge candidates)."""
    inside = set(members)
    out = []
    for rid in members:
        for a, b, verdict, score, reasons in conn.execute(
            "SELECT a, b, verdict, score, reasons FROM dedup_pairs WHERE (a = ? OR b = ?)"
            " AND score > 0",
            (rid, rid),
        ):
            if a in inside and b in inside:
                continue
            out.append(PairView(a, b, verdict, score, tuple(json.loads(reasons))))
    return sorted(out, key=lambda p: (-p.score, p.a, p.b))


def history(conn: sqlite3.Connection, members: Sequence[str]) -> list[Decision]:
    """Librarians' decisions touching the members, newest first."""
    return sorted(DedupStore(conn, create=False).decisions(members), key=lambda d: -d.id)
