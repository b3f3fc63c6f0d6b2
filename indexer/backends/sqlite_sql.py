"""SQL for the SQLite FTS5 backend: the schema, the rowid layout, and a ``SearchQuery``
turned into statements (the rows written are made in ``sqlite_write``).

Kept apart from the connection handling in ``sqlite.py``: pure functions from a parsed
query to SQL text and parameters, easy to read and to test. User text never reaches
SQL or FTS5 syntax: it arrives here as ``search_key`` tokens, each quoted as an FTS5 string,
and every value is a bound parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexer.backends.base import SearchQuery
from indexer.backends.common import year_range
from indexer.documents import FIELD_KEYS, KEY_FIELDS, WEIGHTS
from indexer.query import ParsedQuery, Term

SCHEMA_VERSION = 8
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
    body INTEGER NOT NULL,
    {", ".join(f"{k} TEXT" for k in KEY_FIELDS)}
);
CREATE TABLE bodies (
    rowid INTEGER PRIMARY KEY,
    record TEXT NOT NULL,
    raw_xml TEXT NOT NULL
);
CREATE TABLE facet_values (
    fid INTEGER PRIMARY KEY,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (facet, value)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value REAL NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(KEY_FIELDS)}, content = 'docs', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
"""``fts`` indexes the key texts kept in ``docs`` (external content): a search scores a match
from the docs row it reads anyway, and the texts are stored once. The key columns come last,
so reading a row's small columns never parses them. Key texts and ``facet_ids`` are stored
with a space at either end, so a per-row test for a word is one ``instr`` on the stored
text (lengths in the score subtract the two)."""
INDEXES = """
CREATE INDEX IF NOT EXISTS docs_cluster ON docs (cluster_id);
CREATE INDEX IF NOT EXISTS docs_year_desc ON docs (year IS NULL, year DESC, title_sort, cid);
CREATE INDEX IF NOT EXISTS docs_year_asc ON docs (year IS NULL, year, title_sort, cid);
CREATE INDEX IF NOT EXISTS docs_title ON docs (title_sort, year, cid);
"""
"""Built after a bulk load: the sorted orders a broad search walks instead of sorting."""
AVG_LENGTHS = (
    "INSERT OR REPLACE INTO meta SELECT 'avglen_' || k, v FROM (SELECT "
    + " UNION ALL SELECT ".join(
        f"'{k}' AS k, COALESCE(AVG(LENGTH({k}) - 2), 0) + 1 AS v FROM docs" for k in KEY_FIELDS
    )
    + ")"
)
"""Mean length of each key field, for the length normalisation of the score."""
MEMBER_BITS = 16
"""Low rowid bits numbering the records of one cluster; the high bits hash the cluster."""
MEMBER_LAST = (1 << MEMBER_BITS) - 2  # the very last rowid stays free: searches start below it
ROWID_SPAN = 1 << 63
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
K1, B = 1.2, 0.75


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


HEAD_FIELDS = "{" + FIELD_KEYS["title"] + " " + FIELD_KEYS["author"] + "}"


def head_match(parsed: ParsedQuery) -> str | None:
    """Every word (or phrase) of the query in the title or the authors; None when a term
    names its own field."""
    if not parsed.terms or any(t.field is not None for t in parsed.terms):
        return None
    return " AND ".join(f"{HEAD_FIELDS} : {fts_term(t)}" for t in parsed.terms)


YEARS_KNOWN = "(d.year IS NULL) = 0"
"""With a year range: lets the year indexes seek to the range (the leading index column)."""


@dataclass(frozen=True)
class Plan:
    """A search as SQL pieces: the FTS5 expression, conditions on ``docs d``, the score."""

    match: str | None
    conds: tuple[str, ...]
    params: tuple[Any, ...]
    score: str
    score_params: tuple[Any, ...]
    row_test: str = "1"
    row_params: tuple[Any, ...] = ()

    def _where(self, extra: str) -> str:
        return " AND ".join([*self.conds, extra])


FACET_FILTERS = ("language", "type", "subject", "isbn")
"""Filters answered from each record's facet value ids."""


def filter_values(query: SearchQuery, parsed: ParsedQuery) -> dict[str, tuple[str, ...]]:
    """Facet → the values a search keeps (any of them), for the facet filters it uses."""
    chosen = {
        "language": query.language,
        "type": query.type,
        "subject": query.subject,
        "isbn": parsed.isbns,
    }
    return {k: v for k, v in chosen.items() if v}


