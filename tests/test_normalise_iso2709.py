"""ISO 2709 reading: character sets told apart by content, not by leader/09; bad records
are reported with their offset, never raised."""

from __future__ import annotations

import pytest

from indexer.errors import NormaliseError
from indexer.normalise.iso2709 import cp1251_score, detect_encoding, iter_iso2709, parse_record
from indexer.normalise.marc import Field, MarcRecord
from indexer.normalise.marcxml import read_one
from tests.support.normalise import iso_records, realdata


def _first_record_bytes(name: str) -> bytes:
    data = realdata(name).read_bytes()
    return data[: int(data[:5])]


@pytest.mark.parametrize(
    ("name", "encoding", "leader09"),
    [
        ("pymarc_1251.dat", "cp1251", " "),
        ("rusmarc_TEST1.ISO", "cp1251", " "),
        ("rusmarc_TEST2.ISO", "cp1251", " "),
        ("pymarc_marc8.dat", "marc-8", " "),
        ("pymarc_bad_marc8_escape.dat", "marc-8", " "),
        ("pymarc_utf8_with_leader_flag.dat", "utf-8", "a"),
        ("rusmarc_ur.iso", "utf-8", "a"),
        ("pymarc_testunimarc.dat", "utf-8", " "),
    ],
)
def test_encoding_detected_from_content(name: str, encoding: str, leader09: str) -> None:
    raw = _first_record_bytes(name)
    assert chr(raw[9]) == leader09  # the leader does not say (except once)
    assert detect_encoding(raw) == encoding


def test_marc8_diacritics_decoded_and_composed() -> None:
    rec = iso_records("pymarc_marc8.dat")[0]
    assert isinstance(rec, MarcRecord)
    assert rec.first("240") is not None
    assert rec.fields("240")[0].get("a") == "De la solitude à la communauté."


def test_marc8_and_utf8_copies_of_one_record_read_the_same() -> None:
    a = iso_records("pymarc_marc8.dat")[0]
    b = iso_records("pymarc_utf8_with_leader_flag.dat")[0]
    assert isinstance(a, MarcRecord) and isinstance(b, MarcRecord)
    assert [f for f in a.fields_ if f.tag != "005"] == [f for f in b.fields_ if f.tag != "005"]


def test_cp1251_score_separates_cyrillic_from_misread_marc8() -> None:
    assert cp1251_score("Основы гидравлического расчета") > 0.9
    assert cp1251_score("De la solitude бa la communautвe") < 0.6
    assert cp1251_score("plain ascii") == 0.0


def test_counts_of_real_files() -> None:
    assert len(iso_records("rusmarc_TEST1.ISO")) == 81
    assert len(iso_records("pymarc_1251.dat")) == 6


def test_round_trip_through_marcxml() -> None:
    for item in iso_records("rusmarc_TEST1.ISO")[:10]:
        assert isinstance(item, MarcRecord)
        back = read_one(item.to_marcxml())
        assert back.leader == item.leader
        assert back.fields_ == item.fields_


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"00010nam", "truncated record"),
        (b"00050nam  22000xx   4500" + b"0" * 26, "unreadable leader"),
        (b"00040nam  2200099   4500245001\x1e\x1d", "bad base address"),
        (b"00033nam  2200032   45002450000\x1e\x1d", "not a multiple of 12"),
    ],
)
def test_broken_records_are_errors_with_a_reason(data: bytes, reason: str) -> None:
    items = list(iter_iso2709(data))
    errors = [i for i in items if isinstance(i, NormaliseError)]
    assert errors, items
    assert reason in errors[0].reason
    assert errors[0].step == "iso2709"


def test_a_bad_record_does_not_stop_the_file() -> None:
    good = _first_record_bytes("pymarc_marc8.dat")
    bad = b"00040nam  2200099   4500245001\x1e\x1d"
    items = list(iter_iso2709(good + bad + good))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["MarcRecord", "NormaliseError", "MarcRecord"]


def test_parse_record_three_character_indicators() -> None:
    rec = parse_record(
        b"00049nam  2200037   450 " + b"610001100000\x1e" + b"   \x1faTopic\x1e\x1d",
        encoding="utf-8",
    )
    assert rec.fields_ == [Field("610", " ", " ", (("a", "Topic"),))]
