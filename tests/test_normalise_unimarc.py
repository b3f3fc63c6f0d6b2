"""UNIMARC and RUSMARC mapping: real records of the National Library of Russia (CP1251),
Urait (UTF-8, 3-character indicators) and ICCU (UNIMARC), field by field."""

from __future__ import annotations

import pytest

from harvester.store import RawRecord
from indexer.normalise import format_of_prefix, normalise
from indexer.normalise.marc import Field, MarcRecord
from indexer.normalise.unimarc import detect_marc_flavour, embedded, is_rusmarc
from tests.support.normalise import iso_records, mapped, marc_raw, normalise_iso


def test_rusmarc_volume_of_a_multivolume_work_links_its_parent() -> None:
    rec = normalise_iso("rusmarc_TEST1.ISO", 0, prefix="rusmarc")
    assert mapped(rec) == {
        "format": "rusmarc",
        "title": "Вып. 13",
        "languages": ("rus",),
        "scripts": ("Cyrl",),
        "year": 1997,
        "date": "1997",
        "extent": "80 с. : ил., портр.",
        "isbns": ("9785744300432",),
        "other_ids": ("RU\\NLR\\bibl\\3415",),
        "type": "book",
        "series": ("Задачи и этюды",),
        "parent_ids": ("RU\\NLR\\bibl\\5996",),
        "volume": "Вып. 13",
        "detected": ("scripts",),
    }
    parent = normalise_iso("rusmarc_TEST1.ISO", 1, prefix="rusmarc")
    assert rec.parent_ids[0] in parent.other_ids
    assert parent.title == "Задачи и этюды"


def test_rusmarc_field_by_field() -> None:
    rec = normalise_iso("rusmarc_TEST1.ISO", 26, prefix="rusmarc")
    assert mapped(rec) == {
        "format": "rusmarc",
        "title": "Наталкинское золоторудное месторождение",
        "responsibility": "В.И. Гончаров, С.В. Ворошин, В.А. Сидоров ; Рос. акад. наук,"
        " Дальневост. отд-ние, Сев.-Вост. науч. центр, Сев.-Вост. комплекс. науч.-исслед. ин-т",
        "authors": (
            {"name": "Гончаров, В. И.", "kind": "person", "role": "070", "dates": ""},
            {"name": "Ворошин, С. В.", "kind": "person", "role": "070", "dates": ""},
            {"name": "Сидоров, В. А.", "kind": "person", "role": "070", "dates": ""},
        ),
        "subjects": (
            "Наталкинское золоторудное месторождение",
            "Золоторудные месторождения",
            "Наталкинское золоторудное месторожд., Яно-Колым. складчатая система,"
            " месторожд. полез. ископаемых",
        ),
        "languages": ("rus",),
        "scripts": ("Cyrl", "Latn"),
        "year": 2002,
        "date": "2002",
        "place": "Магадан",
        "publisher": "СВКНИИ ДВО РАН",
        "extent": "250 с. : ил., карты ; 29",
        "isbns": ("9785947290172",),
        "other_ids": ("RU\\NLR\\bibl\\340009",),
        "type": "book",
        "notes": (
            "На парал. тит. л. авт. на англ. яз.: V.I. Goncharov, S.V. Voroshin, V.A. Sidorov",
            "Библиогр.: с. 223-229",
        ),
        "alt_titles": ("Natalka gold lode deposit",),
        "alt_names": (
            "Гончаров, Владислав Иванович",
            "Ворошин, Сергей Вячеславович",
            "Сидоров, Виктор Анатольевич",
        ),
        "detected": ("scripts",),
    }


def test_rusmarc_cyrillic_x_check_digit_and_series() -> None:
    rec = normalise_iso("rusmarc_TEST1.ISO", 15, prefix="rusmarc")
    assert rec.isbns == ("9785900776316",)  # catalogued as 5-900776-31-х (Cyrillic х)
    assert rec.invalid_isbns == ()
    assert rec.series == ('Библиотечка журнала МКПЦН "Аудит и налогообложение" ; Nш 3(21), 98',)


def test_rusmarc_whole_file_normalises_and_links_resolve() -> None:
    items = iso_records("rusmarc_TEST1.ISO")
    recs = [
        normalise(marc_raw(m, f"nlr-{i}", prefix="rusmarc"), detect_language=False)
        for i, m in enumerate(items)
        if isinstance(m, MarcRecord)
    ]
    assert len(recs) == 81
    assert all(r.format == "rusmarc" and r.title for r in recs)
    controls = {i for r in recs for i in r.other_ids}
    linked = [p for r in recs for p in r.parent_ids]
    assert len(linked) >= 30
    assert sum(p in controls for p in linked) >= 1


