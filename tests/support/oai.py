"""OAI-PMH providers on 127.0.0.1 for harvester tests, and faults injected in front of them.

The independent provider is the PyPI package ``oaipmh`` (4.x): its ``Server`` writes the
envelopes, resumption tokens and errors; ``MemoryRepo`` below only holds the records.
``Faulty`` is a WSGI middleware between the real client and the real provider: it logs
every request and can answer 503s, HTML pages, expired tokens, or damage the real page
(cut it, reset the connection mid-body, insert forbidden characters, repeat the token).
"""

from __future__ import annotations

import html
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formatdate
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import Server, oai_dc_writer

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
        self, items: Iterable[Item] = (), *, granularity: str = SECONDS, sets: Iterable[str] = ()
    ) -> None:
        self.items: dict[str, Item] = {i.identifier: i for i in items}
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
            deletedRecord="persistent",
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


# -- serving over HTTP on 127.0.0.1 -----------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def get_environ(self) -> dict[str, Any]:
        env = super().get_environ()
        env["birlik.test.socket"] = self.connection
        return env


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # faults break connections on purpose


@dataclass
class Served:
    url: str
    port: int
    httpd: WSGIServer
    thread: threading.Thread

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve_wsgi(app: Callable[..., Iterable[bytes]]) -> Served:
    httpd = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    port = httpd.server_address[1]
    return Served(f"http://127.0.0.1:{port}/oai", port, httpd, thread)


# -- faults ---------------------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Proxy Error</title></head>"
    b"<body><h1>Proxy Error</h1><p>The proxy server received an invalid response."
    b"</p></body></html>"
)


def resuming(params: dict[str, str]) -> bool:
    return "resumptionToken" in params and params.get("verb") == "ListRecords"


def listing(params: dict[str, str]) -> bool:
    return params.get("verb") == "ListRecords"


@dataclass
class Fault:
    kind: str
    when: Callable[[dict[str, str]], bool] = resuming
    times: int = 1
    skip: int = 0  # matching requests to let through first
    retry_after: str = "0"


