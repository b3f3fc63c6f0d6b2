"""Crosswalk a MARC21 record to simple Dublin Core (oai_dc), after the LC MARC-to-DC mapping.

NLRK offers every live record in both formats; its oai_dc is made from the very MARC record
it serves, so the two always agree.
"""

from __future__ import annotations

import re

from lxml import etree
from pymarc import Record

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

_TRAILING = re.compile(r"[\s/:;,=.]+$")


def _clean(text: str) -> str:
    """Drop ISBD punctuation at the end of a subfield ('Абай жолы :' -> 'Абай жолы')."""
    return _TRAILING.sub("", text).strip()


def _join(values: list[str], sep: str = " ") -> str:
    return sep.join(v for v in (_clean(x) for x in values) if v)


def crosswalk(record: Record) -> list[tuple[str, str]]:
    """The (element, value) pairs of the DC record, in the order LC's mapping lists them."""
    out: list[tuple[str, str]] = []
    for f in record.get_fields("245"):
        title = _join(f.get_subfields("a"))
        rest = _join(f.get_subfields("b", "n", "p"), ". ")
        out.append(("title", f"{title}: {rest}" if rest and f.get_subfields("b") else
                    f"{title}. {rest}" if rest else title))  # fmt: skip
    for f in record.get_fields("100", "110"):
        out.append(("creator", _join(f.get_subfields("a", "d"), ", ")))
    for f in record.get_fields("650", "651"):
        out.append(("subject", _join(f.get_subfields("a"))))
    for f in record.get_fields("500", "505", "520"):
        out.append(("description", _join(f.get_subfields("a"))))
    for f in record.get_fields("260", "264"):
        for pub in f.get_subfields("b"):
            out.append(("publisher", _clean(pub)))
    for f in record.get_fields("700", "710"):
        out.append(("contributor", _join(f.get_subfields("a", "d"), ", ")))
    for f in record.get_fields("260", "264"):
        for date in f.get_subfields("c"):
            out.append(("date", _clean(date)))
    leader = str(record.leader)
    out.append(("type", "Text"))
    for f in record.get_fields("300"):
        out.extend(("format", extent.strip()) for extent in f.get_subfields("a"))
    for f in record.get_fields("020"):
        for number in f.get_subfields("a"):
            out.append(("identifier", f"URN:ISBN:{number}"))
    for f in record.get_fields("022"):
        for number in f.get_subfields("a"):
            out.append(("identifier", f"URN:ISSN:{number}"))
    for f in record.get_fields("856"):
        for url in f.get_subfields("u"):
            out.append(("identifier", url))
    langs = [code for f in record.get_fields("041") for code in f.get_subfields("a")]
    if not langs and record.get_fields("008"):
        langs = [(record["008"].data or "")[35:38]]
    out.extend(("language", code) for code in langs)
    for f in record.get_fields("490"):
        out.append(("relation", _join(f.get_subfields("a", "v"), " ; ")))
    if leader[7] == "s":
        out[out.index(("type", "Text"))] = ("type", "Text (periodical)")
    return out


def to_element(record: Record) -> etree._Element:
    """The ``oai_dc:dc`` element for ``record``."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    for name, value in crosswalk(record):
        etree.SubElement(root, f"{{{DC}}}{name}").text = value
    return root
