"""The provider's error conditions: every OAI-PMH error code, tokens, HTTP details."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.support.provider import sample_items, write_collection
from tests.support.provider_xml import (
    NS,
    error_code,
    harvest,
    ids,
    oai,
)

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
