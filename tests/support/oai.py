"""OAI-PMH providers on 127.0.0.1 for harvester tests: the independent implementation.

The independent provider is the PyPI package ``oaipmh`` (4.x): its ``Server`` writes the
envelopes, resumption tokens and errors; ``MemoryRepo`` below only holds the records.
Each provider sits behind the fault middleware of ``tests.support.oai_faults``.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import Server, oai_dc_writer

from tests.support.oai_faults import Faulty, Served, serve_wsgi

__all__ = ["Faulty", "Served", "serve_wsgi"]

MARC_NS = "http://www.loc.gov/MARC21/slim"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
DAY = "YYYY-MM-DD"

# -- an in-memory repository behind oaipmh's server -------------------------------------


@dataclass
class Item:
    identifier: str
    datestamp: datetime  # naive UTC, as oaipmh wants
    sets: tuple[str, ...] = ()
    deleted: bool = False
    title: str = ""


def marcxml(identifier: str, title: str) -> str:
    """A small MARCXML record (what the provider sends as ``marc21``)."""
    t = html.escape(title)
    return (
        f'<record xmlns="{MARC_NS}"><leader>00000nam a2200000 i 4500</leader>'
        f'<controlfield tag="001">{html.escape(identifier)}</controlfield>'
        f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{t}</subfield></datafield>'
        "</record>"
    )


class MemoryRepo:
    """Records for ``oaipmh.server.Server`` (its IOAI interface), changeable during a test."""

    def __init__(
        self,
        items: Iterable[Item] = (),
        *,
        granularity: str = SECONDS,
        sets: Iterable[str] = (),
        deleted_record: str = "persistent",
    ) -> None:
        self.items: dict[str, Item] = {i.identifier: i for i in items}
        self.deleted_record = deleted_record
        self.granularity = granularity
        self.set_specs = list(sets)
        self.lock = threading.Lock()

    def put(self, item: Item) -> None:
        with self.lock:
            self.items[item.identifier] = item

    def delete(self, identifier: str, when: datetime) -> None:
        with self.lock:
            old = self.items[identifier]
            self.items[identifier] = Item(identifier, when, old.sets, deleted=True)

    # IOAI
    def identify(self) -> common.Identify:
        earliest = min((i.datestamp for i in self.items.values()), default=datetime(2000, 1, 1))
        return common.Identify(
            repositoryName="oaipmh test repository",
            baseURL="http://127.0.0.1/oai",
            protocolVersion="2.0",
            adminEmails=["admin@127.0.0.1"],
            earliestDatestamp=earliest,
            deletedRecord=self.deleted_record,
            granularity=self.granularity,
            compression=["identity"],
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [
            ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
            ("marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
        ]

    def listSets(self) -> list[tuple[str, str, None]]:
        if not self.set_specs:
            raise error.NoSetHierarchyError("This repository has no sets")
        return [(s, s.title(), None) for s in self.set_specs]

    def _select(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Item]:
        if metadataPrefix not in ("oai_dc", "marc21"):
            raise error.CannotDisseminateFormatError(metadataPrefix)
        with self.lock:
            items = sorted(self.items.values(), key=lambda i: (i.datestamp, i.identifier))
        return [
            i
            for i in items
            if (set is None or set in i.sets)
            and (from_ is None or i.datestamp >= from_)
            and (until is None or i.datestamp <= until)
        ]

    def _record(self, item: Item, prefix: str) -> tuple[Any, Any, None]:
        header = common.Header(None, item.identifier, item.datestamp, list(item.sets), item.deleted)
        if item.deleted:
            return header, None, None
        if prefix == "oai_dc":
            meta = common.Metadata(None, {"title": [item.title], "identifier": [item.identifier]})
        else:
            meta = common.Metadata(None, {"xml": marcxml(item.identifier, item.title)})
        return header, meta, None

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Any]:
        return [
            self._record(i, metadataPrefix) for i in self._select(metadataPrefix, set, from_, until)
        ]

    def listIdentifiers(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
    ) -> list:
        return [
            self._record(i, metadataPrefix)[0]
            for i in self._select(metadataPrefix, set, from_, until)
        ]

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[Any, Any, None]:
        if identifier not in self.items:
            raise error.IdDoesNotExistError(identifier)
        return self._record(self.items[identifier], metadataPrefix)


def _marc_writer(element: etree._Element, metadata: common.Metadata) -> None:
    element.append(etree.fromstring(metadata.getMap()["xml"]))


def oaipmh_app(repo: MemoryRepo, page_size: int = 10) -> Callable[..., Iterable[bytes]]:
    """The ``oaipmh`` package's server as a WSGI app."""
    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    registry.registerWriter("marc21", _marc_writer)
    server = Server(repo, registry, resumption_batch_size=page_size)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            query = environ["wsgi.input"].read(length).decode()
        kw = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        body = server.handleRequest(kw)
        start_response(
            "200 OK",
            [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


def make_items(
    n: int,
    *,
    start: datetime = datetime(2024, 1, 1),
    sets: Iterable[str] = (),
    deleted_every: int = 0,
) -> list[Item]:
    """``n`` items a minute apart, in Kazakh, Azerbaijani and Russian titles."""
    titles = ("Абай жолы", "Köroğlu dastanı", "Война и мир", "Қан мен тер", "Əli və Nino")
    spec = tuple(sets)
    out = []
    for k in range(n):
        ident = f"oai:test.kz:{k:06d}"
        when = start + timedelta(minutes=k)
        deleted = bool(deleted_every) and k % deleted_every == deleted_every - 1
        out.append(Item(ident, when, spec, deleted, f"{titles[k % len(titles)]} {k}"))
    return out


# -- fixtures ---------------------------------------------------------------------------------


@dataclass
class Provider:
    """A running provider: its records (``repo``), the middleware, the server."""

    repo: MemoryRepo
    faulty: Faulty
    served: Served

    @property
    def url(self) -> str:
        return self.served.url


def start_provider(
    items: Iterable[Item],
    *,
    page_size: int = 10,
    granularity: str = SECONDS,
    sets: Iterable[str] = (),
    delay: float = 0.0,
    deleted_record: str = "persistent",
) -> Provider:
    repo = MemoryRepo(items, granularity=granularity, sets=sets, deleted_record=deleted_record)
    faulty = Faulty(oaipmh_app(repo, page_size), delay=delay)
    return Provider(repo, faulty, serve_wsgi(faulty))


@pytest.fixture
def oai_provider() -> Iterator[Callable[..., Provider]]:
    """A factory of oaipmh-package providers on 127.0.0.1, all shut down after the test."""
    started: list[Provider] = []

    def factory(items: Iterable[Item] = (), **kw: Any) -> Provider:
        p = start_provider(items, **kw)
        started.append(p)
        return p

    yield factory
    for p in started:
        p.served.shutdown()


# -- configuration and store checks -----------------------------------------------------------


def write_config(
    tmp_path: Any,
    sources: dict[str, str],
    *,
    prefix: str = "marc21",
    sets: Iterable[str] = (),
    max_retries: int = 3,
    timeout: float = 5,
) -> Any:
    """A config file under ``tmp_path`` harvesting ``sources`` (key → URL); returns its path."""
    lines = ['data_dir = "data"']
    set_list = ", ".join(f'"{s}"' for s in sets)
    for key, url in sources.items():
        lines += [
            "[[sources]]",
            f'key = "{key}"',
            f'url = "{url}"',
            f'metadata_prefix = "{prefix}"',
            f"sets = [{set_list}]",
            f"max_retries = {max_retries}",
            f"timeout = {timeout}",
        ]
    path = tmp_path / "birlik.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(db: Any, source: str, prefix: str = "marc21") -> dict[str, tuple[str, bool]]:
    """identifier → (datestamp, deleted) of what the raw store holds for ``source``."""
    rows = db.conn.execute(
        "SELECT identifier, datestamp, deleted FROM raw_records WHERE source=? AND prefix=?",
        (source, prefix),
    ).fetchall()
    return {r[0]: (r[1], bool(r[2])) for r in rows}
