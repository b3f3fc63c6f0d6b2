"""Export formats and hostile metadata: everything a record holds is shown as text."""

from __future__ import annotations

import io
import json

import pymarc
import pytest
from flask.testing import FlaskClient
from lxml import etree, html

from search_ui.views import marked
from tests.support.ui import SHARED_NLRK, XSS_NAME, XSS_TITLE

XSS_ID = "nlrk:oai:nlrk.kz:1003"
DC_RECORD = "anl:oai:anl.az:2003"


def download(ui_client: FlaskClient, fmt: str, record_id: str) -> tuple[str, str]:
    resp = ui_client.get(f"/export/{fmt}/{record_id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
    return resp.mimetype or "", resp.text


def test_ris(ui_client: FlaskClient) -> None:
    mimetype, text = download(ui_client, "ris", SHARED_NLRK)
    assert mimetype == "application/x-research-info-systems"
    lines = text.split("\r\n")
    assert lines[0] == "TY  - BOOK"
    assert "TI  - Абай жолы" in lines and "AU  - Әуезов, Мұхтар" in lines
    assert "PY  - 1997" in lines and "UR  - https://e.example.kz/abai.pdf" in lines
    assert lines[-2:] == ["ER  - ", ""]


def test_bibtex_escapes_tex(ui_client: FlaskClient) -> None:
    _, text = download(ui_client, "bibtex", SHARED_NLRK)
    assert text.startswith("@book{nlrk_oai_nlrk_kz_1001,\n")
    assert "  title = {Абай жолы},\n" in text and "  year = {1997}" in text
    _, hostile = download(ui_client, "bibtex", XSS_ID)
    assert hostile.count("{") == hostile.count("}")
    assert r"\&" in hostile


def test_marcxml_is_the_librarys_own_or_built(ui_client: FlaskClient) -> None:
    mimetype, own = download(ui_client, "marcxml", SHARED_NLRK)
    assert mimetype == "application/marcxml+xml"
    assert own.startswith('<record xmlns="http://www.loc.gov/MARC21/slim">')
    _, built = download(ui_client, "marcxml", DC_RECORD)
    (rec,) = pymarc.parse_xml_to_array(io.BytesIO(built.encode()))
    assert rec["245"]["a"] == "Azərbaycan xalçaları"
    assert rec["041"]["a"] == "aze"


def test_oai_dc_is_the_librarys_own_or_built(ui_client: FlaskClient) -> None:
    _, own = download(ui_client, "oai_dc", DC_RECORD)
    assert own.startswith("<oai_dc:dc")
    _, built = download(ui_client, "oai_dc", SHARED_NLRK)
    root = etree.fromstring(built.encode())
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert root.findtext(f"{dc}title") == "Абай жолы : роман-эпопея"
    assert root.findtext(f"{dc}creator") == "Әуезов, Мұхтар"
    assert [e.text for e in root.iter(f"{dc}identifier")] == [
        "URN:ISBN:9785605000010",
        "https://e.example.kz/abai.pdf",
    ]


def test_json_has_record_holdings_and_source(ui_client: FlaskClient) -> None:
    mimetype, text = download(ui_client, "json", SHARED_NLRK)
    assert mimetype == "application/json"
    body = json.loads(text)
    assert body["title"] == "Абай жолы" and body["raw_xml"].startswith("<record")
    assert {h["library"] for h in body["holdings"]} == {"anl", "nlrk"}


def test_unknown_format_or_record(ui_client: FlaskClient) -> None:
    assert ui_client.get(f"/export/pdf/{SHARED_NLRK}").status_code == 404
    assert ui_client.get("/export/ris/nlrk:none").status_code == 404


HOSTILE_PAGES = [
    "/?q=script",
    "/?q=alert",
    "/?q=img onerror",
    "/?language=eng",
    f"/records/{XSS_ID}",
    "/?q=" + XSS_TITLE,
    "/?subject=" + XSS_TITLE,
]


@pytest.mark.parametrize("lang", ["kk", "en"])
@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_metadata_is_text(ui_client: FlaskClient, url: str, lang: str) -> None:
    resp = ui_client.get(url, headers={"Accept-Language": lang})
    assert resp.status_code in (200, 400)
    body = resp.text
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    doc = html.fromstring(resp.data)
    assert not doc.xpath("//script | //img | //b | //*[@onerror]")
    if "records" in url or "q=script" in url or "language" in url:
        text = doc.text_content()
        assert XSS_TITLE.split(">")[0] in text or "<script>" in text


def test_hostile_record_page_shows_names_as_written(ui_client: FlaskClient) -> None:
    doc = html.fromstring(ui_client.get(f"/records/{XSS_ID}").data)
    assert " ".join(doc.xpath("//h1")[0].text_content().split()) == " ".join(XSS_TITLE.split())
    assert XSS_NAME in doc.text_content()


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("a <mark>b</mark> c", "a <mark>b</mark> c"),
        ("&lt;script&gt; <mark>x</mark>", "&lt;script&gt; <mark>x</mark>"),
        ("<script>alert(1)</script><mark>x", "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>"),
        ("<mark><mark>x</mark></mark></mark>", "<mark>x</mark>"),
        ('<mark onmouseover="x">y</mark>', "&lt;mark onmouseover=&#34;x&#34;&gt;y"),
    ],
)
def test_highlights_keep_only_mark(fragment: str, expected: str) -> None:
    assert str(marked(fragment)) == expected