def plan(
    query: SearchQuery,
    parsed: ParsedQuery,
    avglen: dict[str, float],
    fids: dict[str, list[int]] | None = None,
) -> Plan:
    """The SQL pieces of a search. ``fids`` holds the value ids of each facet filter (see
    ``filter_values``): a filter is tested on the record's own ``facet_ids`` (string
    search in the row already read) rather than by a look-up per value."""
    conds: list[str] = []
    params: list[Any] = []
    if query.library:
        conds.append(f"d.library IN ({marks(query.library)})")
        params.extend(query.library)
    for facet in filter_values(query, parsed):
        ids = (fids or {}).get(facet, [])
        conds.append(
            "(" + " OR ".join(["instr(d.facet_ids, ?) > 0"] * len(ids)) + ")" if ids else "0"
        )
        params.extend(f" {i} " for i in ids)
    year_from, year_to = year_range(query, parsed)
    if year_from is not None or year_to is not None:
        conds.append(YEARS_KNOWN)
    if year_from is not None:
        conds.append("d.year >= ?")
        params.append(year_from)
    if year_to is not None:
        conds.append("d.year <= ?")
        params.append(year_to)
    if query.has_link is not None:
        conds.append("d.has_link = ?")
        params.append(int(query.has_link))
    match = fts_match(parsed) if parsed.terms else None
    score, score_params = "d.preferred * 1e-6", ()
    if match and query.sort == "relevance":
        score, score_params = score_sql(parsed, avglen)
    row, row_params = row_test(parsed) if match else ("1", ())
    return Plan(match, tuple(conds), tuple(params), score, score_params, row, row_params)


ODD_IDS = "d.ids_key GLOB '*[^0-9 ]*'"
"""An ``ids_key`` holding more than digits (an ISSN's check letter X, or an id not normalised):
its FTS5 tokens may differ from its space-separated words, so ``row_test`` asks FTS5."""


def row_test(parsed: ParsedQuery) -> tuple[str, tuple[Any, ...]]:
    """SQL telling whether a ``docs d`` row matches every term of ``fts_match``, read from
    the row's key texts: a word (or phrase) matches where `` word `` occurs in one of the
    term's fields. About 15 times cheaper than asking FTS5 for the row by rowid (which sets
    up the whole MATCH expression again for each row).

    Exact, because the key texts are ``search_key`` output (``[a-z0-9]+`` tokens, single
    spaces, a space at either end), which unicode61 tokenizes into the same words; only an
    ``ids_key`` of other characters (``ODD_IDS``) is left to FTS5."""
    conds: list[str] = []
    params: list[str] = []
    for t in parsed.terms:
        cols = KEY_FIELDS if t.field is None else (FIELD_KEYS[t.field],)
        conds.append("(" + " OR ".join(f"instr(d.{c}, ?) > 0" for c in cols) + ")")
        params.extend([" " + " ".join(t.tokens) + " "] * len(cols))
    probe = "EXISTS (SELECT 1 FROM fts WHERE fts MATCH ? AND fts.rowid = d.rowid)"
    text = f"CASE WHEN {ODD_IDS} THEN {probe} ELSE {' AND '.join(conds)} END"
    return text, (fts_match(parsed), *params)


SCORED_FIELDS = tuple(f for f in KEY_FIELDS if WEIGHTS[f] >= 3)
"""Fields that add to the score: title, authors, subjects (notes and ids still match)."""


def score_sql(parsed: ParsedQuery, avglen: dict[str, float]) -> tuple[str, tuple[Any, ...]]:
    """BM25F with field weights over the matched words, computed per row in SQL.

    FTS5's own ``bm25()`` first walks the whole posting list of every query word (for its
    IDF), which is most of a broad query's time. Here each word found in a field counts
    once (catalogue fields rarely repeat a word), damped by the field's length against its
    mean; IDF is left out, so every word of the query weighs the same. Only the heavy
    fields are read (``SCORED_FIELDS``): reading notes too cost a third more for little."""
    parts: list[str] = []
    params: list[Any] = []
    for col in SCORED_FIELDS:
        needles = [
            " " + " ".join(t.tokens) + " "
            for t in parsed.terms
            if t.field is None or FIELD_KEYS[t.field] == col
        ]
        if not needles:
            continue
        hits = " + ".join(f"(instr(d.{col}, ?) > 0)" for _ in needles)
        params.extend(needles)
        norm = f"{K1 * (1 - B)!r} + {K1 * B / avglen.get(col, 20.0)!r} * (length(d.{col}) - 2)"
        parts.append(f"{WEIGHTS[col] * (K1 + 1)!r} * ({hits}) / (1 + {norm})")
    return " + ".join([*parts, "d.preferred * 1e-6"]), tuple(params)


def head_flag(parsed: ParsedQuery) -> tuple[str, tuple[str, ...]]:
    """SQL telling whether a ``docs d`` row holds every term of the query in its title or
    authors (what ``head_match`` finds), read from the row's key texts."""
    conds: list[str] = []
    params: list[str] = []
    for t in parsed.terms:
        needle = " " + " ".join(t.tokens) + " "
        conds.append(
            f"(instr(d.{FIELD_KEYS['title']}, ?) > 0 OR instr(d.{FIELD_KEYS['author']}, ?) > 0)"
        )
        params.extend((needle, needle))
    return " AND ".join(conds), tuple(params)


