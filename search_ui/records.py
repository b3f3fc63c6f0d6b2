"""Looking records up for the record page, the export and the API: a record and its cluster.

The backend contract gives ``get(record_id)`` and ``cluster(cluster_id)``; a backend that also
offers ``cluster_of(record_id)`` tells which cluster a record is in; for one that does not,
the cluster is found through a search for the record's title (see ``find_cluster``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from indexer.backends.base import Holding, SearchBackend, SearchQuery
from indexer.errors import QueryError
from indexer.record import Record
from indexer.textkeys import tokens
from search_ui.errors import NotFound

MAX_WORDS = 12
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Work:
    """A record as asked for, with every record of its duplicate cluster (itself included)."""

    record: Record
    members: tuple[Record, ...]

    @property
    def holdings(self) -> tuple[Holding, ...]:
        return tuple(Holding(m.source, m.id) for m in self.members)


def load_work(backend: SearchBackend, record_id: str) -> Work:
    """The record ``record_id`` and its cluster; ``NotFound`` when the index lacks it."""
    record = backend.get(record_id) if record_id else None
    if record is None:
        raise NotFound(record_id)
    cluster_id = find_cluster(backend, record)
    members = backend.cluster(cluster_id) if cluster_id else ()
    others = tuple(m for m in members if m.id != record.id)
    return Work(record, (record, *others))


def find_cluster(backend: SearchBackend, record: Record) -> str | None:
    """The cluster id of ``record``: asked of the backend, else found by searching its title.

    The title search finds the record itself (records and queries share one key function);
    its hit names the cluster. ``None`` when neither way tells.
    """
    cluster_of = getattr(backend, "cluster_of", None)
    if callable(cluster_of):
        return cast("str | None", cluster_of(record.id))
    words = tokens(record.title)[:MAX_WORDS]
    if not words:
        return None
    try:
        result = backend.search(SearchQuery(q=" ".join(words), size=MAX_PAGE_SIZE, facets=False))
    except QueryError:
        return None
    for hit in result.hits:
        if any(h.id == record.id for h in hit.holdings):
            return hit.cluster_id
    return None


def holdings_json(holdings: tuple[Holding, ...]) -> list[dict[str, str]]:
    return [{"library": h.library, "id": h.id} for h in holdings]
