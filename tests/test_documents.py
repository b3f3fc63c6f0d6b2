"""Flat documents: the background preparation gives the documents ``to_document`` gives, in
order, and a failure in it reaches the consumer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import orjson
import pytest

from indexer.backends.base import IndexDoc
from indexer.documents import from_document, frozen_heap, to_document, to_json_documents
from tests.support.records import catalogue, generated


def test_json_documents_are_the_documents_in_order() -> None:
    docs = [*catalogue(), *generated(1200)]
    got = list(to_json_documents(docs))
    assert [i for i, _ in got] == [d.record.id for d in docs]
    assert [orjson.loads(b) for _, b in got] == [to_document(d) for d in docs]


def test_the_record_comes_back_from_its_document() -> None:
    for d in catalogue():
        assert from_document(to_document(d), with_raw=True) == d.record


def test_a_failure_in_preparation_is_raised_to_the_consumer() -> None:
    def docs() -> Iterator[IndexDoc]:
        yield from generated(700)
        raise ValueError("record 701 is broken")

    with pytest.raises(ValueError, match="701"):
        list(to_json_documents(docs()))


def test_bulk_preparation_gives_the_heap_back_to_the_collector() -> None:
    """``frozen_heap`` keeps the collector off what exists while documents are made, and
    unfreezes when the writing ends, by success or by failure."""
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    list(to_json_documents(generated(10)))
    assert gc.get_freeze_count() == 0

    def broken() -> Iterator[IndexDoc]:
        yield from generated(3)
        raise ValueError("record 4 is broken")

    with pytest.raises(ValueError, match="record 4"):
        list(to_json_documents(broken()))
    assert gc.get_freeze_count() == 0
