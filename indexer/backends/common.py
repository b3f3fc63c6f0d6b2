"""What every adapter does the same way before and after talking to its engine.

Checking a ``SearchQuery`` (sort, paging limits, the parsed ``q``) and assembling hits
with holdings and highlights live here once, so the adapters cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from indexer.backends.base import (
    MAX_PAGE_SIZE,
    MAX_WINDOW,
    SORTS,
    Hit,
    Holding,
    SearchQuery,
)
from indexer.documents import highlights
from indexer.errors import QueryError
from indexer.query import ParsedQuery, parse
from indexer.record import Record


def check_query(query: SearchQuery) -> ParsedQuery:
    """Validate paging and sort, parse ``q``; ``QueryError`` with a reader-fit message."""
    if query.sort not in SORTS:
        raise QueryError(f"Unknown sort order “{query.sort}”: use one of {', '.join(SORTS)}.")
    if query.page < 1:
        raise QueryError("The page number must be 1 or more.")
    if not 1 <= query.size <= MAX_PAGE_SIZE:
        raise QueryError(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    if query.page * query.size > MAX_WINDOW:
        raise QueryError(
            f"Only the first {MAX_WINDOW} results can be shown: please narrow the search."
        )
    if not 1 <= query.facet_size <= 1000:
        raise QueryError("The number of facet values must be between 1 and 1000.")
    return parse(query.q)


def about(x: float) -> int:
    """``x`` rounded to two significant figures (an estimate should not look exact)."""
    n = round(x)
    if n < 100:
        return n
    return int(round(n, 2 - len(str(n))))


def year_range(query: SearchQuery, parsed: ParsedQuery) -> tuple[int | None, int | None]:
    """The year bounds of the filters and of ``year:`` in ``q`` together (the narrower)."""
    return _pick(query.year_from, parsed.year_from, max), _pick(query.year_to, parsed.year_to, min)


def holdings_by_cluster(
    rows: Iterable[tuple[str, str, str]],
) -> dict[str, tuple[Holding, ...]]:
    """(cluster_id, library, record id) rows, preferred first → holdings per cluster."""
    out: dict[str, list[Holding]] = {}
    for cluster_id, library, rid in rows:
        out.setdefault(cluster_id, []).append(Holding(library, rid))
    return {k: tuple(v) for k, v in out.items()}


def make_hit(
    cluster_id: str,
    record: Record,
    holdings: dict[str, tuple[Holding, ...]],
    parsed: ParsedQuery,
    score: float,
) -> Hit:
    own = holdings.get(cluster_id) or (Holding(record.source, record.id),)
    return Hit(cluster_id, record, own, highlights(record, parsed.tokens), float(score))


def _pick(a: int | None, b: int | None, how: Callable[[int, int], int]) -> int | None:
    return b if a is None else a if b is None else how(a, b)
