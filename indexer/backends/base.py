"""The search backend contract (django-modelsearch's ``backends/base.py`` is the model).

Every adapter (``sqlite``, ``elasticsearch``, ``opensearch``) implements ``SearchBackend``
and passes the one contract suite in ``tests/test_backend_contract.py``. Text processing
(folding, transliteration, keys) happens in Python before a document or a query reaches
an adapter, so every backend finds the same records for the same query.

A feature an adapter lacks raises ``UnsupportedError`` saying so; a query it cannot read
raises ``QueryError`` with a message fit for a reader; an engine failure raises
``BackendError`` (never a client library's own exception).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.record import Record

SORTS = ("relevance", "year_desc", "year_asc", "title")
FACETS = ("library", "language", "type", "decade", "year", "subject", "has_link")
MAX_WINDOW = 10_000
"""Deepest result a search may ask for (page * size), the same on every backend."""
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class IndexDoc:
    """A record as indexed: with the duplicate cluster it belongs to."""

    record: Record
    cluster_id: str  # a record is its own cluster until deduplication says otherwise
    preferred: bool = True  # the cluster's preferred record (shown first)


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    library: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    has_link: bool | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    facets: bool = True
    facet_size: int = 20


@dataclass(frozen=True)
class Holding:
    library: str
    id: str


@dataclass(frozen=True)
class Hit:
    cluster_id: str
    record: Record  # the preferred (or best-matching) record of the cluster
    holdings: tuple[Holding, ...]
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML-escaped, <mark>ed
    score: float = 0.0


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int  # clusters matching
    page: int
    size: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    total_exact: bool = True  # False: ``total`` is an estimate (engines, very large results)
    facets_exact: bool = True  # False: facet counts count records, not clusters (ditto)


class SearchBackend(abc.ABC):
    """What every search backend offers."""

    name: str = ""

    @abc.abstractmethod
    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace documents in bulk; return how many were written."""

    @abc.abstractmethod
    def delete(self, record_ids: Iterable[str]) -> int:
        """Delete records by id; unknown ids are ignored; return how many were deleted."""

    @abc.abstractmethod
    def refresh(self) -> None:
        """Make everything written so far visible to search."""

    @abc.abstractmethod
    def count(self) -> int:
        """Number of records (not clusters) in the index."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Drop everything and start empty."""

    @abc.abstractmethod
    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically.

        Readers keep seeing the old index until the new one is complete.
        """

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Search; one hit per duplicate cluster, carrying every member's holding."""

    @abc.abstractmethod
    def get(self, record_id: str) -> Record | None:
        """One record by id, or None."""

    @abc.abstractmethod
    def cluster(self, cluster_id: str) -> tuple[Record, ...]:
        """Every record of a cluster, preferred first."""

    def ping(self) -> None:
        """Raise ``BackendError`` when the backend cannot be reached."""
        self.count()

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""
