"""Engine bulk writes: a document the engine rejects is sent once more, then reported by id,
while the good documents of the same batch are written (documents travel as JSON bytes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from indexer.backends.elasticbase import ElasticBackend
from indexer.documents import to_document
from indexer.errors import BackendError
from tests.support.backends import drop, open_backend
from tests.support.records import generated


@pytest.fixture(params=("elasticsearch", "opensearch"))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ElasticBackend]:
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    b = open_backend(str(request.param), tmp_path, name)
    assert isinstance(b, ElasticBackend)
    b.ping()
    yield b
    drop(b)


def test_a_rejected_document_is_retried_then_named(
    engine: ElasticBackend, caplog: pytest.LogCaptureFixture
) -> None:
    docs = [to_document(d) for d in generated(5)]
    docs[2] = {**docs[2], "year": "not a year"}  # the strict mapping refuses it
    actions = [
        {"_op_type": "index", "_index": engine.alias, "_id": d["id"], "_source": orjson.dumps(d)}
        for d in docs
    ]
    with pytest.raises(BackendError, match=f"1 documents could not be written \\({docs[2]['id']}"):
        engine._bulk(actions)
    assert "retrying them once" in caplog.text
    engine.refresh()
    assert engine.count() == 4
