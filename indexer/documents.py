"""Record + cluster → the flat document every backend indexes, and highlighting back.

A document holds display values (for facets and sorting), ``*_key`` fields made by
``search_key`` (what queries match), facet fields and the record itself as JSON, so a hit
is rebuilt without a second look-up. Text processing happens here, once, in Python, so
every backend finds the same records for the same query.

Highlighting is done here too, on the display text: each word is keyed like the query and
marked when its key is one the query asked for. That gives the same ``<mark>``s on every
backend and in the record's own script, which an engine highlighting the ASCII keys cannot.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import html
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any, TypeVar

import orjson

from indexer.backends.base import IndexDoc
from indexer.query import text_key, word_key
from indexer.record import Record

KEY_FIELDS = ("title_key", "authors_key", "subjects_key", "notes_key", "ids_key")
"""Text fields matched by free text, in descending weight."""
FIELD_KEYS = {"title": "title_key", "author": "authors_key", "subject": "subjects_key"}
"""A reader's field prefix → the key field it searches."""
WEIGHTS = {
    "title_key": 10.0,
    "authors_key": 5.0,
    "subjects_key": 3.0,
    "notes_key": 1.0,
    "ids_key": 1.0,
}
HIGHLIGHT_FIELDS = ("title", "authors", "subjects")
_WORD = re.compile(r"\w+", re.UNICODE)
_CHUNK = 500
T = TypeVar("T")
_END = object()


def cluster_number(cluster_id: str) -> int:
    """A 63-bit hash of a cluster id: a cluster's place in a random order of clusters (SQLite
    places rows by it; the engines draw their count samples by it)."""
    return int.from_bytes(hashlib.blake2b(cluster_id.encode(), digest_size=8).digest()) >> 1


def sort_title(record: Record) -> str:
    """The title as sorted: its search key, so scripts interleave by sound, not by code point."""
    return text_key(record.title)[:200]


def to_document(doc: IndexDoc) -> dict[str, Any]:
    """The flat document for ``doc`` (JSON-ready: strings, numbers, lists, booleans).

    The hot path of every rebuild: keys are made word by word through the cached
    ``word_key`` and the record is serialised by orjson (several times faster than ``json``,
    same JSON text for these types)."""
    r = doc.record
    year = r.year
    title = text_key(r.title)
    more_titles = _keys(r.subtitle, r.volume, *r.alt_titles, *r.series)
    return {
        "id": r.id,
        "cluster_id": doc.cluster_id,
        "cluster_hash": cluster_number(doc.cluster_id),
        "preferred": doc.preferred,
        "library": r.source,
        "languages": list(r.languages),
        "type": r.type or None,
        "year": year,
        "decade": f"{year // 10 * 10}s" if year is not None else None,
        "subjects": list(dict.fromkeys(r.subjects)),
        "has_link": bool(r.links),
        "isbns": list(r.isbns),
        "title_sort": title[:200],
        "title_key": f"{title} {more_titles}" if title and more_titles else title or more_titles,
        "authors_key": _keys(*r.author_names, *r.alt_names, r.responsibility),
        "subjects_key": _keys(*r.subjects),
        "notes_key": _keys(*r.notes, r.publisher, r.place, r.edition),
        "ids_key": " ".join(
            [*r.isbns, *(i.replace("-", "") for i in r.issns), *([str(year)] if year else [])]
        ),
        "record": orjson.dumps(record_dict(r)).decode(),
        "raw_xml": r.raw_xml,
    }


