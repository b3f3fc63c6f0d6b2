"""Mapping of our own sample collections (config/samples): every live record of ANL and
NLRK normalises, and chosen records are checked field by field, MARC beside oai_dc."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from harvester.store import RawRecord
from indexer.normalise import normalise
from indexer.record import Link, Name, Record
from tests.support.normalise import mapped

SAMPLES = Path(__file__).resolve().parent.parent / "config" / "samples"


@lru_cache(maxsize=1)
def sample_records() -> dict[tuple[str, str], Record]:
    """(OAI identifier, prefix) → Record for every live item of both collections."""
    out: dict[tuple[str, str], Record] = {}
    for source in ("anl", "nlrk"):
        for part in sorted((SAMPLES / source / "records").glob("part-*.xml")):
            for item in etree.parse(str(part)).getroot():
                if item.get("deleted") == "true":
                    continue
                ident, stamp = item.get("identifier", ""), item.get("datestamp", "")
                for md in item:
                    prefix = md.get("prefix", "")
                    xml = etree.tostring(md[0], encoding="unicode")
                    raw = RawRecord(source, ident, prefix, stamp, xml=xml)
                    out[(ident, prefix)] = normalise(raw, detect_language=False)
    return out


def test_every_live_sample_record_normalises() -> None:
    recs = sample_records()
    by_kind: dict[tuple[str, str], int] = {}
    for rec in recs.values():
        by_kind[(rec.source, rec.format)] = by_kind.get((rec.source, rec.format), 0) + 1
    assert by_kind == {("anl", "marc21"): 323, ("nlrk", "marc21"): 312, ("nlrk", "oai_dc"): 312}
    assert all(r.title and r.year for r in recs.values())
    # records catalogued without 008 and 041 carry no language code: nothing is invented
    silent = sorted(k[0] for k, r in recs.items() if not r.languages)
    assert silent == ["oai:anl.az:143189", "oai:anl.az:288372", "oai:anl.az:689217"]
    assert sum(1 for r in recs.values() if r.links and r.format == "marc21") == 18


def test_volume_of_a_set_marc_field_by_field() -> None:
    rec = sample_records()[("oai:nlrk.kz:101758", "marc21")]
    assert mapped(rec) == {
        "format": "marc21",
        "title": "Собрание сочинений. Т. 10",
        "subtitle": "в десяти томах",
        "responsibility": "А. С. Пушкин",
        "authors": (
            {
                "name": "Пушкин, Александр Сергеевич",
                "kind": "person",
                "role": "author",
                "dates": "1799-1837",
            },
        ),
        "subjects": ("Русская поэзия", "Русская литература"),
        "languages": ("rus",),
        "scripts": ("Cyrl",),
        "year": 1978,
        "date": "1978",
        "place": "Москва",
        "publisher": "Художественная литература",
        "extent": "544 с.",
        "other_ids": ("101758",),
        "type": "book",
        "volume": "Т. 10",
        "detected": ("scripts",),
    }


def test_the_same_item_as_oai_dc_field_by_field() -> None:
    rec = sample_records()[("oai:nlrk.kz:101758", "oai_dc")]
    assert mapped(rec) == {
        "format": "oai_dc",
        "title": "Собрание сочинений: в десяти томах. Т. 10",
        "authors": (
            {
                "name": "Пушкин, Александр Сергеевич, 1799-1837",
                "kind": "person",
                "role": "creator",
                "dates": "",
            },
        ),
        "subjects": ("Русская поэзия", "Русская литература"),
        "languages": ("rus",),
        "scripts": ("Cyrl",),
        "year": 1978,
        "date": "1978",
        "publisher": "Художественная литература",
        "extent": "544 с.",
        "type": "book",
        "detected": ("scripts",),
    }


def test_marc_and_dc_of_each_nlrk_item_agree() -> None:
    recs = sample_records()
    for (ident, prefix), marc in recs.items():
        if prefix != "marc21" or marc.source != "nlrk":
            continue
        dc = recs[(ident, "oai_dc")]
        assert dc.year == marc.year, ident
        assert dc.languages[0] == marc.languages[0], ident
        assert set(dc.isbns) <= set(marc.isbns), ident
        assert [link.url for link in dc.links] == [link.url for link in marc.links], ident


def test_romanised_record_with_cyrillic_880s() -> None:
    rec = sample_records()[("oai:anl.az:130080", "marc21")]
    assert rec.title == "Drevnie ti͡urki"
    assert rec.authors == (Name("Gumilev, Lev Nikolaevich", "person", "author", "1912-1992"),)
    assert rec.alt_titles == ("Древние тюрки",)
    assert rec.alt_names == ("Гумилев, Лев Николаевич",)
    assert rec.scripts == ("Latn", "Cyrl")
    assert rec.languages == ("rus",)


def test_electronic_copy_and_volume() -> None:
    rec = sample_records()[("oai:anl.az:108085", "marc21")]
    assert rec.title == "Azərbaycan Milli Ensiklopediyası. I cild"
    assert rec.volume == "I cild"
    assert rec.isbns == ("9789952441017",)
    assert rec.links == (Link("https://anl.az/el/108085.pdf", "Elektron nüsxə"),)


def test_deliberately_invalid_isbns_are_kept_apart() -> None:
    recs = sample_records()
    akhundov = recs[("oai:anl.az:757406", "marc21")]
    assert akhundov.isbns == ("9785550001349",)
    assert akhundov.invalid_isbns == ("5-550-00134-0",)  # 020 $z, as printed
    invalid = {i for r in recs.values() for i in r.invalid_isbns}
    assert {"5605003170", "5-550-00134-0", "5-605-01113-0"} <= invalid


def test_serials() -> None:
    serials = [r for r in sample_records().values() if r.type == "serial"]
    assert serials
    kaspiy = sample_records()[("oai:anl.az:201024", "marc21")]
    assert (kaspiy.title, kaspiy.subtitle, kaspiy.year) == ("Каспий", "ежедневная газета", 1881)
    assert any(r.issns for r in serials)


def test_language_of_a_record_without_codes_is_detected_and_marked() -> None:
    part = SAMPLES / "anl" / "records"
    for path in sorted(part.glob("part-*.xml")):
        for item in etree.parse(str(path)).getroot():
            if item.get("identifier") == "oai:anl.az:288372":
                xml = etree.tostring(item[0][0], encoding="unicode")
                raw = RawRecord("anl", "oai:anl.az:288372", "marc21", "d", xml=xml)
                rec = normalise(raw)
                assert rec.title == "Қазақша-орысша сөздік"
                assert rec.languages == ("kaz",)
                assert "languages" in rec.detected
                return
    raise AssertionError("sample record not found")