def test_utf8_rusmarc_with_three_character_indicators() -> None:
    rec = normalise_iso("rusmarc_ur.iso", 0, prefix="marc")  # the prefix says nothing
    assert rec.format == "rusmarc"
    assert rec.title == "ПЕДАГОГИКА И ПСИХОЛОГИЯ НЕНАСИЛИЯ В ОБРАЗОВАНИИ"
    assert rec.subtitle == "Учебное пособие для бакалавров"
    assert rec.responsibility == "Маралов В.Г., Ситаров В.А."
    assert rec.authors[0].name == "Маралов, В. Г."
    assert rec.alt_names == ("Маралов, Владимир Георгиевич",)
    assert rec.isbns == ("9785991616621",)
    assert rec.edition == "2-е изд. ; пер. и доп"
    assert (rec.place, rec.publisher, rec.year) == ("М.", "Издательство Юрайт", 2012)
    assert rec.extent == "424"
    assert rec.series == ("Бакалавр и магистр. Модуль",)
    assert rec.subjects == (
        "Гуманитарные и общественные науки",
        "Основы педагогического мастерства",
        "Педагогика",
        "Психологический практикум: тренинг педагогического общения",
        "Психология",
        "Психология агрессии",
    )
    assert rec.links[0].url.startswith("http://www.biblio-online.ru/thematic/?id=urait.")
    assert rec.languages == ("rus",)
    f610 = iso_records("rusmarc_ur.iso")[0]
    assert isinstance(f610, MarcRecord)
    assert {(f.ind1, f.ind2) for f in f610.fields("610")} == {(" ", " ")}


def test_unimarc_iccu_record_field_by_field() -> None:
    rec = normalise_iso("pymarc_testunimarc.dat", 0, prefix="unimarc")
    assert mapped(rec) == {
        "format": "unimarc",
        "title": "L'altra faccia della spirale",
        "responsibility": "Isaac Asimov ; traduzione di Cesare Scaglia ; introduzione di"
        " Fruttero & Lucentini",
        "authors": (
            {"name": "Asimov, Isaac", "kind": "person", "role": "070", "dates": ""},
            {"name": "Fruttero, Carlo", "kind": "person", "role": "", "dates": ""},
            {"name": "Lucentini, Franco", "kind": "person", "role": "", "dates": ""},
            {"name": "Scaglia, Cesare", "kind": "person", "role": "", "dates": ""},
        ),
        "languages": ("ita",),
        "scripts": ("Latn",),
        "year": 1996,
        "date": "1996",
        "place": "Milano",
        "publisher": "A. Mondadori",
        "extent": "V, 201 p. ; 20 cm.",
        "isbns": ("9788804406822",),
        "other_ids": ("IT\\ICCU\\ANA\\0019370",),
        "type": "book",
        "series": ("Bestsellers ; 641", "Il ciclo delle fondazioni ; 4"),
        "detected": ("scripts",),
    }


def test_unimarc_file_second_record_is_an_error_not_a_crash() -> None:
    items = iso_records("pymarc_testunimarc.dat")
    assert isinstance(items[0], MarcRecord)
    err = items[1]
    assert not isinstance(err, MarcRecord)
    assert err.step == "iso2709" and "byte 2498" in err.reason


def test_flavour_detection_from_the_record() -> None:
    uni = MarcRecord("00000nam0 22000001i 450 ", [Field("200", "1", " ", (("a", "T"),))])
    m21 = MarcRecord("00000nam a2200000 a 4500", [Field("245", "0", "0", (("a", "T"),))])
    assert detect_marc_flavour(uni) == "unimarc"
    assert detect_marc_flavour(m21) == "marc21"
    assert detect_marc_flavour(MarcRecord("00000nam0 22000001i 450 ")) == "unimarc"
    assert not is_rusmarc(uni)
    rec = normalise(RawRecord("x", "1", "oai_marc", "d", xml=uni.to_marcxml()))
    assert rec.format == "unimarc"
    # a provider that labels UNIMARC as marc21: the record wins
    rec = normalise(RawRecord("x", "1", "marc21", "d", xml=uni.to_marcxml()))
    assert (rec.format, rec.title) == ("unimarc", "T")


@pytest.mark.parametrize(
    ("prefix", "fmt"),
    [
        ("oai_dc", "oai_dc"),
        ("marc21", "marc21"),
        ("MARC21", "marc21"),
        ("marcxml", "marc21"),
        ("unimarc", "unimarc"),
        ("rusmarc", "rusmarc"),
        ("marc", ""),
        ("mods", ""),
    ],
)
def test_format_of_prefix(prefix: str, fmt: str) -> None:
    assert format_of_prefix(prefix) == fmt


def test_embedded_link_fields() -> None:
    f = Field(
        "461",
        " ",
        "0",
        (("1", "001RU\\NLR\\bibl\\5996"), ("1", "2001 "), ("a", "Задачи"), ("v", "Вып. 1")),
    )
    inner = embedded(f)
    assert inner[0] == Field("001", data="RU\\NLR\\bibl\\5996")
    assert inner[1].tag == "200" and inner[1].get("a") == "Задачи"


def test_unimarc_prefix_on_a_marcxml_document() -> None:
    rec = iso_records("rusmarc_TEST1.ISO")[26]
    assert isinstance(rec, MarcRecord)
    got = normalise(marc_raw(rec, "nlr-26", prefix="rusmarc"), detect_language=False)
    assert got.title == "Наталкинское золоторудное месторождение"