def block_sql(p: Plan, parsed: ParsedQuery | None = None) -> tuple[str, list[Any]]:
    """Matches in rowid order (descending), from ``before`` down to ``lowest``, at most
    ``limit``: three parameters to append. One row, one value: a JSON array of
    [rid, cid, score, year, title_sort, facet_ids] in no particular order; with ``parsed``,
    each row ends with its ``head_flag`` too.

    As one value because Python's sqlite3 lets go of the GIL for every row it steps: with
    several searching threads, re-taking it hundreds of times a query made them queue."""
    cols = (
        f"d.rowid AS rid, d.cid AS cid, {p.score} AS score, d.year AS year, "
        "d.title_sort AS ts, d.facet_ids AS fi"
    )
    out = "rid, cid, score, year, ts, fi"
    flag_params: tuple[str, ...] = ()
    if parsed is not None:
        flag, flag_params = head_flag(parsed)
        cols += f", {flag} AS hd"
        out += ", hd"
    p = dataclasses.replace(p, score_params=(*p.score_params, *flag_params))
    if p.match is None:
        where = p._where("d.rowid < ? AND d.rowid >= ?")
        inner = f"SELECT {cols} FROM docs d WHERE {where} ORDER BY d.rowid DESC LIMIT ?"
        params = [*p.score_params, *p.params]
    else:
        where = p._where("fts MATCH ? AND fts.rowid < ? AND fts.rowid >= ?")
        inner = (
            f"SELECT {cols} FROM fts JOIN docs d ON d.rowid = fts.rowid "
            f"WHERE {where} ORDER BY fts.rowid DESC LIMIT ?"
        )
        params = [*p.score_params, *p.params, p.match]
    sql = f"SELECT json_group_array(json_array({out})) FROM ({inner})"
    return sql, params


def head_sql(p: Plan, match: str, most: int) -> tuple[str, list[Any]]:
    """The rows of ``block_sql`` for every record matching ``match`` (the head), or NULL
    when more than ``most`` records match it (filters aside): the matches are found once,
    counted, and only then joined and scored by rowid."""
    cols = (
        f"d.rowid AS rid, d.cid AS cid, {p.score} AS score, d.year AS year, "
        "d.title_sort AS ts, d.facet_ids AS fi"
    )
    sql = (
        f"WITH h AS MATERIALIZED (SELECT rowid AS r FROM fts WHERE fts MATCH ? LIMIT {most + 1}) "
        f"SELECT CASE WHEN (SELECT count(*) FROM h) > {most} THEN NULL ELSE (SELECT "
        "json_group_array(json_array(rid, cid, score, year, ts, fi)) FROM (SELECT "
        f"{cols} FROM h JOIN docs d ON d.rowid = h.r WHERE {p._where('1')})) END"
    )
    return sql, [match, *p.score_params, *p.params]


SORTED_INDEX = {
    "year_desc": "docs_year_desc",
    "year_asc": "docs_year_asc",
    "title": "docs_title",
}
_SORTED_ORDER = {
    "year_desc": "d.year IS NULL, d.year DESC, d.title_sort, d.cid, d.rowid",
    "year_asc": "d.year IS NULL, d.year, d.title_sort, d.cid, d.rowid",
    "title": "d.title_sort, d.year, d.cid, d.rowid",
}


def sorted_sql(p: Plan, sort: str) -> tuple[str, list[Any]]:
    """Matches walked in the order of ``sort``'s index, each row checked by ``row_test``:
    cheap when most records match, so only the first page's worth is read. ``limit`` to
    append. One JSON value (see ``block_sql``): [rid, cid, year, title_sort] rows, in no
    particular order."""
    params = [*p.params, *p.row_params]
    order = _SORTED_ORDER[sort]
    if YEARS_KNOWN in p.conds:  # the planner keeps the index order only without the NULL test
        order = order.removeprefix("d.year IS NULL, ")
    sql = (
        "SELECT json_group_array(json_array(rid, cid, year, ts)) FROM (SELECT d.rowid AS rid, "
        "d.cid AS cid, d.year AS year, d.title_sort AS ts FROM docs d INDEXED BY "
        f"{SORTED_INDEX[sort]} WHERE {p._where(p.row_test)} ORDER BY {order} LIMIT ?)"
    )
    return sql, params


FACET_VALUES_SQL = "SELECT fid, facet, value FROM facet_values"
HITS_SQL = (
    "SELECT '[[' || coalesce((SELECT group_concat('[' || d.rowid || ',' || "
    "json_quote(d.cluster_id) || ',' || b.record || ']', ',') FROM docs d JOIN bodies b ON "
    "b.rowid = d.body WHERE d.rowid "
    "IN (SELECT value FROM json_each(?1))), '') || '],' || (SELECT json_group_array(json_array("
    "m.cluster_id, m.library, m.id, m.preferred)) FROM docs m WHERE m.cluster_id IN (SELECT "
    "d.cluster_id FROM docs d WHERE d.rowid IN (SELECT value FROM json_each(?1)))) || ']'"
)
"""A page's records by rowid (a JSON array) and every member of their clusters, as one
JSON value [[[rowid, cluster_id, record], ...], [[cluster_id, library, id, preferred], ...]]:
one statement of fixed text (prepared once per connection, the GIL let go once). Each record
(JSON written by ``to_document``) is pasted in as it is stored, so it is parsed once, with the
rest, instead of escaped into a JSON string here and parsed twice in Python."""


def marks(values: Sequence[Any]) -> str:
    """``?, ?, …``: one SQL parameter per value."""
    return ", ".join("?" * len(values))
