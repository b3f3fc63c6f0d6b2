"""A fast path for reading MARCXML: regular expressions instead of an XML tree.

MARCXML is flat and regular (record → leader, controlfield, datafield → subfield), and
building an element tree and walking it from Python costs more than the whole mapping of
a record. This scanner reads the fields with a handful of compiled patterns and then
proves it understood the whole document: every ``<`` in it must belong to a tag it read.
Anything it does not fully account for — comments, CDATA, processing instructions,
unknown elements, an entity it does not know, a carriage return, broken nesting — makes
``scan`` return None, and the caller parses the document with lxml, which reads every
legal form and reports real errors. So the scanner never decides that a document is
well-formed on its own; it only speeds up the documents it can read completely.
"""

from __future__ import annotations

import re

from indexer.normalise.marc import Field, MarcRecord

_P = r"(?:[\w.-]+:)?"  # an optional namespace prefix
_ATTRS = r"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*"
_FIRST = re.compile(rf"\s*<{_P}(record|collection)\b")
_RECORD = re.compile(rf"<{_P}record{_ATTRS}>(.*?)</{_P}record\s*>", re.S)
_OPEN = re.compile(rf"<{_P}record{_ATTRS}>")
_CLOSE = re.compile(rf"</{_P}record\s*>")
_COLLECTION = re.compile(rf"\s*<{_P}collection{_ATTRS}>(.*)</{_P}collection\s*>\s*$", re.S)
_FIELD = re.compile(rf"<{_P}(leader|controlfield|datafield){_ATTRS}(?:/>|>(.*?)</{_P}\1\s*>)", re.S)
_SUB = re.compile(
    rf"<{_P}subfield\s+code\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')\s*(?:/>|>([^<]*)</{_P}subfield\s*>)"
)
_CANON = re.compile(
    r"\s+tag=([\"'])([^\"'<]*)\1\s+ind1=([\"'])([^\"'<]*)\3\s+ind2=([\"'])([^\"'<]*)\5\s*$"
)
_TAG_ONLY = re.compile(r"\s+tag=([\"'])([^\"'<]*)\1\s*$")
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class _NotSimple(Exception):
    """The document uses something the scanner does not read; lxml must."""


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] == "#":
        code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _NotSimple
        return chr(code)
    return _NAMED[name]


def _text(s: str) -> str:
    if "&" not in s:
        return s
    if s.count("&") != len(_ENTITY.findall(s)):
        raise _NotSimple  # a bare "&" or an entity only a DTD could define
    return _ENTITY.sub(_entity, s)


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, dq, sq in _ATTR.findall(raw):
        out[name.rpartition(":")[2]] = _text(dq or sq)
    return out


def _record(body: str) -> tuple[MarcRecord, int]:
    """The record in ``body`` and how many tags (``<``) it accounted for."""
    leader = ""
    fields: list[Field] = []
    append = fields.append
    tags = 0
    for kind, raw_attrs, content in _FIELD.findall(body):
        if kind == "datafield":
            m = _CANON.match(raw_attrs)
            if m is not None:
                tag, ind1, ind2 = m.group(2), m.group(4), m.group(6)
            else:
                a = _attrs(raw_attrs)
                tag, ind1, ind2 = a.get("tag", ""), a.get("ind1", " "), a.get("ind2", " ")
            subs = _SUB.findall(content)
            tags += 2 + 2 * len(subs)
            if "&" in content:
                pairs = tuple([(_text(dq or sq), _text(v)) for dq, sq, v in subs])
            else:
                pairs = tuple([(dq or sq, v) for dq, sq, v in subs])
            append(Field(tag.strip(), ind1[:1] or " ", ind2[:1] or " ", pairs))
        elif kind == "controlfield":
            if "<" in content:
                raise _NotSimple
            tags += 2
            t = _TAG_ONLY.match(raw_attrs)
            tag = t.group(2) if t is not None else _attrs(raw_attrs).get("tag", "")
            append(Field(tag.strip(), data=_text(content)))
        else:
            if "<" in content:
                raise _NotSimple
            tags += 2
            leader = _text(content)
    return MarcRecord(leader, fields), tags


def scan(xml: str) -> list[MarcRecord] | None:
    """The MARC records of a simple MARCXML document, or None when lxml must read it."""
    if "<!" in xml or "<?" in xml or "\r" in xml:
        return None
    first = _FIRST.match(xml)
    if first is None:
        return None
    try:
        if first.group(1) == "collection":
            m = _COLLECTION.match(xml)
            if m is None:
                return None
            inner = m.group(2)
            tags = 2
            records = []
            for _attrs_raw, body in _RECORD.findall(inner):
                rec, n = _record(body)
                records.append(rec)
                tags += 2 + n
        else:
            # a bare record: the body runs from its start tag to the last end tag
            lt = xml.index("<")
            start = _OPEN.match(xml, lt)
            close = xml.rfind("</")
            end = _CLOSE.match(xml, close)
            if start is None or end is None or close < start.end() or xml[end.end() :].strip():
                return None
            rec, n = _record(xml[start.end() : close])
            records = [rec]
            tags = 2 + n
    except _NotSimple:
        return None
    if tags != xml.count("<") or not records:
        return None
    return records
