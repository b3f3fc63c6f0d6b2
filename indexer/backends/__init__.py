"""Search backends behind one contract (``base.SearchBackend``) and the factory that picks one.

``get_backend(config)`` chooses the adapter named by ``[index] backend``; the engine
adapters are imported only when chosen, so the default needs nothing installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.backends.base import SearchBackend
from indexer.errors import UnsupportedError

if TYPE_CHECKING:
    from harvester.config import Config


def get_backend(config: Config) -> SearchBackend:
    """The search backend ``config`` names: sqlite, elasticsearch or opensearch."""
    kind = config.index.backend
    if kind == "sqlite":
        from indexer.backends.sqlite import SQLiteBackend

        return SQLiteBackend(config.data_dir, config.index.name)
    if kind == "elasticsearch":
        from indexer.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(config.index.url, config.index.name)
    if kind == "opensearch":
        from indexer.backends.opensearch import OpenSearchBackend

        return OpenSearchBackend(config.index.url, config.index.name)
    raise UnsupportedError(
        f"unknown search backend {kind!r} (use sqlite, elasticsearch or opensearch)"
    )


__all__ = ["SearchBackend", "get_backend"]
