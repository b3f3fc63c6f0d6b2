"""MARC21 mapping: real MARCXML and ISO 2709 records (MARC-8, CP1251), field by field."""

from __future__ import annotations

import pytest

from harvester.store import RawRecord
from indexer.errors import NormaliseError
from indexer.normalise import normalise
from indexer.normalise.marcxml import read_marcxml
from indexer.record import Link, Name
from tests.support.normalise import mapped, normalise_iso, normalise_parsed, realdata


def _raw(xml: str, identifier: str = "rec1", prefix: str = "marc21") -> RawRecord:
    return RawRecord("anl", identifier, prefix, "2024-05-01T00:00:00Z", xml=xml)


def test_marcxml_batch_first_record_field_by_field() -> None:
    recs = read_marcxml(realdata("pymarc_batch.xml").read_bytes())
    assert len(recs) == 2
    rec = normalise_parsed(recs[0])
    assert mapped(rec) == {
        "format": "marc21",
        "title": "The Great Ray Charles",
        "authors": ({"name": "Charles, Ray", "kind": "person", "role": "prf", "dates": "1930-"},),
        "subjects": ("Jazz -- 1951-1960", "Piano with jazz ensemble"),
        "languages": ("eng",),
        "scripts": ("Latn",),
        "year": 1957,
        "date": "1957?",
        "place": "New York, N.Y.",
        "publisher": "Atlantic",
        "extent": "1 sound disc : analog, 33 1/3 rpm ; 12 in.",
        "other_ids": ("5637241", "LCCN 91758335"),
        "type": "recording",
        "notes": (
            "The Ray -- My melancholy baby -- Black coffee -- There's no you -- Doodlin' --"
            " Sweet sixteen bars -- I surrender dear -- Undecided",
            "Brief record",
        ),
        "detected": ("scripts",),
    }


def test_marcxml_batch_website_record() -> None:
    rec = normalise_parsed(read_marcxml(realdata("pymarc_batch.xml").read_bytes())[1])
    assert rec.title == "The White House"
    assert rec.type == "electronic"
    assert rec.year == 1994
    assert rec.authors == (Name("White House Web Team", kind="body"),)
    assert rec.subjects[1] == "United States -- Executive Office of the President"
    assert rec.links == (
        Link("http://www.whitehouse.gov"),
        Link("http://lcweb.loc.gov/staff/wpp/whitehouse.html", "Web site archive"),
    )
    assert rec.other_ids == ("12149120", "LCCN 00530046", "(OCoLC)ocm44279786")


def test_marcxml_utf8_record_keeps_what_it_has_and_invents_nothing() -> None:
    xml = realdata("pymarc_utf8.xml").read_text(encoding="utf-8")
    rec = normalise(_raw(xml), detect_language=False)
    assert mapped(rec) == {
        "format": "marc21",
        "title": "Zen Classics",
        "scripts": ("Latn",),
        "year": 2008,  # 008/07-10 is 9999, so 260 $c
        "date": "03 Nov 2008",
        "publisher": "Virgin Classics",
        "other_ids": ("ASP925318/clmu",),
        "type": "recording",
        "notes": ("Préludes",),
        "links": ({"url": "http://www.aspresolver.com/aspresolver.asp?CLMU;925318", "label": ""},),
        "alt_titles": ("Wilfried Hiller: Book of Stars",),
        "detected": ("scripts",),
    }
    assert rec.raw_xml == xml
    assert rec.id == "anl:rec1"


def test_marc8_iso2709_field_by_field() -> None:
    rec = normalise_iso("pymarc_marc8.dat", 0)
    assert mapped(rec) == {
        "format": "marc21",
        "title": "Escape from loneliness",
        "responsibility": "by Paul Tournier ; translated by John S. Gilmour",
        "authors": ({"name": "Tournier, Paul", "kind": "person", "role": "", "dates": ""},),
        "subjects": ("Loneliness", "Self", "Social psychology", "Social Isolation"),
        "languages": ("eng",),
        "scripts": ("Latn",),
        "year": 1962,
        "date": "c1962",
        "place": "Philadelphia",
        "publisher": "Westminster Press",
        "extent": "192 p. ; 21 cm.",
        "other_ids": ("2", "LCCN 61014599/L/r83", "ocmDCLC6114599B"),
        "type": "book",
        "notes": (
            "Translation of De la solitude à la communauté",
            "Includes bibliographical references (p. 190-192)",
        ),
        "alt_titles": ("De la solitude à la communauté",),
        "detected": ("scripts",),
    }


