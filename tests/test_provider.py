"""The OAI-PMH provider over real HTTP on 127.0.0.1: the six verbs, paging, selection.

Every response is checked against the schema's structure (``check_envelope`` in
``tests/support/provider_xml.py``); sickle, an independent client, cross-checks a list.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sickle import Sickle

from tests.support.provider import sample_items, write_collection
from tests.support.provider_xml import (
    NS,
    SECONDS_RE,
    check_header,
    error_code,
    harvest,
    ids,
    oai,
)

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
    assert ident.findtext(".//id:sampleIdentifier", namespaces=NS) == "oai:anl.az:000001"


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
    assert proc.stdout is not None
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/oai")
        items, tokens = harvest(url, "ListIdentifiers", metadataPrefix="marc21")
        assert len(items) == 5 and len(tokens) == 3
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()


def test_module_cli_refuses_bad_input(tmp_path):
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "harvester.provider"]
    root = Path(__file__).resolve().parent.parent
    missing = subprocess.run([*cmd, str(tmp_path)], cwd=root, capture_output=True, text=True)
    assert missing.returncode == 1
    assert "repository.toml: cannot read" in missing.stderr
    bad = subprocess.run(
        [*cmd, str(tmp_path), "--page-size", "0"], cwd=root, capture_output=True, text=True
    )
    assert bad.returncode == 2 and "must be at least 1" in bad.stderr
