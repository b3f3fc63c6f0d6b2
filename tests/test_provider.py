"""The OAI-PMH provider over real HTTP on 127.0.0.1: every verb, every error, paging.

There is no network for the OAI-PMH XSD, so ``check_envelope`` asserts the schema's
structure with XPath: root, namespaces, schemaLocation, responseDate, request echo, and
exactly one verb element or error. sickle, an independent client, cross-checks a list.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from lxml import etree
from sickle import Sickle

from tests.support.provider import sample_items, write_collection

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI, "m": "http://www.loc.gov/MARC21/slim", "id": f"{OAI}oai-identifier"}
XSI_LOC = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
SECONDS_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
ERROR_CODES = {
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
}


def check_envelope(doc: etree._Element, url: str) -> etree._Element:
    """Assert the OAI-PMH envelope; returns the verb element or the first error."""
    assert doc.tag == f"{{{OAI}}}OAI-PMH"
    assert doc.get(XSI_LOC) == f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    children = list(doc)
    assert [etree.QName(c).localname for c in children[:2]] == ["responseDate", "request"]
    assert SECONDS_RE.fullmatch(children[0].text or "")
    assert children[1].text == url
    body = children[2:]
    names = {etree.QName(c).localname for c in body}
    assert names == {"error"} or (
        len(body) == 1
        and names
        <= {
            "Identify",
            "ListMetadataFormats",
            "ListSets",
            "GetRecord",
            "ListIdentifiers",
            "ListRecords",
        }
    ), names
    for err in doc.findall("o:error", NS):
        assert err.get("code") in ERROR_CODES
    return body[0]


def check_header(header: etree._Element) -> None:
    """A header: identifier, datestamp, then setSpecs; status only 'deleted'."""
    names = [etree.QName(c).localname for c in header]
    assert names[:2] == ["identifier", "datestamp"]
    assert set(names[2:]) <= {"setSpec"}
    assert header.get("status") in (None, "deleted")


def oai(server_url: str, method: str = "GET", **params: str) -> etree._Element:
    """One request; returns the checked document root."""
    if method == "GET":
        resp = requests.get(server_url, params=params, timeout=10)
    else:
        resp = requests.post(server_url, data=params, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    doc = etree.fromstring(resp.content)
    check_envelope(doc, server_url)
    return doc


def error_code(doc: etree._Element) -> str | None:
    err = doc.find("o:error", NS)
    return None if err is None else err.get("code")


def harvest(url: str, verb: str, **params: str) -> tuple[list[etree._Element], list[dict]]:
    """Follow resumption tokens; returns the items and each page's token attributes."""
    items: list[etree._Element] = []
    tokens: list[dict] = []
    doc = oai(url, verb=verb, **params)
    while True:
        body = doc.find(f"o:{verb}", NS)
        assert body is not None, etree.tostring(doc)
        items += body.findall("o:record" if verb == "ListRecords" else "o:header", NS)
        tok = body.find("o:resumptionToken", NS)
        if tok is None:
            return items, tokens
        tokens.append({**tok.attrib, "text": tok.text or ""})
        if not tok.text:
            return items, tokens
        doc = oai(url, verb=verb, resumptionToken=tok.text)


def ids(elements: list[etree._Element]) -> list[str]:
    return [e.findtext(".//o:identifier", namespaces=NS) for e in elements]


# -- the six verbs ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_identify(sample_provider, method):
    server, _ = sample_provider
    doc = oai(server.url, method, verb="Identify")
    assert doc.find("o:request", NS).attrib == {"verb": "Identify"}
    ident = doc.find("o:Identify", NS)
    names = [etree.QName(c).localname for c in ident]
    assert names[:7] == [
        "repositoryName",
        "baseURL",
        "protocolVersion",
        "adminEmail",
        "earliestDatestamp",
        "deletedRecord",
        "granularity",
    ]
    assert ident.findtext("o:baseURL", namespaces=NS) == server.url
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:earliestDatestamp", namespaces=NS) == "2024-01-01T00:00:00Z"
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext(".//id:repositoryIdentifier", namespaces=NS) == "anl.az"