def test_cp1251_marc21_with_blank_leader_09_field_by_field() -> None:
    rec = normalise_iso("pymarc_1251.dat", 0)
    assert mapped(rec) == {
        "format": "marc21",
        "title": "Основы гидравлического расчета инженерных сетей",
        "subtitle": "[учеб. пособие для вузов по специальностям <Теплогазоснабжение и"
        " вентиляция>, <Водоснабжение и водоотведение>]",
        "responsibility": "Т. Н. Ильина",
        "authors": (
            {"name": "Ильина, Татьяна Николаевна", "kind": "person", "role": "", "dates": ""},
        ),
        "subjects": ("Трубопроводы -- Гидравлический расчет",),
        "languages": ("rus",),
        "scripts": ("Cyrl",),
        "year": 2005,
        "date": "2005",
        "place": "М.",
        "publisher": "Изд-во Ассоц. строит. вузов",
        "extent": "186 с. ил. 21 см.",
        "isbns": ("9785930933420",),
        "other_ids": ("ru03-000001RKP",),
        "type": "book",
        "notes": ("Библиогр.: с. 183",),
        "detected": ("scripts",),
    }


def test_cp1251_file_all_records_read_as_cyrillic() -> None:
    titles = [normalise_iso("pymarc_1251.dat", i).title for i in range(6)]
    assert all(t and any("\u0400" <= c <= "\u04ff" for c in t) for t in titles)


NS = 'xmlns:marc="http://www.loc.gov/MARC21/slim"'
BODY = (
    "<{p}leader>00000cam a2200000 i 4500</{p}leader>"
    "<{p}controlfield tag='008'>210101s2019    kz a          000 0 kaz d</{p}controlfield>"
    "<{p}datafield tag='020' ind1=' ' ind2=' '><{p}subfield code='a'>9965-35-097-3"
    " (т. 1)</{p}subfield></{p}datafield>"
    "<{p}datafield tag='020' ind1=' ' ind2=' '><{p}subfield code='a'>1234567890</{p}subfield>"
    "</{p}datafield>"
    '<{p}datafield tag="041" ind1="0" ind2=" "><{p}subfield code="a">kazrus'
    "</{p}subfield></{p}datafield>"
    "<{p}datafield tag='100' ind1='0' ind2=' '><{p}subfield code='6'>880-01</{p}subfield>"
    "<{p}subfield code='a'>Abai Qunanbaiuly,</{p}subfield><{p}subfield code='d'>1845-1904."
    "</{p}subfield><{p}subfield code='e'>author.</{p}subfield></{p}datafield>"
    "<{p}datafield tag='245' ind1='1' ind2='0'><{p}subfield code='6'>880-02</{p}subfield>"
    "<{p}subfield code='a'>Abai joly :</{p}subfield><{p}subfield code='b'>roman-epopeia."
    "</{p}subfield><{p}subfield code='n'>Kitap 1 /</{p}subfield><{p}subfield code='c'>"
    "Mukhtar Auezov.</{p}subfield></{p}datafield>"
    "<{p}datafield tag='264' ind1=' ' ind2='1'><{p}subfield code='a'>Almaty :</{p}subfield>"
    "<{p}subfield code='b'>Zhazushy,</{p}subfield><{p}subfield code='c'>2019.</{p}subfield>"
    "</{p}datafield>"
    "<{p}datafield tag='022' ind1=' ' ind2=' '><{p}subfield code='a'>0028-0836</{p}subfield>"
    "</{p}datafield>"
    "<{p}datafield tag='490' ind1='1' ind2=' '><{p}subfield code='a'>Qazaq adebieti ;"
    "</{p}subfield><{p}subfield code='v'>t. 3</{p}subfield></{p}datafield>"
    "<{p}datafield tag='250' ind1=' ' ind2=' '><{p}subfield code='a'>2-е изд.,</{p}subfield>"
    "<{p}subfield code='b'>толықт.</{p}subfield></{p}datafield>"
    "<{p}datafield tag='300' ind1=' ' ind2=' '><{p}subfield code='a'>640 б. ;</{p}subfield>"
    "<{p}subfield code='c'>21 см.</{p}subfield></{p}datafield>"
    "<{p}datafield tag='650' ind1=' ' ind2='7'><{p}subfield code='a'>Қазақ әдебиеті</{p}subfield>"
    "<{p}subfield code='v'>Романдар.</{p}subfield><{p}subfield code='2'>nlrk</{p}subfield>"
    "</{p}datafield>"
    "<{p}datafield tag='773' ind1='0' ind2=' '><{p}subfield code='t'>Шығармалар</{p}subfield>"
    "<{p}subfield code='w'>(NLRK)123</{p}subfield></{p}datafield>"
    "<{p}datafield tag='856' ind1='4' ind2='0'><{p}subfield code='u'>https://kazneb.kz/b/1"
    "</{p}subfield><{p}subfield code='y'>Электронды көшірме</{p}subfield></{p}datafield>"
    "<{p}datafield tag='880' ind1='0' ind2=' '><{p}subfield code='6'>100-01/(N</{p}subfield>"
    "<{p}subfield code='a'>Абай Құнанбайұлы,</{p}subfield></{p}datafield>"
    "<{p}datafield tag='880' ind1='1' ind2='0'><{p}subfield code='6'>245-02/(N</{p}subfield>"
    "<{p}subfield code='a'>Абай жолы :</{p}subfield><{p}subfield code='b'>роман-эпопея."
    "</{p}subfield></{p}datafield>"
)