def record_dict(r: Record) -> dict[str, Any]:
    """``r.to_dict(with_raw=False)`` without ``asdict``'s deep copy: the instance's own
    field dict, its names and links left as dataclasses (orjson writes them as objects, the
    same JSON as ``to_dict``). A third of the cost of building it field by field."""
    d = dict(vars(r))
    del d["raw_xml"]
    return d


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave the objects alive now out of the cyclic collector's passes until the block ends.

    Preparing a document allocates a dozen containers, so the collector runs every few dozen
    documents, and each of its older-generation passes walks every object the process holds,
    the records being indexed among them: with 100k records in memory that was 40% of
    ``to_document``'s time (37 against 21 us). ``gc.freeze`` moves what exists now to the
    permanent generation, where reference counting still frees it; ``gc.unfreeze`` hands it
    back. Nested or concurrent blocks are harmless: the first to end unfreezes for all."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _prepared(
    docs: Iterable[IndexDoc], prepare: Callable[[list[IndexDoc]], T], *, ahead: int = 4000
) -> Iterator[T]:
    """``prepare`` applied to chunks of ``docs`` in a background thread, results in order;
    an exception in preparation is raised here, in the consumer."""
    q: queue.Queue[Any] = queue.Queue(maxsize=max(1, ahead // _CHUNK))
    stop = threading.Event()

    def produce() -> None:
        try:
            it = iter(docs)
            while not stop.is_set():
                chunk = list(islice(it, _CHUNK))
                if not chunk:
                    break
                q.put(prepare(chunk))
            q.put(_END)
        except BaseException as e:
            q.put(e)

    worker = threading.Thread(target=produce, name="birlik-prepare", daemon=True)
    worker.start()
    try:
        while (item := q.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer finish
            with contextlib.suppress(queue.Empty):
                q.get_nowait()
            worker.join(0.01)


def to_json_documents(docs: Iterable[IndexDoc]) -> Iterator[tuple[str, bytes]]:
    """``(id, document as JSON)`` for ``docs``, both made in a background thread up to a few
    thousand documents ahead: a bulk request then only forwards the bytes.

    An engine's bulk request waits on a socket (one release of the GIL per request), so
    preparing meanwhile hides most of the preparation. (A process pool was measured for this
    on the two shared cores here: its pickling made preparation slower, 7 000 against 12 000
    documents/s, so it is not used.)"""
    with frozen_heap():
        for chunk in _prepared(docs, _json_chunk):
            yield from chunk


def _json_chunk(docs: list[IndexDoc]) -> list[tuple[str, bytes]]:
    return [(d.record.id, orjson.dumps(to_document(d))) for d in docs]


def from_document(source: dict[str, Any], *, with_raw: bool = False) -> Record:
    """The record stored in a document (``raw_xml`` only when asked: it can be large)."""
    d = orjson.loads(source["record"])
    if with_raw:
        d["raw_xml"] = source.get("raw_xml") or ""
    return Record.from_dict(d)


def _keys(*texts: str) -> str:
    """``text_key`` of the texts joined by spaces, in one pass over their words."""
    return " ".join(filter(None, map(word_key, " ".join(filter(None, texts)).split())))


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> frozenset[str]:
    """The search tokens of one displayed word (highlighting tests every word of every hit)."""
    return frozenset(word_key(word).split())


def highlight_text(text: str, tokens: frozenset[str]) -> str | None:
    """``text`` HTML-escaped with matching words in ``<mark>``; None when nothing matches."""
    if not tokens or not text:
        return None
    out: list[str] = []
    pos = 0
    hit = False
    for m in _WORD.finditer(text):
        if not tokens.isdisjoint(_word_tokens(m.group())):
            out.append(html.escape(text[pos : m.start()]))
            out.append(f"<mark>{html.escape(m.group())}</mark>")
            pos = m.end()
            hit = True
    if not hit:
        return None
    out.append(html.escape(text[pos:]))
    return "".join(out)


def highlights(record: Record, tokens: frozenset[str]) -> dict[str, str]:
    """Highlighted display fields of ``record`` for the query ``tokens``."""
    out: dict[str, str] = {}
    values = {
        "title": " : ".join(t for t in (record.title, record.subtitle) if t),
        "authors": "; ".join(record.author_names),
        "subjects": "; ".join(record.subjects),
    }
    for name in HIGHLIGHT_FIELDS:
        marked = highlight_text(values[name], tokens)
        if marked is not None:
            out[name] = marked
    return out


__all__ = [
    "FIELD_KEYS",
    "HIGHLIGHT_FIELDS",
    "KEY_FIELDS",
    "WEIGHTS",
    "from_document",
    "frozen_heap",
    "highlight_text",
    "highlights",
    "sort_title",
    "to_document",
    "to_json_documents",
]
