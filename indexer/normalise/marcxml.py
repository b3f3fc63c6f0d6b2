"""Reading MARCXML (MARC21 slim, and the same shape used for UNIMARC/RUSMARC over OAI-PMH).

Accepts what providers actually send: the ``marc:`` prefix, the default namespace or no
namespace at all (and a prefix whose declaration was lost when the record was cut out of
its OAI envelope), single or double quotes, a ``<collection>`` or a bare ``<record>``, the
record wrapped in an OAI ``<metadata>`` or ``<record>`` envelope. Elements are matched by
local name, so MARCXchange and vendor namespaces read the same.

Plain MARCXML text (nearly every harvested record) is read by a strict regular-expression
scanner (``marcxml_scan.py``); everything else by lxml (fed bytes: it parses them about
twice as fast as a str) and a flat loop over the record's children that lets lxml skip
comments and processing instructions. lxml also names what is wrong with a broken
document: the scanner never reads what lxml would reject.
"""

from __future__ import annotations

import re

from lxml import etree

from indexer.errors import NormaliseError
from indexer.normalise.marc import Field, MarcRecord
from indexer.normalise.marcxml_scan import scan

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)
_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def local_name(tag: object) -> str:
    """The local name of an element tag ("" for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        return tag[tag.index("}") + 1 :]
    i = tag.find(":")
    return tag[i + 1 :] if i >= 0 else tag


def parse_xml(xml: str | bytes) -> etree._Element:
    """Parse a document; undeclared prefixes are tolerated, anything else raises."""
    if isinstance(xml, str):
        xml = _DECL.sub("", xml, count=1).encode("utf-8")  # lxml reads bytes faster
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        if "prefix" not in str(e).lower():
            raise NormaliseError(f"not well-formed XML: {e}", step="parse_xml") from None
        try:
            root = etree.fromstring(xml, _RECOVER)
        except etree.XMLSyntaxError as e2:
            raise NormaliseError(f"not well-formed XML: {e2}", step="parse_xml") from None
        if root is None:
            raise NormaliseError(f"not well-formed XML: {e}", step="parse_xml") from None
        return root


def _is_marc_record(el: etree._Element) -> bool:
    if local_name(el.tag) != "record":
        return False
    for child in el:
        name = local_name(child.tag)
        if name in ("leader", "controlfield", "datafield"):
            return True
        if name:
            return False
    return False


def find_records(root: etree._Element) -> list[etree._Element]:
    """The MARC ``record`` elements in a document (collection, bare, or enveloped)."""
    if _is_marc_record(root):
        return [root]
    name = local_name(root.tag)
    if name == "collection":
        return [el for el in root if _is_marc_record(el)]
    return [el for el in root.iter() if _is_marc_record(el)]


_LOCAL: dict[str, str] = {}


def _name(tag: str) -> str:
    """Local name of an element tag, cached (a record has a handful of distinct tags)."""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = local_name(tag)
    return name


def read_record(el: etree._Element) -> MarcRecord:
    """Turn one ``record`` element into a ``MarcRecord``."""
    leader = ""
    fields: list[Field] = []
    append = fields.append
    for child in el.iterchildren(etree.Element):
        name = _LOCAL.get(child.tag) or _name(child.tag)
        if name == "datafield":
            get = child.get
            append(
                Field(
                    (get("tag") or "").strip(),
                    (get("ind1") or " ")[:1],
                    (get("ind2") or " ")[:1],
                    tuple(
                        [
                            (sf.get("code") or "", sf.text or "")
                            for sf in child.iterchildren(etree.Element)
                        ]
                    ),
                )
            )
        elif name == "controlfield":
            append(Field((child.get("tag") or "").strip(), data=child.text or ""))
        elif name == "leader":
            leader = child.text or ""
    return MarcRecord(leader, fields)


def read_marcxml(xml: str | bytes) -> list[MarcRecord]:
    """Every MARC record in a MARCXML document; raises NormaliseError if there is none.

    Plain MARCXML text is read by the regular-expression scanner (``marcxml_scan``, about
    twice as fast as lxml on the benchmark's records); anything else, broken documents
    included, by lxml.
    """
    if isinstance(xml, str):
        found = scan(xml)
        if found:
            return found
    root = parse_xml(xml)
    els = find_records(root)
    if not els:
        raise NormaliseError(
            f"no MARC record in the document (root element <{local_name(root.tag)}>)",
            step="read_marcxml",
        )
    return [read_record(el) for el in els]


def read_one(xml: str | bytes) -> MarcRecord:
    """The single MARC record of a harvested document (the first if there are several)."""
    return read_marcxml(xml)[0]
