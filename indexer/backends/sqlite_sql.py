"""SQL for the SQLite FTS5 backend: the schema, and a ``SearchQuery`` turned into statements.

Kept apart from the connection handling in ``sqlite.py``: these are pure functions from a
parsed query to SQL text and parameters, easy to read and to test. User text never reaches
SQL or FTS5 syntax: it arrives here as ``search_key`` tokens, each quoted as an FTS5 string,
and every value is a bound parameter.
"""

from __future__ import annotations

import hashlib
from typing import Any

from indexer.backends.base import SearchQuery
from indexer.documents import FIELD_KEYS, KEY_FIELDS, WEIGHTS
from indexer.query import ParsedQuery, Term

SCHEMA_VERSION = 3
"""Bumped when the layout changes: an older file must be rebuilt."""
SCHEMA = f"""
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    cluster_id TEXT NOT NULL,
    cid INTEGER NOT NULL,
    preferred INTEGER NOT NULL,
    library TEXT NOT NULL,
    year INTEGER,
    title_sort TEXT NOT NULL,
    has_link INTEGER NOT NULL,
    facet_ids TEXT NOT NULL,
    record TEXT NOT NULL,
    raw_xml TEXT NOT NULL
);
CREATE TABLE facet_values (
    fid INTEGER PRIMARY KEY,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (facet, value)
);
CREATE TABLE facets (
    fid INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (fid, doc)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(KEY_FIELDS)}, tokenize = 'unicode61 remove_diacritics 0'
);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS docs_cluster ON docs (cluster_id);
"""
INSERT_DOC = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_FTS = f"INSERT INTO fts (rowid, {', '.join(KEY_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_FACET = "INSERT OR IGNORE INTO facets VALUES (?, ?)"
FACET_FIELDS = {
    "library": "library",
    "language": "languages",
    "type": "type",
    "decade": "decade",
    "year": "year",
    "subject": "subjects",
    "has_link": "has_link",
}
"""Facet name → document field its values come from."""
_BM25 = ", ".join(str(WEIGHTS[f]) for f in KEY_FIELDS)
_ORDER = {
    "relevance": "score DESC, title_sort, cid",
    "year_desc": "year IS NULL, year DESC, title_sort, cid",
    "year_asc": "year IS NULL, year ASC, title_sort, cid",
    "title": "title_sort, year, cid",
}


def facet_pairs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(facet, value) pairs of a flat document; ISBNs too, for the ``isbn:`` filter."""
    pairs: list[tuple[str, str]] = []
    for facet, src in FACET_FIELDS.items():
        value = doc[src]
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v != "":
                pairs.append((facet, _facet_value(v)))
    pairs.extend(("isbn", i) for i in doc["isbns"])
    return list(dict.fromkeys(pairs))


def rows_for(
    doc: dict[str, Any], rowid: int, fids: list[int]
) -> tuple[tuple[Any, ...], tuple[Any, ...], list[tuple[int, int]]]:
    """The docs row, the fts row and the facet rows of one flat document."""
    d = (
        rowid,
        doc["id"],
        doc["cluster_id"],
        cluster_number(doc["cluster_id"]),
        int(doc["preferred"]),
        doc["library"],
        doc["year"],
        doc["title_sort"],
        int(doc["has_link"]),
        " ".join(map(str, fids)),
        doc["record"],
        doc["raw_xml"],
    )
    f = (rowid, *(doc[k] for k in KEY_FIELDS))
    return d, f, [(fid, rowid) for fid in fids]


def cluster_number(cluster_id: str) -> int:
    """A 63-bit number for a cluster id: grouping and counting integers is much faster."""
    return int.from_bytes(hashlib.blake2b(cluster_id.encode(), digest_size=8).digest()) >> 1


def _facet_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def fts_string(token: str) -> str:
    """An FTS5 string literal: double quotes around, inner quotes doubled."""
    return '"' + token.replace('"', '""') + '"'


def fts_term(term: Term) -> str:
    body = fts_string(" ".join(term.tokens)) if term.phrase else fts_string(term.tokens[0])
    if term.field is None:
        return body
    return f"{FIELD_KEYS[term.field]} : {body}"


def fts_match(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression: every term must match."""
    return " AND ".join(fts_term(t) for t in parsed.terms)


def matched(query: SearchQuery, parsed: ParsedQuery) -> tuple[str, list[Any]]:
    """A SELECT of (rid, cid, score, year, title_sort, facet_ids) of the matching records.

    BM25 is computed only when the results are sorted by relevance: it is most of the cost
    of a broad query. Otherwise ``score`` only prefers a cluster's preferred record."""
    where: list[str] = []
    params: list[Any] = []
    rank = f"-bm25(fts, {_BM25}) + " if query.sort == "relevance" else ""
    if parsed.terms:
        select = (
            f"SELECT d.rowid, d.cid, {rank}d.preferred * 1e-6, d.year, d.title_sort, "
            "d.facet_ids FROM fts JOIN docs d ON d.rowid = fts.rowid"
        )
        where.append("fts MATCH ?")
        params.append(fts_match(parsed))
    else:
        select = (
            "SELECT d.rowid, d.cid, d.preferred * 1e-6, d.year, d.title_sort, d.facet_ids "
            "FROM docs d"
        )
    if query.library:
        where.append(f"d.library IN ({_marks(query.library)})")
        params.extend(query.library)
    for facet, values in (
        ("language", query.language),
        ("type", query.type),
        ("subject", query.subject),
        ("isbn", parsed.isbns),
    ):
        if values:
            where.append(
                "d.rowid IN (SELECT f.doc FROM facets f JOIN facet_values v ON v.fid = f.fid "
                f"WHERE v.facet = ? AND v.value IN ({_marks(values)}))"
            )
            params.extend([facet, *values])
    year_from = _pick(query.year_from, parsed.year_from, max)
    year_to = _pick(query.year_to, parsed.year_to, min)
    if year_from is not None:
        where.append("d.year >= ?")
        params.append(year_from)
    if year_to is not None:
        where.append("d.year <= ?")
        params.append(year_to)
    if query.has_link is not None:
        where.append("d.has_link = ?")
        params.append(int(query.has_link))
    sql = select + (" WHERE " + " AND ".join(where) if where else "")
    return sql, params


TEMP = """
CREATE TEMP TABLE IF NOT EXISTS m (
    rid INTEGER PRIMARY KEY, cid INTEGER, score REAL, year INTEGER, title_sort TEXT,
    facet_ids TEXT
)
"""
"""Each connection's matches of the current search, computed once and read three times."""


def fill_sql(m: str) -> str:
    return f"INSERT INTO temp.m {m}"


def page_sql(query: SearchQuery) -> str:
    """One row per cluster (its best-matching record), ordered and paged."""
    return (
        "SELECT cid, rid, MAX(score) AS score, year, title_sort FROM temp.m "
        f"GROUP BY cid ORDER BY {_ORDER[query.sort]} LIMIT ? OFFSET ?"
    )


TOTAL_SQL = "SELECT COUNT(DISTINCT cid) FROM temp.m"


FACET_VALUES_SQL = "SELECT fid, facet, value FROM facet_values"
FACET_IDS_SQL = "SELECT cid, facet_ids FROM temp.m"
"""Each match's facet value ids, counted in Python: far cheaper than a join and GROUP BY."""


def _marks(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join("?" * len(values))


def _pick(a: int | None, b: int | None, how: Any) -> int | None:
    return b if a is None else a if b is None else how(a, b)
