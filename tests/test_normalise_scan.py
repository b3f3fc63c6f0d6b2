"""The regular-expression MARCXML scanner against the lxml reader: the same records from
every document the scanner reads, and no reading at all (None) of anything not plain."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.errors import NormaliseError
from indexer.normalise.marc import MarcRecord
from indexer.normalise.marcxml import find_records, parse_xml, read_record
from indexer.normalise.marcxml_scan import scan
from tests.support.normalise import realdata
from tests.test_normalise_properties import marc_records, xml_trees

NS = "http://www.loc.gov/MARC21/slim"
FIELDS = (
    "<leader>00000nam a2200000 i 4500</leader>"
    '<controlfield tag="001">123</controlfield>'
    '<controlfield tag="008">240101s2020    kz a          000 0 kaz d</controlfield>'
    '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Абай жолы :</subfield>'
    '<subfield code="b">роман /</subfield><subfield code="c">М. Әуезов.</subfield></datafield>'
    '<datafield tag="650" ind1=" " ind2="4"><subfield code="a">Qazaq ádebıeti</subfield>'
    "</datafield>"
)


def lxml_read(xml: str) -> list[MarcRecord] | str:
    """What the lxml reader makes of a document ("error" when it rejects it)."""
    try:
        return [read_record(el) for el in find_records(parse_xml(xml))] or "no record"
    except NormaliseError:
        return "error"


def record(fields: str = FIELDS, *, p: str = "", attrs: str = f' xmlns="{NS}"') -> str:
    body = fields.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}")
    return f"<{p}record{attrs}>{body}</{p}record>"


PLAIN = {
    "default namespace": record(),
    "no namespace": record(attrs=""),
    "marc prefix": record(p="marc:", attrs=f' xmlns:marc="{NS}"'),
    "prefix declared elsewhere": record(p="marc:", attrs=""),
    "declaration": '<?xml version="1.0" encoding="UTF-8"?>\n' + record(),
    "collection": f'<collection xmlns="{NS}">\n  {record(attrs="")}\n</collection>\n',
    "pretty printed": record(FIELDS.replace("><", ">\n    <")),
    "text between subfields": record(FIELDS.replace("</subfield><", "</subfield> x <")),
    "empty values": record(
        '<datafield tag="245" ind1=" " ind2="0"><subfield code="a"></subfield></datafield>'
        '<controlfield tag="001"></controlfield><datafield tag="500" ind1=" " ind2=" ">'
        "</datafield>"
    ),
    "schema attributes": record(
        attrs=f' xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f" xsi:schemaLocation='{NS} http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd'"
    ),
    "leader only": record("<leader>00000nam</leader>"),
}


@pytest.mark.parametrize("xml", PLAIN.values(), ids=PLAIN.keys())
def test_plain_documents_read_as_lxml_reads_them(xml: str) -> None:
    found = scan(xml)
    assert found is not None
    assert found == lxml_read(xml)


NOT_PLAIN = {
    "entity": record(FIELDS.replace("роман", "Science &amp; art")),
    "undefined entity": record(FIELDS.replace("роман", "&nbsp;")),
    "comment": record(FIELDS.replace("<datafield", "<!-- x --><datafield", 1)),
    "cdata": record(FIELDS.replace("роман", "<![CDATA[роман]]>")),
    "processing instruction": record(FIELDS + "<?pi x?>"),
    "single quotes": record(FIELDS.replace('tag="245"', "tag='245'")),
    "other attribute order": record(FIELDS.replace('ind1="1" ind2="0"', 'ind2="0" ind1="1"')),
    "unknown element": record(FIELDS + "<foo>x</foo>"),
    "mixed prefixes": record(FIELDS.replace("<datafield", "<marc:datafield", 1)),
    "two records": f"<collection>{record()}{record()}</collection>",
    "two roots": record() + record(),
    "empty record": record(""),
    "self-closing subfield": record(
        FIELDS.replace('<subfield code="c">М. Әуезов.</subfield>', '<subfield code="c"/>')
    ),
    "unclosed datafield": record(FIELDS.replace("</datafield>", "", 1)),
    "trailing text": record() + " tail",
    "control character": record(FIELDS.replace("роман", "ро\x01ман")),
    "carriage return": record(FIELDS.replace("><", ">\r\n<")),
    "padded tag and empty indicator": record(
        '<datafield tag=" 245" ind1="" ind2="0"><subfield code="a">x</subfield></datafield>'
    ),
    "tab in attribute": record(FIELDS.replace('ind2="4"', 'ind2="\t"')),
    "duplicate attribute": record(attrs=f' xmlns="{NS}" xmlns="{NS}"'),
    "empty prefix binding": record(p="marc:", attrs=' xmlns:marc=""'),
    "OAI envelope": f"<metadata>{record()}</metadata>",
    "unicode space in a tag": record(FIELDS.replace("<datafield ", "<datafield\u00a0", 1)),
}


@pytest.mark.parametrize("xml", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_anything_else_is_left_to_lxml(xml: str) -> None:
    assert scan(xml) is None


@pytest.mark.parametrize("xml", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_a_known_start_does_not_let_the_rest_through(xml: str) -> None:
    """The scanner remembers the last document's start: every document that begins the same
    way is still checked to its end."""
    for start in (record(), record(p="marc:", attrs=f' xmlns:marc="{NS}"')):
        assert scan(start) is not None
        assert scan(xml) is None


def test_a_new_start_is_read_after_another() -> None:
    docs = [record(), f"<collection>{record()}</collection>", record(attrs=""), record()]
    for xml in docs + docs[::-1]:
        assert scan(xml) == lxml_read(xml)


def test_real_batch_as_text_reads_the_same() -> None:
    xml = realdata("pymarc_batch.xml").read_text("utf-8")
    assert scan(xml) is None or scan(xml) == lxml_read(xml)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(marc_records(), st.sampled_from([True, False]))
def test_written_records_read_alike(rec: MarcRecord, namespace: bool) -> None:
    xml = rec.to_marcxml(namespace=namespace)
    found = scan(xml)
    if found is not None:
        assert found == lxml_read(xml)


@SETTINGS
@given(xml_trees())
def test_arbitrary_trees_are_read_alike_or_left_alone(xml: str) -> None:
    found = scan(xml)
    if found is not None:
        assert found == lxml_read(xml)
