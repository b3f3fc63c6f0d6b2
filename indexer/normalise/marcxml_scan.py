"""A regular-expression reader for plain MARCXML, the shape almost every record has.

lxml builds a tree and then a Python proxy object for every element it hands out; for a
harvested record of ~15 fields that is most of the reading time. A plain MARCXML record
(one ``record``, optionally in a ``collection``; one namespace prefix or none; attributes
double-quoted in schema order; no entities, comments, CDATA or processing instructions) is
regular enough for two regular expressions: one over the fields, one over the subfields
of each data field.

The scanner is strict rather than clever. Every ``<`` of the record must belong to an
element it recognised (so nothing unknown hides between them), and a document it does not
fully recognise is not read: ``scan`` returns None and the lxml reader takes it, reads
every variant and names what is wrong with a broken document. So the fast path never
accepts what lxml rejects and never reads a value differently; tests/test_normalise_scan.py
holds both readers to the same result.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from indexer.normalise.marc import Field, MarcRecord

# Characters XML 1.0 does not allow (lxml rejects them), and "\r", which XML parsers turn
# into "\n": documents with any of them go to lxml.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_S = "[ \t\n]"  # XML white space ("\r" is excluded above); \\s and str.isspace know more
_ATTRS = rf"""(?:{_S}+[A-Za-z_][\w.:-]*{_S}*={_S}*(?:"[^"<&\t\n]*"|'[^'<&\t\n]*'))*{_S}*"""
_HEAD = re.compile(
    rf"{_S}*(?:<\?xml[^<>]*\?>{_S}*)?"
    rf"(?:<([A-Za-z_][\w.-]*:)?collection({_ATTRS})>{_S}*)?"
    rf"<([A-Za-z_][\w.-]*:)?record({_ATTRS})>"
)
_ATTR_NAME = re.compile(rf"([A-Za-z_][\w.:-]*){_S}*={_S}*(\"[^\"]*\"|'[^']*')")
_VALUE = r'"([^"<&\t\n]*)"'  # lxml replaces tabs and newlines in attribute values


def _patterns(prefix: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(field pattern, subfield pattern) for elements written with ``prefix``.

    Tags are three letters or digits and indicators one character each (anything else is
    left to lxml, which trims and pads them), so the values need no cleaning here.
    """
    p, s = re.escape(prefix), _S
    subfield = rf"<{p}subfield{s}+code={_VALUE}{s}*>([^<]*)</{p}subfield{s}*>"
    plain_subfield = rf'<{p}subfield{s}+code="[^"<&\t\n]*"{s}*>[^<]*+</{p}subfield{s}*>'
    field = (
        rf'<{p}(?:datafield{s}+tag="([0-9A-Za-z]{{3}})"{s}+ind1="([^"<&\t\n])"'
        rf'{s}+ind2="([^"<&\t\n])"{s}*>'
        rf"((?:[^<]*+{plain_subfield})*+[^<]*+)</{p}datafield{s}*>"
        rf'|controlfield{s}+tag="([0-9A-Za-z]{{3}})"{s}*>([^<]*)</{p}controlfield{s}*>'
        rf"|leader{s}*>([^<]*)</{p}leader{s}*>)"
    )
    return re.compile(field), re.compile(subfield)


_CACHE: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {}


@lru_cache(maxsize=64)  # a provider writes the same start tag on every record
def _attributes_ok(attrs: str) -> bool:
    """No attribute twice, no prefix bound to the empty namespace name (lxml rejects both)."""
    if not attrs.strip(" \t\n"):
        return True
    pairs = _ATTR_NAME.findall(attrs)
    names = [n for n, _v in pairs]
    if len(names) != len(set(names)):
        return False
    return not any(n.startswith("xmlns:") and len(v) == 2 for n, v in pairs)


class _Start(NamedTuple):
    """What a document's start (up to its record's start tag) tells the reader."""

    text: str  # the start itself
    prefix: str  # of the record's elements
    in_collection: bool
    close: str  # the record's end tag, up to its ">"
    patterns: tuple[re.Pattern[str], re.Pattern[str]]


# The start of the last document read. A provider writes the same start on every record, and
# a document that begins with that same text has that same start (the pattern's match ends
# at the start tag's ">", which nothing after it changes): one comparison instead of the
# pattern and the attribute checks.
_last_start: _Start | None = None


def _start(xml: str) -> _Start | None:
    global _last_start
    head = _HEAD.match(xml)
    if head is None:
        return None
    cprefix, cattrs, prefix, attrs = head.groups()
    prefix = prefix or ""
    in_collection = cattrs is not None
    if (in_collection and (cprefix or "") != prefix) or not _attributes_ok(attrs):
        return None
    if in_collection and not _attributes_ok(cattrs):
        return None
    pats = _CACHE.get(prefix)
    if pats is None:
        pats = _CACHE[prefix] = _patterns(prefix)
    found = _Start(head.group(0), prefix, in_collection, f"</{prefix}record", pats)
    _last_start = found
    return found


def scan(xml: str) -> list[MarcRecord] | None:
    """The record of a plain MARCXML document (as a one-item list), or None when the
    document is anything else: the lxml reader decides about those."""
    # ("]" first: one character is found much faster than three, and most records have none)
    if "&" in xml or ("]" in xml and "]]>" in xml):
        return None
    if not xml.isprintable() and _NOT_XML.search(xml):
        return None
    start = _last_start
    if start is None or not xml.startswith(start.text):
        start = _start(xml)
        if start is None:
            return None
    body = len(start.text)
    end = xml.rfind(start.close)
    if end < body or not _tail_ok(xml, end, start):
        return None
    rec = _read_fields(xml, body, end, *start.patterns)
    return None if rec is None else [rec]


def _tail_ok(xml: str, end: int, start: _Start) -> bool:
    """From ``end`` on: ``</record>`` and, for a collection, ``</collection>``, then only
    white space."""
    prefix, in_collection = start.prefix, start.in_collection
    if not in_collection and len(xml) == end + len(start.close) + 1 and xml[-1] == ">":
        return True  # the usual end: "</record>" ends the document
    rest = xml[end + len(prefix) + 8 :].lstrip(" \t\n")
    if not rest.startswith(">"):
        return False
    rest = rest[1:].strip(" \t\n")
    if not in_collection:
        return not rest
    close = f"</{prefix}collection"
    return rest.startswith(close) and rest[len(close) :].rstrip(" \t\n") == ">"


def _read_fields(
    xml: str, start: int, end: int, field: re.Pattern[str], sub: re.Pattern[str]
) -> MarcRecord | None:
    """The fields between ``start`` and ``end`` (the record's body, read in place); None if
    any ``<`` there is not part of one."""
    subfields = sub.findall
    fields: list[Field] = []
    append = fields.append
    by_tag: dict[str, list[Field]] = {}
    new = tuple.__new__  # Field is a named tuple: this skips its Python-level __new__
    leader = ""
    leaders = 0
    k = 0
    for tag, ind1, ind2, inner, ctag, ctext, ltext in field.findall(xml, start, end):
        if tag:
            # the field pattern took only whole subfields into ``inner``: all of them match
            subs = tuple(subfields(inner))
            f = new(Field, (tag, ind1, ind2, subs, None))
            k += len(subs)
        elif ctag:
            f = new(Field, (ctag, " ", " ", (), ctext))
            tag = ctag
        else:
            leader = ltext
            leaders += 1
            continue
        append(f)
        found = by_tag.get(tag)
        if found is None:
            by_tag[tag] = [f]
        else:
            found.append(f)
    # every "<" must belong to a recognised element: two per field, subfield and leader
    if 2 * (len(fields) + k + leaders) != xml.count("<", start, end):
        return None
    if not (fields or leaders):
        return None  # an empty record: lxml's reader decides what it is
    return MarcRecord(leader, fields, by_tag)
