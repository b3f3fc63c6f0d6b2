"""The OAI-PMH client against real captures and a real provider on 127.0.0.1."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harvester.client import OAIClient, Page, parse_page, strip_forbidden
from harvester.errors import (
    BadResumptionToken,
    BadXMLError,
    CannotDisseminateFormat,
    NoSetHierarchy,
    NotOAIError,
    OAIError,
    TransportError,
    UnknownOAIError,
)
from harvester.retry import Backoff
from harvester.windows import SECONDS
from tests.support.oai import Provider, Served, make_items, serve_wsgi

REAL = Path(__file__).parent / "fixtures" / "realdata"
FAST = Backoff(base=0.001, cap=0.005, retry_after_cap=0.01)


def client(url: str, **kw: Any) -> OAIClient:
    kw.setdefault("backoff", FAST)
    kw.setdefault("max_retries", 3)
    kw.setdefault("timeout", 5)
    return OAIClient("test", url, **kw)


@pytest.fixture
def capture_server() -> Iterator[Callable[[str], Served]]:
    """Serves one file of tests/fixtures/realdata for any request."""
    started: list[Served] = []

    def serve(name: str) -> Served:
        body = (REAL / name).read_bytes()

        def app(environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [body]

        s = serve_wsgi(app)
        started.append(s)
        return s

    yield serve
    for s in started:
        s.shutdown()


def page_of(name: str) -> Page:
    root = etree.parse(str(REAL / name)).getroot()
    return parse_page(root, "http://test/oai", "test", "oai_dc")


# -- real captures ----------------------------------------------------------------------------


def test_dspace_capture_parses_with_deletions() -> None:
    page = page_of("pyoai_dspace-eur_ListRecords_from2004_deleted.xml")
    assert len(page.records) == 81
    deleted = [r for r in page.records if r.deleted]
    assert len(deleted) == 2 and all(r.xml is None for r in deleted)
    live = [r for r in page.records if not r.deleted]
    assert all(r.xml and r.xml.startswith("<oai_dc:dc") for r in live)
    assert all(etree.fromstring(r.xml) is not None for r in live)  # each is standalone XML
    assert page.token is None and page.skipped == []
    assert len({r.identifier for r in page.records}) == 81


def test_sickle_capture_token_and_list_size() -> None:
    page = page_of("sickle_ListRecords.xml")
    assert page.token == "ListRecords2.xml"
    assert (page.complete_list_size, page.cursor) == (8, 0)
    assert page.response_date
    assert [r.deleted for r in page.records].count(True) == 1


def test_malformed_header_is_skipped_with_reason() -> None:
    page = page_of("sickle_ListRecords4.xml")
    assert len(page.records) == 1
    assert page.records[0].identifier == "oai:test.example.com:1585322"
    assert len(page.skipped) == 1 and "without identifier" in page.skipped[0]


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("sickle_badResumptionToken.xml", BadResumptionToken, "badResumptionToken"),
        ("sickle_undefinedError.xml", UnknownOAIError, "undefinedError"),
    ],
)
def test_captured_errors_raise_their_class(
    capture_server: Callable[[str], Served], name: str, error: type[OAIError], code: str
) -> None:
    s = capture_server(name)
    with pytest.raises(error) as info:
        client(s.url).resume("x", "oai_dc")
    assert info.value.code == code
    assert info.value.source == "test" and "resumptionToken=x" in info.value.url
    assert "source 'test'" in str(info.value) and s.url in str(info.value)


def test_captured_no_records_match_is_an_empty_page(
    capture_server: Callable[[str], Served],
) -> None:
    page = client(capture_server("sickle_noRecordsMatch.xml").url).list_records("oai_dc")
    assert page.records == [] and page.token is None


def test_captured_identify(capture_server: Callable[[str], Served]) -> None:
    ident = client(capture_server("pyoai_dspace-eur_Identify.xml").url).identify()
    assert ident.granularity == SECONDS
    assert ident.earliest_datestamp == "2001-01-01T00:00:00Z"
    assert ident.deleted_record == "no"
    assert ident.repository_name.startswith("Erasmus")


def test_captured_list_sets(capture_server: Callable[[str], Served]) -> None:
    specs = client(capture_server("sickle_ListSets.xml").url).set_specs()
    assert len(specs) == 131 and "bookEditor" in specs


# -- a live provider --------------------------------------------------------------------------


def test_verbs_against_oaipmh_server(oai_provider: Callable[..., Provider]) -> None:
    p = oai_provider(make_items(25, sets=["books"]), page_size=10, sets=["books", "maps"])
    c = client(p.url)
    assert c.identify().granularity == SECONDS
    assert c.metadata_prefixes() == ["oai_dc", "marc21"]
    c.check_prefix("marc21")
    c.check_sets(["books"])
    page = c.list_records("marc21", set_spec="books", from_="2024-01-01T00:05:00Z")
    assert [r.identifier for r in page.records][:2] == ["oai:test.kz:000005", "oai:test.kz:000006"]
    assert page.records[0].set_specs == ("books",)
    assert "<subfield" in (page.records[0].xml or "")
    assert page.token
    rest = c.resume(page.token, "marc21")
    assert len(page.records) + len(rest.records) == 20 and rest.token is None
    assert p.faulty.requests()[0]["from"] == "2024-01-01T00:05:00Z"


def test_unoffered_prefix_and_set_are_named(oai_provider: Callable[..., Provider]) -> None:
    p = oai_provider(make_items(3), sets=["books"])
    c = client(p.url)
    with pytest.raises(CannotDisseminateFormat, match=r"'unimarc' is not offered.*marc21"):
        c.check_prefix("unimarc")
    with pytest.raises(NoSetHierarchy, match="maps"):
        c.check_sets(["books", "maps"])


def test_retries_then_succeeds(oai_provider: Callable[..., Provider]) -> None:
    p = oai_provider(make_items(3))
    for kind in ("503", "503-date", "500", "html", "truncate", "reset"):
        p.faulty.add(kind, when=lambda q: q.get("verb") == "Identify")
    c = client(p.url, max_retries=6)
    assert c.identify().granularity == SECONDS
    assert c.requests == 7
    assert p.faulty.fired == ["503", "503-date", "500", "html", "truncate", "reset"]


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("503", TransportError, "HTTP 503"),
        ("html", NotOAIError, r"HTML page, not OAI-PMH \(502 Proxy Error\)"),
        ("truncate", BadXMLError, "XML does not parse"),
        # a reset may arrive before the client read the headers: either message is right
        ("reset", TransportError, "cut off mid-transfer|connection failed"),
    ],
)
def test_gives_up_naming_source_and_url(
    oai_provider: Callable[..., Provider], kind: str, error: type[Exception], message: str
) -> None:
    p = oai_provider(make_items(3))
    p.faulty.add(kind, when=lambda q: True, times=10)
    with pytest.raises(error) as info:
        client(p.url, max_retries=2).identify()
    text = str(info.value)
    assert re.search(message, text) and "source 'test'" in text and "verb=Identify" in text
    assert "after 3 attempts" in text


def test_forbidden_characters_are_stripped(oai_provider: Callable[..., Provider]) -> None:
    p = oai_provider(make_items(3), page_size=10)
    clean = client(p.url).list_records("marc21")
    p.faulty.add("badchars", when=lambda q: q.get("verb") == "ListRecords")
    dirty = client(p.url).list_records("marc21")
    assert p.faulty.fired == ["badchars"]
    assert [r.xml for r in dirty.records] == [r.xml for r in clean.records]


def test_strip_forbidden() -> None:
    assert strip_forbidden(b"<a>x\x00\x0b&#x1;&#31;&#xFFFE;y\t\n&#x9;&#65;</a>") == (
        b"<a>xy\t\n&#x9;&#65;</a>"
    )
    assert strip_forbidden("<a>Қазақ əlifbası</a>".encode()) == "<a>Қазақ əlifbası</a>".encode()


def test_not_xml_at_all(capture_server: Callable[[str], Served], tmp_path: Path) -> None:
    def app(environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"Service temporarily unavailable"]

    s = serve_wsgi(app)
    try:
        with pytest.raises(NotOAIError, match="not XML"):
            client(s.url, max_retries=0).identify()
    finally:
        s.shutdown()


def test_delay_spaces_requests(oai_provider: Callable[..., Provider]) -> None:
    import time

    p = oai_provider(make_items(3))
    c = client(p.url, delay=0.05)
    t0 = time.monotonic()
    for _ in range(3):
        c.identify()
    assert time.monotonic() - t0 >= 0.1


def test_stop_interrupts_a_wait(oai_provider: Callable[..., Provider]) -> None:
    from harvester.client import Interrupted

    p = oai_provider(make_items(3))
    p.faulty.add("503", when=lambda q: True, retry_after="30")
    stop = threading.Event()
    c = client(p.url, backoff=Backoff(retry_after_cap=30), stop=stop)
    threading.Timer(0.05, stop.set).start()
    with pytest.raises(Interrupted):
        c.identify()


def test_empty_final_token_ends_the_list() -> None:
    body = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b"<responseDate>2024-01-01T00:00:00Z</responseDate><ListRecords><record><header>"
        b"<identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp></header>"
        b'<metadata><!-- a comment first --><r xmlns="urn:x">1</r></metadata></record>'
        b'<resumptionToken completeListSize="11" cursor="10">  </resumptionToken>'
        b"</ListRecords></OAI-PMH>"
    )
    page = parse_page(etree.fromstring(body), "u", "test", "marc21")
    assert page.token is None and (page.complete_list_size, page.cursor) == (11, 10)
    assert page.records[0].xml == '<r xmlns="urn:x">1</r>'
