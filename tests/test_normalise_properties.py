"""Property tests: whatever well-formed XML or MARC fields come in, the normaliser returns
a Record or raises NormaliseError; nothing else escapes, and a failure names its step."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from harvester.store import RawRecord
from indexer.errors import NormaliseError
from indexer.normalise import normalise
from indexer.normalise.iso2709 import iter_iso2709
from indexer.normalise.marc import Field, MarcRecord
from indexer.record import Record

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# XML-safe text (no C0 controls, no surrogates), with Cyrillic, Kazakh and Azerbaijani letters
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\ufffe\uffff",
    )
    | st.sampled_from("қғңөүұһәіəğışçöüҹҝ/:;=.,[]()-"),
    max_size=40,
)
TAG = st.from_regex(r"\A[0-9]{3}\Z") | st.sampled_from(
    [
        "245",
        "100",
        "700",
        "020",
        "022",
        "008",
        "041",
        "260",
        "264",
        "856",
        "880",
        "200",
        "210",
        "461",
        "101",
        "010",
        "011",
        "606",
        "215",
    ]
)
CODE = st.sampled_from(list("abcdefghnpuvxyz0123456"))


@st.composite
def marc_fields(draw: st.DrawFn) -> Field:
    tag = draw(TAG)
    if tag < "010":
        return Field(tag, data=draw(TEXT))
    subs = draw(st.lists(st.tuples(CODE, TEXT), max_size=6))
    return Field(tag, draw(st.sampled_from(" 01")), draw(st.sampled_from(" 01")), tuple(subs))


@st.composite
def marc_records(draw: st.DrawFn) -> MarcRecord:
    leader = draw(st.from_regex(r"\A[0-9 a-z]{24}\Z"))
    return MarcRecord(leader, draw(st.lists(marc_fields(), max_size=12)))


def _check(raw: RawRecord) -> None:
    try:
        rec = normalise(raw, detect_language=False)
    except NormaliseError as e:
        assert e.step and e.reason and e.record_id == f"{raw.source}:{raw.identifier}"
    else:
        assert isinstance(rec, Record)
        assert rec.raw_xml == raw.xml


@SETTINGS
@given(marc_records(), st.sampled_from(["marc21", "unimarc", "rusmarc", "marc"]))
def test_arbitrary_marc_fields(rec: MarcRecord, prefix: str) -> None:
    _check(RawRecord("p", "x", prefix, "d", xml=rec.to_marcxml()))


@st.composite
def xml_trees(draw: st.DrawFn) -> str:
    names = st.sampled_from(
        [
            "record",
            "leader",
            "controlfield",
            "datafield",
            "subfield",
            "collection",
            "dc",
            "title",
            "creator",
            "date",
            "identifier",
            "language",
            "metadata",
            "x",
        ]
    )
    nss = st.sampled_from(
        [
            "",
            "http://www.loc.gov/MARC21/slim",
            "http://purl.org/dc/elements/1.1/",
            "http://www.openarchives.org/OAI/2.0/oai_dc/",
        ]
    )

    def build(depth: int) -> etree._Element:
        ns = draw(nss)
        el = etree.Element(f"{{{ns}}}{draw(names)}" if ns else draw(names))
        for attr in draw(st.lists(st.sampled_from(["tag", "ind1", "ind2", "code"]), max_size=3)):
            el.set(attr, draw(TEXT))
        el.text = draw(TEXT)
        if depth < 3:
            for _ in range(draw(st.integers(0, 3))):
                el.append(build(depth + 1))
        return el

    return etree.tostring(build(0), encoding="unicode")


@SETTINGS
@given(xml_trees(), st.sampled_from(["oai_dc", "marc21", "unimarc", "whatever"]))
def test_arbitrary_well_formed_xml(xml: str, prefix: str) -> None:
    _check(RawRecord("p", "x", prefix, "d", xml=xml))


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_iso2709(data: bytes) -> None:
    for item in iter_iso2709(data):
        assert isinstance(item, MarcRecord | NormaliseError)


def test_records_built_fast_equal_records_built_by_the_model() -> None:
    xml = (
        "<record><leader>00000nam a2200000 a 4500</leader><datafield tag='245' ind1='0'"
        " ind2='0'><subfield code='a'>Абай жолы</subfield></datafield></record>"
    )
    rec = normalise(RawRecord("p", "x", "marc21", "d", xml=xml), detect_language=False)
    again = Record.from_json(rec.to_json())
    assert again == rec and hash(again) == hash(rec)
