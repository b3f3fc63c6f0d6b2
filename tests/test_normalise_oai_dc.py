"""oai_dc mapping: the real DSpace capture of Erasmus University, field by field, and the
forms of dates, identifiers and languages real repositories send."""

from __future__ import annotations

import pytest
from lxml import etree

from harvester.store import RawRecord
from indexer.errors import NormaliseError
from indexer.normalise import normalise
from indexer.normalise.oai_dc import parse_date
from indexer.record import Link, Name, Record
from tests.support.normalise import mapped, realdata

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _dspace_records() -> list[tuple[str, str | None]]:
    root = etree.parse(str(realdata("pyoai_dspace-eur_ListRecords_from2004_deleted.xml")))
    out = []
    for rec in root.iter(f"{OAI}record"):
        ident = rec.findtext(f"{OAI}header/{OAI}identifier") or ""
        md = rec.find(f"{OAI}metadata")
        out.append((ident, None if md is None else etree.tostring(md[0], encoding="unicode")))
    return out


def _dc(xml: str, identifier: str = "oai:x:1", *, detect: bool = False) -> Record:
    raw = RawRecord("nlrk", identifier, "oai_dc", "2024-01-01", xml=xml)
    return normalise(raw, detect_language=detect)


def test_dspace_record_field_by_field() -> None:
    ident, xml = _dspace_records()[0]
    assert ident == "hdl:1765/9" and xml is not None
    rec = _dc(xml, ident)
    got = mapped(rec)
    notes = got.pop("notes")
    assert got == {
        "format": "oai_dc",
        "title": "The Causality of Supply Relationships",
        "authors": (
            {"name": "Jong, G. de", "kind": "person", "role": "creator", "dates": ""},
            {"name": "Nooteboom, B.", "kind": "person", "role": "creator", "dates": ""},
        ),
        "subjects": (
            "Automobile industries",
            "Learning theory",
            "Social exchange theory",
            "commitment",
            "Supply relationships",
            "5001-6182;5546-5548.6;5548.7-5548.85;HD41",
            "M;M10;L2;L14",
            "85A;100B;240B;260N;270K",
        ),
        "languages": ("eng",),  # "en" and "en_US"
        "scripts": ("Latn",),
        "year": 2001,
        "date": "2001-01-04",  # the issue date, not the accession timestamps
        "publisher": "Erasmus Research Institute of Management (ERIM), Erasmus University"
        " Rotterdam",
        "other_ids": ("RePEc:dgr:eureri:2001134", "erimrs20020104123434"),
        "type": "book",  # Working Paper
        "links": ({"url": "http://hdl.handle.net/1765/9", "label": ""},),
        "detected": ("scripts",),
    }
    assert isinstance(notes, tuple) and notes[0].startswith("This study examines the 'logic'")
    assert any(n.startswith("ERS; ERS-2001-73-ORG") for n in notes)  # dc:relation
    assert any(n.startswith("Copyright 2001") for n in notes)  # dc:rights


def test_dspace_capture_all_live_records_normalise() -> None:
    records = _dspace_records()
    live = [(i, x) for i, x in records if x is not None]
    assert len(records) == 81 and len(live) == 79
    recs = [_dc(x, i) for i, x in live]
    assert all(r.title and r.format == "oai_dc" for r in recs)
    with_isbn = [r for r in recs if r.isbns]
    assert with_isbn and all(len(i) == 13 for r in with_isbn for i in r.isbns)
    # "other" is not a language: nothing invented
    assert any(not r.languages for r in recs)


def test_bare_oai_dc_document() -> None:
    rec = _dc(realdata("pyoai_dspace-eur_bare_oai_dc.xml").read_text(encoding="utf-8"))
    assert rec.title.startswith("De vrouwenbeweging online. Een onderzoek")
    assert rec.authors == (Name("Edwards, A.R.", role="contributor"),)
    assert rec.isbns == ("9789090149806",)  # 90-9014980-5
    assert rec.links == (Link("http://hdl.handle.net/1765/315"),)
    assert rec.languages == ("dut",)
    assert rec.year == 2003
    assert rec.extent == ""  # "151500" (bytes) and "application/pdf" are not an extent
    assert rec.type == "book"  # Technical Report


