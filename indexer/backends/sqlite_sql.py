"""SQL for the SQLite FTS5 backend: the schema, and a ``SearchQuery`` turned into statements.

Kept apart from the connection handling in ``sqlite.py``: these are pure functions from a
parsed query to SQL text and parameters, easy to read and to test. User text never reaches
SQL or FTS5 syntax: it arrives here as ``search_key`` tokens, each quoted as an FTS5 string,
and every value is a bound parameter.
"""

from __future__ import annotations

from typing import Any

from indexer.backends.base import SearchQuery
from indexer.documents import FIELD_KEYS, KEY_FIELDS, WEIGHTS
from indexer.query import ParsedQuery, Term

SCHEMA = f"""
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    cluster_id TEXT NOT NULL,
    preferred INTEGER NOT NULL,
    library TEXT NOT NULL,
    year INTEGER,
    title_sort TEXT NOT NULL,
    has_link INTEGER NOT NULL,
    record TEXT NOT NULL,
    raw_xml TEXT NOT NULL
);
CREATE TABLE facets (
    doc INTEGER NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (doc, facet, value)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(KEY_FIELDS)}, tokenize = 'unicode61 remove_diacritics 0'
);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS docs_cluster ON docs (cluster_id);
CREATE INDEX IF NOT EXISTS facets_value ON facets (facet, value, doc);
"""
INSERT_DOC = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_FTS = f"INSERT INTO fts (rowid, {', '.join(KEY_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_FACET = "INSERT OR IGNORE INTO facets VALUES (?, ?, ?)"
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
    "relevance": "score DESC, title_sort, cluster_id",
    "year_desc": "year IS NULL, year DESC, title_sort, cluster_id",
    "year_asc": "year IS NULL, year ASC, title_sort, cluster_id",
    "title": "title_sort, year, cluster_id",
}


def rows_for(
    doc: dict[str, Any], rowid: int
) -> tuple[tuple[Any, ...], tuple[Any, ...], list[tuple[Any, ...]]]:
    """The docs row, the fts row and the facet rows of one flat document."""
    d = (
        rowid,
        doc["id"],
        doc["cluster_id"],
        int(doc["preferred"]),
        doc["library"],
        doc["year"],
        doc["title_sort"],
        int(doc["has_link"]),
        doc["record"],
        doc["raw_xml"],
    )
    f = (rowid, *(doc[k] for k in KEY_FIELDS))
    facets: list[tuple[Any, ...]] = []
    for facet, src in FACET_FIELDS.items():
        value = doc[src]
        for v in value if isinstance(value, list) else [value]:
            if v is None or v == "":
                continue
            facets.append((rowid, facet, _facet_value(v)))
    facets.extend((rowid, "isbn", i) for i in doc["isbns"])
    return d, f, facets


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
    """A CTE body selecting (rid, cluster_id, score, year, title_sort) of matching records."""
    where: list[str] = []
    params: list[Any] = []
    if parsed.terms:
        select = (
            f"SELECT d.rowid AS rid, d.cluster_id, -bm25(fts, {_BM25}) + d.preferred * 1e-6 "
            "AS score, d.year, d.title_sort FROM fts JOIN docs d ON d.rowid = fts.rowid"
        )
        where.append("fts MATCH ?")
        params.append(fts_match(parsed))
    else:
        select = (
            "SELECT d.rowid AS rid, d.cluster_id, d.preferred * 1e-6 AS score, d.year, "
            "d.title_sort FROM docs d"
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
                f"d.rowid IN (SELECT doc FROM facets WHERE facet = ? AND value IN "
                f"({_marks(values)}))"
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


def page_sql(query: SearchQuery, m: str) -> str:
    """One row per cluster (its best-matching record), ordered and paged."""
    return (
        f"WITH m AS MATERIALIZED ({m}) "
        "SELECT cluster_id, rid, MAX(score) AS score, year, title_sort "
        f"FROM m GROUP BY cluster_id ORDER BY {_ORDER[query.sort]} LIMIT ? OFFSET ?"
    )


def total_sql(m: str) -> str:
    return f"WITH m AS MATERIALIZED ({m}) SELECT COUNT(DISTINCT cluster_id) FROM m"


def facets_sql(m: str, facets: tuple[str, ...]) -> str:
    """Top values of each facet, counted in clusters, in one pass over the matches."""
    return (
        f"WITH m AS MATERIALIZED ({m}), "
        "c AS (SELECT f.facet, f.value, COUNT(DISTINCT m.cluster_id) AS n "
        f"FROM m JOIN facets f ON f.doc = m.rid AND f.facet IN ({_marks(facets)}) "
        "GROUP BY f.facet, f.value), r AS (SELECT facet, value, n, ROW_NUMBER() OVER "
        "(PARTITION BY facet ORDER BY n DESC, value) AS k FROM c) "
        "SELECT facet, value, n FROM r WHERE k <= ? ORDER BY facet, k"
    )


def _marks(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join("?" * len(values))


def _pick(a: int | None, b: int | None, how: Any) -> int | None:
    return b if a is None else a if b is None else how(a, b)
