"""How the SQLite backend writes a flat document: its rows, rowid and facet value ids.

The write side of ``sqlite_sql`` (which holds the schema and the search SQL): what runs for
every record of a rebuild, so kept to plain look-ups and tuples per record.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from indexer.backends.sqlite_sql import (
    FACET_FIELDS,
    FACET_VALUES_SQL,
    MEMBER_BITS,
    MEMBER_LAST,
)
from indexer.documents import KEY_FIELDS
from indexer.errors import BackendError

INSERT_DOC = f"INSERT INTO docs VALUES ({', '.join('?' * (11 + len(KEY_FIELDS)))})"
INSERT_BODY = "INSERT INTO bodies VALUES (?, ?, ?)"
INSERT_FTS = f"INSERT INTO fts (rowid, {', '.join(KEY_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?)"
DELETE_FTS = (
    f"INSERT INTO fts (fts, rowid, {', '.join(KEY_FIELDS)}) VALUES ('delete', ?, ?, ?, ?, ?, ?)"
)
"""``fts`` has external content: a row leaves the index given the texts it was indexed with."""


class FacetIds:
    """The facet value ids of flat documents, as the text kept in ``docs`` (space-separated,
    a space at either end: ``instr`` finds " 12 " without building a string per row); a
    value met for the first time is added to ``facet_values``.

    Per document this is a few dictionary look-ups on the document's own values (a value's
    id text is cached by facet and value as it comes): it runs for every record of a rebuild.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.known = {(f, v): i for i, f, v in conn.execute(FACET_VALUES_SQL)}
        self.cached: dict[str, dict[Any, str]] = {f: {} for f in (*FACET_FIELDS, "isbn")}
        self.fields = tuple((src, self.cached[f], f) for f, src in FACET_FIELDS.items())

    def _add(self, facet: str, value: Any) -> str:
        pair = (facet, _facet_value(value))
        if (i := self.known.get(pair)) is None:
            i = self.known[pair] = self.conn.execute(
                "INSERT INTO facet_values (facet, value) VALUES (?, ?) RETURNING fid", pair
            ).fetchone()[0]
        text = self.cached[facet][value] = str(i)
        return text

    def __call__(self, doc: dict[str, Any]) -> str:
        """The ids of ``doc``'s facet values, ISBNs too (for the ``isbn:`` filter), each once."""
        out: list[str] = []
        for src, cached, facet in self.fields:
            value = doc[src]
            for v in value if isinstance(value, list) else (value,):
                if v is not None and v != "":
                    out.append(cached.get(v) or self._add(facet, v))
        isbns = self.cached["isbn"]
        out.extend(isbns.get(i) or self._add("isbn", i) for i in doc["isbns"])
        if len(set(out)) != len(out):
            out = list(dict.fromkeys(out))
        return f" {' '.join(out)} "


def rows_for(
    doc: dict[str, Any], rowid: int, body: int, facet_ids: str
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The docs, bodies and fts rows of one flat document (``facet_ids``: see ``FacetIds``;
    kept in the docs row, where filters and facet counts read them).

    ``docs`` rows (ids, sort and filter values, the key texts ``fts`` indexes) are placed by
    cluster (``cluster_base``); the large record and source XML go to ``bodies`` in arrival
    order, so a bulk load appends them."""
    keys = tuple(f" {doc[k] or ''} " for k in KEY_FIELDS)
    d = (
        rowid,
        doc["id"],
        doc["cluster_id"],
        doc["cluster_hash"],
        int(doc["preferred"]),
        doc["library"],
        doc["year"],
        doc["title_sort"],
        int(doc["has_link"]),
        facet_ids,
        body,
        *keys,
    )
    b = (body, doc["record"], doc["raw_xml"])
    f = (rowid, *keys)
    return d, b, f


def cluster_base(cluster_id: str) -> int:
    """The first rowid of a cluster's block: a hash, so rowid order is a random order of
    clusters (a prefix of the matches is a fair sample) with each cluster's records together."""
    h = int.from_bytes(
        hashlib.blake2b(cluster_id.encode(), digest_size=8, person=b"rowid").digest()
    )
    return (h >> (64 - 63 + MEMBER_BITS)) << MEMBER_BITS


def allocate_rowids(
    conn: sqlite3.Connection, cluster_ids: list[str], seen: bytearray | None = None
) -> list[int]:
    """A free rowid for each new record: its cluster's block, next member number.

    ``seen`` (a new file being written): one byte per hashed cluster block written so far,
    so a block never written needs no look-up (most clusters have one record)."""
    nxt: dict[int, int] = {}
    out = []
    for cluster_id in cluster_ids:
        base = cluster_base(cluster_id)
        slot = (base >> MEMBER_BITS) % len(seen) if seen is not None else 0
        if (rid := nxt.get(base)) is not None:
            pass
        elif seen is not None and not seen[slot]:
            rid = base
        else:
            top = conn.execute(
                "SELECT MAX(rowid) FROM docs WHERE rowid BETWEEN ? AND ?",
                (base, base + MEMBER_LAST),
            ).fetchone()[0]
            rid = base if top is None else top + 1
        if rid > base + MEMBER_LAST:
            raise BackendError(f"cluster {cluster_id!r} has too many records for one block")
        out.append(rid)
        nxt[base] = rid + 1
        if seen is not None:
            seen[slot] = 1
    return out


def add_count(conn: sqlite3.Connection, n: int) -> None:
    """Keep the record count and bump the write counter (it keys the result cache)."""
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + ?",
        [("docs", n, n), ("writes", 1, 1)],
    )


def _facet_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