@dataclass
class Faulty:
    """WSGI middleware: logs requests (``params``) and injects the queued faults."""

    app: Callable[..., Iterable[bytes]]
    delay: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    params: list[dict[str, str]] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, **kw: Any) -> Faulty:
        self.faults.append(Fault(kind, **kw))
        return self

    def _take(self, params: dict[str, str]) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and f.when(params):
                    if f.skip > 0:
                        f.skip -= 1
                        continue
                    f.times -= 1
                    self.fired.append(f.kind)
                    return f
        return None

    def requests(self, verb: str = "ListRecords") -> list[dict[str, str]]:
        return [p for p in self.params if p.get("verb") == verb]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        with self.lock:
            self.params.append(params)
        if self.delay:
            time.sleep(self.delay)
        fault = self._take(params)
        if fault is None:
            return self.app(environ, start_response)
        k = fault.kind
        if k in ("503", "503-date", "500"):
            headers = [("Content-Type", "text/plain")]
            if k == "503":
                headers.append(("Retry-After", fault.retry_after))
            elif k == "503-date":
                headers.append(("Retry-After", formatdate(time.time() + 30, usegmt=True)))
            start_response("503 Service Unavailable" if k != "500" else "500 Oops", headers)
            return [b"busy"]
        if k == "html":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [HTML_PAGE]
        if k == "expired":
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns='
                b'"http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z'
                b'</responseDate><request verb="ListRecords">http://127.0.0.1/oai</request>'
                b'<error code="badResumptionToken">The token has expired</error></OAI-PMH>'
            )
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [body]
        status, headers, body = _call(self.app, environ)
        if k == "truncate":
            body = body[: len(body) * 6 // 10]
        elif k == "badchars":
            at = body.find(b"</", body.find(b"<metadata"))
            body = body[:at] + b"\x01\x0b&#x8;&#1;\x1f" + body[at:]
        elif k == "repeat":
            token = html.escape(params.get("resumptionToken", "")).encode()
            body = re.sub(
                rb"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)",
                rb"\g<1>" + token + rb"\g<2>",
                body,
            )
        elif k == "reset":
            return _reset(environ, start_response, status, body)
        headers = [(h, v) for h, v in headers if h.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> tuple[str, list, bytes]:
    got: dict[str, Any] = {}

    def start(status: str, headers: list, exc_info: Any = None) -> None:
        got["status"], got["headers"] = status, headers

    body = b"".join(app(environ, start))
    return got["status"], got["headers"], body


def _reset(
    environ: dict[str, Any], start_response: Callable[..., Any], status: str, body: bytes
) -> Iterator[bytes]:
    """Announce the whole body, send half of it, then reset the TCP connection."""
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    yield body[: len(body) // 2]
    sock: socket.socket = environ["birlik.test.socket"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


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
) -> Provider:
    repo = MemoryRepo(items, granularity=granularity, sets=sets)
    faulty = Faulty(oaipmh_app(repo, page_size), delay=delay)
    return Provider(repo, faulty, serve_wsgi(faulty))


class Target:
    """A provider under test (either implementation) with the record set it holds."""

    kind = ""
    url: str
    faulty: Faulty

    def put(self, item: Item) -> None:
        raise NotImplementedError

    def delete(self, identifier: str, when: datetime) -> None:
        raise NotImplementedError

    def expected(self) -> dict[str, tuple[str, bool]]:
        """identifier → (datestamp, deleted): what a complete harvest must hold."""
        raise NotImplementedError

    def title(self, identifier: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class OaipmhTarget(Target):
    """The PyPI ``oaipmh`` package's server (the independent implementation)."""

    kind = "oaipmh"

    def __init__(self, provider: Provider) -> None:
        self.provider, self.url, self.faulty = provider, provider.url, provider.faulty

    def put(self, item: Item) -> None:
        self.provider.repo.put(item)

    def delete(self, identifier: str, when: datetime) -> None:
        self.provider.repo.delete(identifier, when)

    def expected(self) -> dict[str, tuple[str, bool]]:
        return {
            i.identifier: (_stamp(i.datestamp), i.deleted)
            for i in self.provider.repo.items.values()
        }

    def title(self, identifier: str) -> str:
        return self.provider.repo.items[identifier].title

    def close(self) -> None:
        self.provider.served.shutdown()


class BirlikTarget(Target):
    """Birlik's own provider (``harvester.provider``) behind the same fault middleware."""

    kind = "birlik"

    def __init__(
        self,
        items: Iterable[Item],
        *,
        page_size: int,
        granularity: str,
        sets: Iterable[str],
        delay: float,
        db_path: Any,
    ) -> None:
        from harvester.provider import Collection, Repository, make_app

        repo = Repository(
            granularity="day" if granularity == DAY else "seconds",
            sets=tuple((s, s.title()) for s in sets),
            identifier_prefix="oai:test.kz:",
        )
        self.collection = Collection(repo, db_path)
        self.day = granularity == DAY
        self.titles: dict[str, str] = {}
        self.truth: dict[str, tuple[str, bool]] = {}
        for item in items:
            self.put(item)
        self.faulty = Faulty(make_app(self.collection, page_size=page_size), delay=delay)
        self.served = serve_wsgi(self.faulty)
        self.url = self.served.url

    def put(self, item: Item) -> None:
        if item.deleted:
            md: dict[str, str] = {}
        else:
            md = {
                "marc21": marcxml(item.identifier, item.title),
                "oai_dc": (
                    f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc='
                    f'"http://purl.org/dc/elements/1.1/"><dc:title>'
                    f"{html.escape(item.title)}</dc:title></oai_dc:dc>"
                ),
            }
        stamp = self.collection.put(
            item.identifier, md, _stamp(item.datestamp), item.sets, deleted=item.deleted
        )
        self.titles[item.identifier] = item.title
        self.truth[item.identifier] = (stamp, item.deleted)

    def delete(self, identifier: str, when: datetime) -> None:
        stamp = self.collection.delete(identifier, _stamp(when))
        self.truth[identifier] = (stamp, True)

    def expected(self) -> dict[str, tuple[str, bool]]:
        if self.day:  # a day-granularity repository shows only the date
            return {k: (stamp[:10], gone) for k, (stamp, gone) in self.truth.items()}
        return dict(self.truth)

    def title(self, identifier: str) -> str:
        return self.titles[identifier]

    def close(self) -> None:
        self.served.shutdown()
        self.collection.close()


TargetFactory = Callable[..., Target]


@pytest.fixture(params=["oaipmh", "birlik"])
def target(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[TargetFactory]:
    """A factory of providers of one implementation (parametrised over both), each with the
    fault middleware in front: ``target(items, page_size=…, granularity=…, sets=…)``."""
    started: list[Target] = []

    def factory(
        items: Iterable[Item] = (),
        *,
        page_size: int = 10,
        granularity: str = SECONDS,
        sets: Iterable[str] = (),
        delay: float = 0.0,
    ) -> Target:
        t: Target
        if request.param == "oaipmh":
            t = OaipmhTarget(
                start_provider(
                    items, page_size=page_size, granularity=granularity, sets=sets, delay=delay
                )
            )
        else:
            t = BirlikTarget(
                items,
                page_size=page_size,
                granularity=granularity,
                sets=sets,
                delay=delay,
                db_path=tmp_path / f"provider-{len(started)}.sqlite3",
            )
        started.append(t)
        return t

    yield factory
    for t in started:
        t.close()


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


def assert_store_exact(
    db: Any,
    source: str,
    target: Target,
    prefix: str = "marc21",
    only: Callable[[str], bool] | None = None,
) -> None:
    """The raw store holds exactly the provider's records, with the right XML."""
    expected = target.expected()
    if only is not None:
        expected = {k: v for k, v in expected.items() if only(k)}
    assert stored(db, source, prefix) == expected
    for ident, (_, deleted) in expected.items():
        rec = db.get(source, ident, prefix)
        if deleted:
            assert rec.record.xml is None
        else:
            assert html.escape(target.title(ident)) in rec.record.xml
            etree.fromstring(rec.record.xml)
