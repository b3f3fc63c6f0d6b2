"""Search backend fixtures: one real backend per parameter (sqlite, elasticsearch, opensearch).

The engines are real nodes whose URLs come from ``BIRLIK_ES_URL`` / ``BIRLIK_OS_URL``
(``scripts/test`` starts them with ``scripts/engine``). When a variable is unset the engine's
tests skip with that reason locally and fail when ``CI=true``: CI must run all three.
Each test gets its own index name, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.backends.base import SearchBackend

BACKENDS = ("sqlite", "elasticsearch", "opensearch")
ENGINE_ENV = {"elasticsearch": "BIRLIK_ES_URL", "opensearch": "BIRLIK_OS_URL"}


def engine_url(kind: str) -> str:
    """The engine's URL, or skip (fail on CI) saying which variable is missing."""
    var = ENGINE_ENV[kind]
    url = os.environ.get(var, "")
    if not url:
        reason = f"{var} is not set: start a node with `scripts/engine start {kind}`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must test every backend, but {reason}")
        pytest.skip(reason)
    return url


def open_backend(kind: str, tmp_path: Path, name: str) -> SearchBackend:
    if kind == "sqlite":
        from indexer.backends.sqlite import SQLiteBackend

        return SQLiteBackend(tmp_path, name)
    url = engine_url(kind)
    if kind == "elasticsearch":
        from indexer.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(url, name)
    from indexer.backends.opensearch import OpenSearchBackend

    return OpenSearchBackend(url, name)


def drop(backend: SearchBackend) -> None:
    """Remove an engine test index (and its versions) so nodes don't fill up."""
    destroy: Callable[[], None] | None = getattr(backend, "destroy", None)
    if destroy is not None:
        destroy()
    backend.close()


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_backend(backend_kind: str, tmp_path: Path) -> Iterator[Callable[[], SearchBackend]]:
    """A factory of empty backends of the parametrised kind (each its own index)."""
    made: list[SearchBackend] = []

    def make() -> SearchBackend:
        name = f"birlik-test-{uuid.uuid4().hex[:10]}"
        b = open_backend(backend_kind, tmp_path / name, name)
        made.append(b)
        return b

    yield make
    for b in made:
        drop(b)


@pytest.fixture
def backend(make_backend: Callable[[], SearchBackend]) -> SearchBackend:
    return make_backend()
