"""The source record as the library catalogued it, ready to show: MARC field by field, or DC.

MARCXML (MARC 21, UNIMARC, RUSMARC) is read with pymarc; Dublin Core with lxml. Anything
else, or XML that does not parse, is shown as the XML text itself. Every value reaches the
template as plain text (it autoescapes).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pymarc
from lxml import etree

from indexer.record import Record

DC_NS = "http://purl.org/dc/elements/1.1/"
MAX_XML = 2_000_000


@dataclass(frozen=True)
class MarcField:
    tag: str
    indicators: str = ""  # e.g. "1#" (blank shown as #)
    value: str = ""  # control fields
    subfields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SourceView:
    kind: str  # marc | dc | xml | none
    format: str
    leader: str = ""
    fields: tuple[MarcField, ...] = ()
    elements: tuple[tuple[str, str], ...] = ()  # DC: (element, value)
    xml: str = ""


def source_view(record: Record) -> SourceView:
    xml = record.raw_xml or ""
    fmt = record.format
    if not xml.strip():
        return SourceView("none", fmt)
    if len(xml) > MAX_XML:
        return SourceView("xml", fmt, xml=xml[:MAX_XML])
    view = _dc(xml, fmt) if "dc" in fmt.lower() else _marc(xml, fmt)
    return view or SourceView("xml", fmt, xml=_pretty(xml))


def _marc(xml: str, fmt: str) -> SourceView | None:
    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(xml.encode("utf-8")))
    except Exception:  # pymarc raises several kinds on bad input; fall back to the XML text
        return None
    records = [r for r in records if r is not None]
    if not records:
        return None
    rec = records[0]
    out = []
    for f in rec.fields:
        if f.is_control_field():
            out.append(MarcField(f.tag, value=f.data or ""))
        else:
            ind = "".join((i or " ").replace(" ", "#") for i in f.indicators)
            subs = tuple((s.code, s.value) for s in f.subfields)
            out.append(MarcField(f.tag, ind, subfields=subs))
    return SourceView("marc", fmt, leader=str(rec.leader), fields=tuple(out))


def _dc(xml: str, fmt: str) -> SourceView | None:
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=_parser())
    except etree.XMLSyntaxError:
        return None
    elements = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace == DC_NS and (el.text or "").strip():
            elements.append((qname.localname, el.text.strip()))
    return SourceView("dc", fmt, elements=tuple(elements)) if elements else None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _pretty(xml: str) -> str:
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=_parser())
    except etree.XMLSyntaxError:
        return xml
    return str(etree.tostring(root, encoding="unicode", pretty_print=True))