def test_dc_in_oai_envelope_with_non_latin_creator() -> None:
    rec = _dc(realdata("sickle_GetRecord_utf8test.xml").read_text(encoding="utf-8"))
    assert rec.title == "Sample Title"
    assert rec.authors == (Name("某人", role="creator"),)
    assert rec.languages == ("eng",)
    assert rec.year == 2011
    assert rec.type == "book"
    assert rec.publisher == "Sample Publisher"
    assert rec.notes == ("Sample Source",)
    assert "Hani" in rec.scripts
    assert rec.other_ids == ()  # the OAI header identifier is not a dc:identifier


KAZ = """<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title xml:lang="kk">Абай жолы</dc:title>
  <dc:title xml:lang="ru">Путь Абая</dc:title>
  <dc:creator>Әуезов, Мұхтар</dc:creator>
  <dc:contributor>Әуезов, Мұхтар</dc:contributor>
  <dc:contributor>Ахметов, З.</dc:contributor>
  <dc:subject>Қазақ әдебиеті</dc:subject>
  <dc:coverage>Қазақстан</dc:coverage>
  <dc:date>[1997?]</dc:date>
  <dc:type>Book</dc:type>
  <dc:format>640 б.</dc:format>
  <dc:identifier>ISBN 9965-35-097-3</dc:identifier>
  <dc:identifier>urn:ISBN:978-601-123</dc:identifier>
  <dc:identifier>ISSN 0028-0836</dc:identifier>
  <dc:identifier>https://kazneb.kz/bookView/view?brId=1</dc:identifier>
  <dc:identifier>инв. 12345</dc:identifier>
  <dc:language>Қазақ тілі</dc:language>
  <dc:language>rus</dc:language>
</oai_dc:dc>"""


def test_kazakh_record_every_element() -> None:
    rec = _dc(KAZ)
    assert rec.title == "Абай жолы"
    assert rec.alt_titles == ("Путь Абая",)
    assert rec.authors == (
        Name("Әуезов, Мұхтар", role="creator"),
        Name("Ахметов, З.", role="contributor"),
    )
    assert rec.subjects == ("Қазақ әдебиеті", "Қазақстан")
    assert (rec.year, rec.date) == (1997, "[1997?]")
    assert rec.type == "book"
    assert rec.extent == "640 б."
    assert rec.isbns == ("9789965350979",)
    assert rec.invalid_isbns == ("978-601-123",)  # kept apart, never dropped
    assert rec.issns == ("0028-0836",)
    assert rec.links == (Link("https://kazneb.kz/bookView/view?brId=1"),)
    assert rec.other_ids == ("инв. 12345",)
    assert rec.languages == ("kaz", "rus")
    assert rec.scripts == ("Cyrl",)
    assert "languages" not in rec.detected


def test_xml_lang_stands_in_for_a_missing_language_and_is_marked() -> None:
    xml = KAZ.replace("<dc:language>Қазақ тілі</dc:language>", "").replace(
        "<dc:language>rus</dc:language>", ""
    )
    rec = _dc(xml)
    assert rec.languages == ("kaz",)
    assert "languages" in rec.detected


def test_language_detected_by_lingua_when_nothing_says() -> None:
    xml = (
        '<dc xmlns="http://purl.org/dc/elements/1.1/"><title>'
        "Azərbaycan ədəbiyyatı tarixi: üç cilddə</title></dc>"
    )
    assert _dc(xml, detect=True).languages == ("aze",)
    assert _dc(xml, detect=True).detected == ("scripts", "languages")
    assert _dc(xml, detect=False).languages == ()


@pytest.mark.parametrize(
    ("value", "year", "timed"),
    [
        ("2004", 2004, False),
        ("2004-01", 2004, False),
        ("2004-01-12", 2004, False),
        ("2004-01-12T10:00:00Z", 2004, True),
        ("12.01.2004", 2004, False),
        ("01/12/2004", 2004, False),
        ("[2004?]", 2004, False),
        ("c2004", 2004, False),
        ("2004-2005", 2004, False),
        ("Spring 2004", 2004, False),
        ("s.a.", None, False),
    ],
)
def test_date_forms(value: str, year: int | None, timed: bool) -> None:
    assert parse_date(value) == (year, timed)


def test_not_dublin_core_is_quarantinable() -> None:
    with pytest.raises(NormaliseError) as e:
        _dc("<mods xmlns='http://www.loc.gov/mods/v3'><titleInfo/></mods>")
    assert e.value.step == "read_dc"
    assert "no Dublin Core" in e.value.reason