def test_list_metadata_formats(sample_provider):
    server, _ = sample_provider
    doc = oai(server.url, verb="ListMetadataFormats")
    formats = {
        f.findtext("o:metadataPrefix", namespaces=NS): f.findtext(
            "o:metadataNamespace", namespaces=NS
        )
        for f in doc.findall(".//o:metadataFormat", NS)
    }
    assert formats == {
        "marc21": "http://www.loc.gov/MARC21/slim",
        "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    }
    one = oai(server.url, verb="ListMetadataFormats", identifier="oai:anl.az:000002")
    assert [p.text for p in one.findall(".//o:metadataPrefix", NS)] == ["marc21"]
    assert one.find("o:request", NS).get("identifier") == "oai:anl.az:000002"


def test_list_sets_is_hierarchical(sample_provider):
    server, _ = sample_provider
    doc = oai(server.url, verb="ListSets")
    sets = {
        s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
        for s in doc.findall(".//o:set", NS)
    }
    assert sets == {
        "books": "Books",
        "lang": "Languages",
        "lang:aze": "lang:aze",
        "lang:kaz": "lang:kaz",
    }


def test_get_record(sample_provider):
    server, _ = sample_provider
    doc = oai(server.url, verb="GetRecord", identifier="oai:anl.az:000003", metadataPrefix="marc21")
    rec = doc.find("o:GetRecord/o:record", NS)
    check_header(rec.find("o:header", NS))
    assert [s.text for s in rec.findall("o:header/o:setSpec", NS)] == ["books", "lang:kaz"]
    assert rec.findtext(".//m:subfield", namespaces=NS) == "Title 3 & more"
    gone = oai(
        server.url, verb="GetRecord", identifier="oai:anl.az:000010", metadataPrefix="marc21"
    )
    header = gone.find("o:GetRecord/o:record/o:header", NS)
    assert header.get("status") == "deleted"
    assert gone.find("o:GetRecord/o:record/o:metadata", NS) is None


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_list_pages_with_tokens(sample_provider, verb):
    server, _ = sample_provider
    items, tokens = harvest(server.url, verb, metadataPrefix="marc21")
    assert ids(items) == [f"oai:anl.az:{i:06d}" for i in range(1, 26)]
    assert [t["cursor"] for t in tokens] == ["0", "7", "14", "21"]
    assert {t["completeListSize"] for t in tokens} == {"25"}
    assert [bool(t["text"]) for t in tokens] == [True, True, True, False]
    assert all(SECONDS_RE.fullmatch(t["expirationDate"]) for t in tokens[:-1])
    assert "expirationDate" not in tokens[-1]
    headers = [i if verb == "ListIdentifiers" else i.find("o:header", NS) for i in items]
    for h in headers:
        check_header(h)
    deleted = [
        h.findtext("o:identifier", namespaces=NS) for h in headers if h.get("status") == "deleted"
    ]
    assert deleted == ["oai:anl.az:000010", "oai:anl.az:000020"]
    if verb == "ListRecords":
        with_md = [r for r in items if r.find("o:metadata", NS) is not None]
        assert len(with_md) == 23


def test_post_pages_like_get(sample_provider):
    server, _ = sample_provider
    doc = oai(server.url, "POST", verb="ListRecords", metadataPrefix="marc21", set="lang:aze")
    seen = ids(doc.findall(".//o:record", NS))
    token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    while token:
        doc = oai(server.url, "POST", verb="ListRecords", resumptionToken=token)
        seen += ids(doc.findall(".//o:record", NS))
        token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    assert seen == [f"oai:anl.az:{i:06d}" for i in range(2, 26, 2)]


def test_list_in_oai_dc_has_only_items_with_it_and_deletions(sample_provider):
    server, _ = sample_provider
    items, _ = harvest(server.url, "ListIdentifiers", metadataPrefix="oai_dc")
    odd = [f"oai:anl.az:{i:06d}" for i in range(1, 26) if i % 2]
    assert ids(items) == sorted([*odd, "oai:anl.az:000010", "oai:anl.az:000020"])


def test_single_page_list_has_no_token(tmp_path, provider_factory):
    server, _ = provider_factory(write_collection(tmp_path / "c", sample_items(5)))
    items, tokens = harvest(server.url, "ListRecords", metadataPrefix="marc21")
    assert len(items) == 5 and tokens == []


# -- from/until and sets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"from": "2024-01-05"}, range(5, 26)),
        ({"until": "2024-01-05"}, range(1, 6)),  # a day until covers the whole day
        ({"from": "2024-01-03", "until": "2024-01-04"}, range(3, 5)),
        ({"from": "2024-01-05T10:00:00Z"}, range(5, 26)),
        ({"from": "2024-01-05T10:00:01Z"}, range(6, 26)),
        ({"until": "2024-01-05T09:59:59Z"}, range(1, 5)),
        ({"from": "2024-01-05T10:00:00Z", "until": "2024-01-05T10:00:00Z"}, range(5, 6)),
        ({"set": "lang"}, range(1, 26)),
        ({"set": "lang:aze"}, range(2, 26, 2)),
        ({"set": "lang:kaz", "from": "2024-01-20"}, range(21, 26, 2)),
    ],
)
def test_selective_harvesting(sample_provider, args, expected):
    server, _ = sample_provider
    items, _ = harvest(server.url, "ListIdentifiers", metadataPrefix="marc21", **args)
    assert ids(items) == [f"oai:anl.az:{i:06d}" for i in expected]


