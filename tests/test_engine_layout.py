"""An Elasticsearch/OpenSearch index left by an older Birlik (mappings without this layout's
``_meta.birlik_layout``) is refused with ``StaleIndexError`` and rebuilt by the next index run.

The SQLite twins: ``test_sqlite_index_of_an_older_layout_asks_for_a_rebuild``
(test_backend_contract.py) and ``test_an_index_of_an_older_layout_is_rebuilt``
(test_pipeline.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from harvester.config import load_config
from harvester.provider.loader import read_items
from harvester.store import RawRecord, StateDB
from indexer.backends import elastic_query as eq
from indexer.backends.base import SearchQuery
from indexer.backends.elasticbase import ElasticBackend
from indexer.errors import StaleIndexError
from indexer.pipeline import run_index
from tests.support.backends import drop, open_backend
from tests.support.samples import sample_dir

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 40
ENGINES = ("elasticsearch", "opensearch")


def _open(kind: str, tmp_path: Path, name: str) -> ElasticBackend:
    backend = open_backend(kind, tmp_path, name)
    assert isinstance(backend, ElasticBackend)
    return backend


def _older_index(client: Any, name: str, docs: Sequence[dict[str, Any]] = ()) -> str:
    """Make ``<name>-v1`` the only index behind the alias ``<name>``, as a Birlik before
    layouts left it: this layout's mappings without ``_meta``, holding ``docs``. Whatever
    the alias pointed at before is deleted. No template may match the name yet."""
    index = f"{name}-v1"
    mappings = {k: v for k, v in eq.MAPPINGS.items() if k != "_meta"}
    client.indices.create(index=index, body={"settings": eq.SETTINGS, "mappings": mappings})
    if docs:
        lines: list[dict[str, Any]] = []
        for d in docs:
            lines += [{"index": {"_index": index, "_id": d["id"]}}, d]
        assert not client.bulk(body=lines, refresh=True)["errors"]
    old = (
        list(client.indices.get_alias(name=name)) if client.indices.exists_alias(name=name) else []
    )
    actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": name}} for o in old]
    actions.append({"add": {"index": index, "alias": name}})
    client.indices.update_aliases(body={"actions": actions})
    for o in old:
        client.indices.delete(index=o)
    return index


def _raw_records() -> list[RawRecord]:
    """The first records of the ANL sample collection, as a harvest stores them."""
    items = islice(read_items(sample_dir("anl") / "records" / "part-0001.xml"), RECORDS)
    return [
        RawRecord("anl", i.identifier, "marc21", i.datestamp, xml=i.metadata["marc21"])
        for i in items
    ]


@pytest.mark.engine
@pytest.mark.parametrize("kind", ENGINES)
def test_an_engine_index_of_an_older_layout_asks_for_a_rebuild(kind: str, tmp_path: Path) -> None:
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    backend = _open(kind, tmp_path, name)
    try:
        index = _older_index(backend.client, name)
        message = rf"index {index} has layout None, this Birlik needs {eq.LAYOUT}: rebuild it"
        with pytest.raises(StaleIndexError, match=message):
            backend.count()
        with pytest.raises(StaleIndexError, match=message):
            backend.search(SearchQuery(q="kitab"))
        with pytest.raises(StaleIndexError, match=message):
            backend.add([])
        assert backend.rebuild(()) == 0 and backend.count() == 0
    finally:
        drop(backend)


@pytest.mark.engine
@pytest.mark.parametrize("kind", ENGINES)
def test_the_next_index_run_rebuilds_an_engine_index_of_an_older_layout(
    kind: str, tmp_path: Path
) -> None:
    """The state database is up to date and the index holds every record: only its layout
    calls for the full pass."""
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    config = replace(load_config(ROOT / "config" / "demo.toml"), data_dir=tmp_path / "data")
    first = _open(kind, tmp_path, name)
    backend: ElasticBackend | None = None
    try:
        with StateDB(config.state_db) as db:
            db.store_page(_raw_records())
            assert run_index(config, db, backend=first).indexed == RECORDS
            assert not run_index(config, db, backend=first).full
            client = first.client
            hits = client.search(index=name, body={"size": 1000})["hits"]["hits"]
            client.indices.delete_index_template(name=f"{name}-template")  # an older Birlik's
            index = _older_index(client, name, [h["_source"] for h in hits])
            assert client.count(index=name)["count"] == RECORDS
            first.close()
            backend = _open(kind, tmp_path, name)  # this Birlik, after the upgrade
            summary = run_index(config, db, backend=backend)
        assert summary.full and summary.indexed == RECORDS
        assert backend.count() == RECORDS
        versions = backend._versions()
        assert len(versions) == 1 and versions != [index]
        found = backend.search(SearchQuery(q="Azərbaycan dastanları", facets=False, size=50))
        assert "anl:oai:anl.az:105500" in {h.record.id for h in found.hits}
    finally:
        drop(backend or first)
