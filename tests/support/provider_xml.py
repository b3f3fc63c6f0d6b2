"""Checking OAI-PMH responses without the XSD: structure asserted with lxml XPath.

There is no network to fetch OAI-PMH.xsd, so ``check_envelope`` asserts what the schema
says about every response: root and namespaces, schemaLocation, responseDate, the request
echo, and exactly one verb element or errors with standard codes.
"""

from __future__ import annotations

import re

import requests
from lxml import etree

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


VERB_CHILDREN = {  # what each verb element may hold, in schema order
    "Identify": None,  # checked field by field in the Identify test
    "ListMetadataFormats": ("metadataFormat",),
    "ListSets": ("set", "resumptionToken"),
    "GetRecord": ("record",),
    "ListIdentifiers": ("header", "resumptionToken"),
    "ListRecords": ("record", "resumptionToken"),
}


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def check_envelope(doc: etree._Element, url: str) -> etree._Element:
    """Assert the OAI-PMH envelope and the verb's structure; returns the body element."""
    assert doc.tag == f"{{{OAI}}}OAI-PMH"
    assert doc.get(XSI_LOC) == f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    children = list(doc)
    assert all(etree.QName(c).namespace == OAI for c in children)
    assert [local(c) for c in children[:2]] == ["responseDate", "request"]
    assert SECONDS_RE.fullmatch(children[0].text or "")
    assert children[1].text == url
    body = children[2:]
    names = [local(c) for c in body]
    if "error" in names:
        assert set(names) == {"error"}
        assert all(err.get("code") in ERROR_CODES for err in body)
        return body[0]
    assert len(body) == 1 and names[0] in VERB_CHILDREN, names
    allowed = VERB_CHILDREN[names[0]]
    if allowed is not None:
        kinds = [local(c) for c in body[0]]
        assert kinds, f"{names[0]} is empty"
        assert kinds == sorted(kinds, key=allowed.index), kinds  # raises on a stray element
        assert kinds.count("resumptionToken") <= 1
    for record in body[0].iter(f"{{{OAI}}}record"):
        check_record(record)
    for header in body[0].findall("o:header", NS):
        check_header(header)
    return body[0]


def check_record(record: etree._Element) -> None:
    """A record: a header, then metadata with exactly one element unless deleted."""
    parts = [local(c) for c in record]
    header = record[0]
    check_header(header)
    if header.get("status") == "deleted":
        assert parts == ["header"]
    else:
        assert parts[:2] == ["header", "metadata"] and set(parts[2:]) <= {"about"}
        assert len(record[1]) == 1 and etree.QName(record[1][0]).namespace != OAI


def check_header(header: etree._Element) -> None:
    """A header: identifier, datestamp, then setSpecs; status only 'deleted'."""
    names = [local(c) for c in header]
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