def test_day_granularity(tmp_path, provider_factory):
    server, _ = provider_factory(
        write_collection(tmp_path / "c", sample_items(12), granularity="day")
    )
    ident = oai(server.url, verb="Identify").find("o:Identify", NS)
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DD"
    assert ident.findtext("o:earliestDatestamp", namespaces=NS) == "2024-01-01"
    items, _ = harvest(
        server.url, "ListIdentifiers", metadataPrefix="marc21", **{"from": "2024-01-11"}
    )
    assert ids(items) == ["oai:anl.az:000011", "oai:anl.az:000012"]
    assert items[0].findtext("o:datestamp", namespaces=NS) == "2024-01-11"
    too_fine = oai(
        server.url, verb="ListRecords", metadataPrefix="marc21", **{"from": "2024-01-11T00:00:00Z"}
    )
    assert error_code(too_fine) == "badArgument"


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": ""}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:anl.az:000001"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "marc21",
                "from": "2024-01-01",
                "until": "2024-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "marc21",
                "from": "2024-02-01",
                "until": "2024-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "resumptionToken": "x"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": ""}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": "oai:anl.az:000002", "metadataPrefix": "oai_dc"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:anl.az:999", "metadataPrefix": "marc21"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:anl.az:999"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:anl.az:000010"}, "noMetadataFormats"),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2030-01-01"},
            "noRecordsMatch",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "marc21", "set": "maps"}, "noRecordsMatch"),
    ],
)
def test_error_codes(sample_provider, params, code):
    server, _ = sample_provider
    doc = oai(server.url, **params)
    assert error_code(doc) == code
    request = doc.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the standard: echo only the base URL
    else:
        assert request.attrib == params


def test_repeated_arguments_are_bad(sample_provider):
    server, _ = sample_provider
    for query in (
        "verb=Identify&verb=Identify",
        "verb=ListRecords&metadataPrefix=marc21&metadataPrefix=oai_dc",
    ):
        resp = requests.get(f"{server.url}?{query}", timeout=10)
        code = etree.fromstring(resp.content).find("o:error", NS).get("code")
        assert code == ("badVerb" if query.count("verb=") == 2 else "badArgument")


def test_no_set_hierarchy(tmp_path, provider_factory):
    items = [i for i in sample_items(5)]
    for item in items:
        item.sets = ()
    server, _ = provider_factory(write_collection(tmp_path / "c", items, sets=()))
    assert error_code(oai(server.url, verb="ListSets")) == "noSetHierarchy"
    doc = oai(server.url, verb="ListRecords", metadataPrefix="marc21", set="books")
    assert error_code(doc) == "noSetHierarchy"