@pytest.mark.parametrize(
    "xml",
    [
        f"<marc:collection {NS}><marc:record>{BODY.format(p='marc:')}</marc:record>"
        "</marc:collection>",
        f'<record xmlns="http://www.loc.gov/MARC21/slim">{BODY.format(p="")}</record>',
        f"<record>{BODY.format(p='')}</record>",
        f"<?xml version='1.0' encoding='UTF-8'?>\n<marc:record {NS}>{BODY.format(p='marc:')}"
        "</marc:record>",
        f"<marc:record>{BODY.format(p='marc:')}</marc:record>",  # declaration lost
        "<metadata><record xmlns='http://www.loc.gov/MARC21/slim'>"
        f"{BODY.format(p='')}</record></metadata>",
    ],
    ids=["prefix-collection", "default-ns", "no-ns", "declaration", "undeclared", "envelope"],
)
def test_marcxml_variants_map_the_same(xml: str) -> None:
    rec = normalise(_raw(xml), detect_language=False)
    assert rec.title == "Abai joly. Kitap 1"
    assert rec.subtitle == "roman-epopeia"
    assert rec.responsibility == "Mukhtar Auezov"
    assert rec.volume == "Kitap 1"
    assert rec.authors == (Name("Abai Qunanbaiuly", "person", "author", "1845-1904"),)
    assert rec.languages == ("kaz", "rus")
    assert rec.year == 2019
    assert (rec.place, rec.publisher, rec.date) == ("Almaty", "Zhazushy", "2019")
    assert rec.isbns == ("9789965350979",)
    assert rec.invalid_isbns == ("1234567890",)
    assert rec.issns == ("0028-0836",)
    assert rec.series == ("Qazaq adebieti t. 3",)
    assert rec.alt_titles == ("Абай жолы : роман-эпопея",)
    assert rec.alt_names == ("Абай Құнанбайұлы",)
    assert rec.edition == "2-е изд., толықт."
    assert rec.extent == "640 б. ; 21 см."
    assert rec.subjects == ("Қазақ әдебиеті -- Романдар",)
    assert rec.parent_ids == ("(NLRK)123",)
    assert rec.links == (Link("https://kazneb.kz/b/1", "Электронды көшірме"),)
    assert rec.scripts == ("Latn", "Cyrl")  # Latin title and name; Cyrillic subject, 880s
    assert rec.type == "book"


def test_leader_types() -> None:
    from indexer.normalise.types import type_from_leader

    assert type_from_leader("00000nas a2200000 a 4500") == "serial"
    assert type_from_leader("00000naa a2200000 a 4500") == "article"
    assert type_from_leader("00000cem a2200000 a 4500") == "map"
    assert type_from_leader("00000ncm a2200000 a 4500") == "score"
    assert type_from_leader("00000ngm a2200000 a 4500") == "video"
    assert type_from_leader("00000nzm a2200000 a 4500") == ""
    assert type_from_leader("short") == ""


def test_record_without_marc_is_an_error_naming_the_step() -> None:
    with pytest.raises(NormaliseError) as e:
        normalise(_raw("<foo><bar/></foo>"))
    assert e.value.step == "read_marcxml"
    assert e.value.record_id == "anl:rec1"
    assert "no MARC record" in e.value.reason


def test_broken_xml_is_an_error_naming_the_step() -> None:
    with pytest.raises(NormaliseError) as e:
        normalise(_raw("<record><leader>x</leader>"))
    assert e.value.step == "parse_xml"
    assert "anl:rec1" in str(e.value)


def test_deleted_record_cannot_be_normalised() -> None:
    raw = RawRecord("anl", "gone", "marc21", "2024-01-01", deleted=True)
    with pytest.raises(NormaliseError, match="deleted"):
        normalise(raw)