def test_bad_resumption_tokens(sample_provider):
    server, _ = sample_provider
    doc = oai(server.url, verb="ListRecords", metadataPrefix="marc21")
    token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    body, sig = token.split(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
    for bad in (tampered, token + "x", "." + sig, token.replace(".", "")):
        assert error_code(oai(server.url, verb="ListRecords", resumptionToken=bad)) == (
            "badResumptionToken"
        )
    wrong_verb = oai(server.url, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(wrong_verb) == "badResumptionToken"
    assert error_code(oai(server.url, verb="ListRecords", resumptionToken=token)) is None


def test_expired_token(tmp_path, provider_factory):
    server, _ = provider_factory(
        write_collection(tmp_path / "c", sample_items(10)), page_size=3, token_ttl=-5
    )
    doc = oai(server.url, verb="ListIdentifiers", metadataPrefix="marc21")
    token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    again = oai(server.url, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(again) == "badResumptionToken"
    assert "expired" in again.findtext("o:error", namespaces=NS)


def test_deleted_record_no_hides_deletions(tmp_path, provider_factory):
    server, _ = provider_factory(
        write_collection(tmp_path / "c", sample_items(12), deleted_record="no")
    )
    items, _ = harvest(server.url, "ListIdentifiers", metadataPrefix="marc21")
    assert "oai:anl.az:000010" not in ids(items) and len(items) == 11
    doc = oai(server.url, verb="GetRecord", identifier="oai:anl.az:000010", metadataPrefix="marc21")
    assert error_code(doc) == "idDoesNotExist"


def test_http_details(sample_provider):
    server, _ = sample_provider
    assert requests.put(server.url, timeout=10).status_code == 405
    head = requests.head(server.url, params={"verb": "Identify"}, timeout=10)
    assert head.status_code == 200
    other_path = server.url.replace("/oai", "/anything/else")
    doc = etree.fromstring(requests.get(other_path, params={"verb": "Identify"}).content)
    assert doc.findtext("o:Identify/o:baseURL", namespaces=NS) == other_path


# -- changes while harvesting, and an independent client -------------------------------


def test_changes_during_a_list_lose_nothing(sample_provider):
    server, collection = sample_provider
    url = server.url
    doc = oai(url, verb="ListIdentifiers", metadataPrefix="marc21")
    seen = ids(doc.findall(".//o:header", NS))
    token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    # an item already sent and one not yet sent change; a new one arrives
    collection.put("oai:anl.az:000002", {"marc21": "<r xmlns='urn:x'/>"})
    collection.delete("oai:anl.az:000015")
    collection.put("oai:anl.az:000099", {"marc21": "<r xmlns='urn:x'/>"}, sets=["books"])
    first_total = doc.find(".//o:resumptionToken", NS).get("completeListSize")
    totals = [first_total]
    while token:
        doc = oai(url, verb="ListIdentifiers", resumptionToken=token)
        seen += ids(doc.findall(".//o:header", NS))
        tok = doc.find(".//o:resumptionToken", NS)
        totals.append(tok.get("completeListSize"))
        token = tok.text
    unchanged = [f"oai:anl.az:{i:06d}" for i in range(1, 26) if i not in (2, 15)]
    assert set(unchanged) <= set(seen)
    assert seen[-3:] == ["oai:anl.az:000002", "oai:anl.az:000015", "oai:anl.az:000099"]
    assert totals[0] == "25" and totals[-1] == str(len(seen))


def test_incremental_harvest_after_put_and_delete(sample_provider):
    server, collection = sample_provider
    items, _ = harvest(server.url, "ListIdentifiers", metadataPrefix="marc21")
    watermark = max(h.findtext("o:datestamp", namespaces=NS) for h in items)
    stamp = collection.put(
        "oai:anl.az:000004", {"marc21": "<r xmlns='urn:x'>new</r>"}, sets=["books"]
    )
    collection.delete("oai:anl.az:000005")
    changed, _ = harvest(server.url, "ListRecords", metadataPrefix="marc21", **{"from": watermark})
    assert ids(changed) == ["oai:anl.az:000025", "oai:anl.az:000004", "oai:anl.az:000005"]
    assert changed[1].findtext("o:header/o:datestamp", namespaces=NS) == stamp > watermark
    assert changed[2].find("o:header", NS).get("status") == "deleted"


@pytest.mark.parametrize("prefix", ["marc21", "oai_dc"])
def test_sickle_lists_exactly_the_items(tmp_path, provider_factory, prefix):
    items = sample_items(57)
    server, _ = provider_factory(write_collection(tmp_path / "c", items), page_size=10)
    got = {
        r.header.identifier: r.header.deleted
        for r in Sickle(server.url).ListRecords(metadataPrefix=prefix, ignore_deleted=False)
    }
    want = {i.identifier: i.deleted for i in items if i.deleted or prefix in i.metadata}
    assert got == want
    sets = {s.setSpec for s in Sickle(server.url).ListSets()}
    assert sets == {"books", "lang", "lang:aze", "lang:kaz"}


def test_module_cli_serves_a_directory(tmp_path):
    import subprocess
    import sys

    directory = write_collection(tmp_path / "c", sample_items(5))
    proc = subprocess.Popen(
        [sys.executable, "-m", "harvester.provider", str(directory), "--page-size", "2"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/oai")
        items, tokens = harvest(url, "ListIdentifiers", metadataPrefix="marc21")
        assert len(items) == 5 and len(tokens) == 3
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
