"""A record written out for other tools: MARCXML, oai_dc, JSON, RIS and BibTeX.

MARCXML and oai_dc give the library's own record when it came in that format; otherwise
they are built from the normalised record (pymarc, lxml), with only the fields it has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pymarc
from lxml import etree

from indexer.backends.base import Holding
from indexer.record import Record

MARC_FORMATS = ("marc21", "marcxml", "unimarc", "rusmarc")
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"

RIS_TYPES = {
    "book": "BOOK",
    "serial": "SER",
    "article": "JOUR",
    "map": "MAP",
    "score": "MUSIC",
    "recording": "SOUND",
    "video": "VIDEO",
    "image": "ART",
    "manuscript": "MANSCPT",
    "electronic": "ELEC",
    "kit": "GEN",
    "mixed": "GEN",
    "other": "GEN",
}
BIBTEX_TYPES = {
    "book": "book",
    "article": "article",
    "manuscript": "unpublished",
    "serial": "periodical",
}


def to_marcxml(record: Record) -> str:
    if record.format in MARC_FORMATS and record.raw_xml.strip():
        return record.raw_xml
    rec = pymarc.Record(force_utf8=True)
    rec.leader = pymarc.Leader("     nam a22     uu 4500")
    rec.add_field(pymarc.Field(tag="001", data=record.id))
    for isbn in record.isbns:
        rec.add_field(_df("020", [("a", isbn)]))
    for issn in record.issns:
        rec.add_field(_df("022", [("a", issn)]))
    for lang in record.languages:
        rec.add_field(_df("041", [("a", lang)]))
    names = list(record.authors)
    if names:
        tag = "110" if names[0].kind == "body" else "100"
        rec.add_field(_df(tag, [("a", names[0].name), ("e", names[0].role)]))
    title = [
        ("a", record.title),
        ("b", record.subtitle),
        ("n", record.volume),
        ("c", record.responsibility),
    ]
    rec.add_field(_df("245", title, "0", "0"))
    if record.edition:
        rec.add_field(_df("250", [("a", record.edition)]))
    pub = [("a", record.place), ("b", record.publisher), ("c", record.date or _year(record))]
    if any(v for _, v in pub):
        rec.add_field(_df("264", pub, " ", "1"))
    if record.extent:
        rec.add_field(_df("300", [("a", record.extent)]))
    for note in record.notes:
        rec.add_field(_df("500", [("a", note)]))
    for subject in record.subjects:
        rec.add_field(_df("650", [("a", subject)], " ", "4"))
    for name in names[1:]:
        rec.add_field(
            _df("710" if name.kind == "body" else "700", [("a", name.name), ("e", name.role)])
        )
    for link in record.links:
        rec.add_field(_df("856", [("u", link.url), ("y", link.label)], "4", "0"))
    xml = pymarc.record_to_xml(rec, namespace=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml.decode("utf-8")


def _df(
    tag: str, subfields: Iterable[tuple[str, str]], i1: str = " ", i2: str = " "
) -> pymarc.Field:
    subs = [pymarc.Subfield(code, value) for code, value in subfields if value]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(i1, i2), subfields=subs)


def _year(record: Record) -> str:
    return str(record.year) if record.year is not None else ""


def to_oai_dc(record: Record) -> str:
    if record.format == "oai_dc" and record.raw_xml.strip():
        return record.raw_xml
    nsmap = {"oai_dc": OAI_DC_NS, "dc": DC_NS}
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap=nsmap)

    def add(name: str, value: str) -> None:
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = value

    add("title", " : ".join(t for t in (record.title, record.subtitle) if t))
    for a in record.authors:
        add("creator", a.name)
    for s in record.subjects:
        add("subject", s)
    for n in record.notes:
        add("description", n)
    add("publisher", record.publisher)
    add("date", record.date or _year(record))
    add("type", record.type)
    add("format", record.extent)
    for isbn in record.isbns:
        add("identifier", f"URN:ISBN:{isbn}")
    for link in record.links:
        add("identifier", link.url)
    for lang in record.languages:
        add("language", lang)
    xml = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def to_json(record: Record, holdings: Iterable[Holding]) -> str:
    body = record.to_dict(with_raw=True)
    body["holdings"] = [{"library": h.library, "id": h.id} for h in holdings]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _ris_clean(value: str) -> str:
    return " ".join(value.split())


def to_ris(record: Record) -> str:
    lines = [("TY", RIS_TYPES.get(record.type, "GEN"))]
    lines.append(("TI", record.title))
    lines.append(("T2", record.subtitle))
    lines += [("AU", a.name) for a in record.authors]
    lines.append(("PY", _year(record)))
    lines.append(("CY", record.place))
    lines.append(("PB", record.publisher))
    lines.append(("ET", record.edition))
    lines.append(("SP", record.extent))
    lines += [("SN", v) for v in (*record.isbns, *record.issns)]
    lines += [("KW", s) for s in record.subjects]
    lines += [("LA", lang) for lang in record.languages]
    lines += [("UR", link.url) for link in record.links]
    lines += [("N1", n) for n in record.notes]
    lines.append(("ID", record.id))
    body = "".join(f"{tag}  - {_ris_clean(v)}\r\n" for tag, v in lines if _ris_clean(v))
    return body + "ER  - \r\n"


_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX))


def _tex(value: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], " ".join(value.split()))


def bibtex_key(record: Record) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", record.id).strip("_") or "record"


def to_bibtex(record: Record) -> str:
    fields: list[tuple[str, str]] = [("title", _tex(record.title))]
    if record.subtitle:
        fields.append(("subtitle", _tex(record.subtitle)))
    persons = [
        _tex(a.name) if a.kind == "person" else "{" + _tex(a.name) + "}" for a in record.authors
    ]
    if persons:
        fields.append(("author", " and ".join(persons)))
    fields += [
        ("year", _year(record)),
        ("edition", _tex(record.edition)),
        ("publisher", _tex(record.publisher)),
        ("address", _tex(record.place)),
        ("isbn", ", ".join(record.isbns)),
        ("issn", ", ".join(record.issns)),
        ("language", ", ".join(record.languages)),
        ("keywords", _tex(", ".join(record.subjects))),
        ("url", _tex(record.links[0].url) if record.links else ""),
        ("note", _tex(" ".join(record.notes))),
    ]
    entry = BIBTEX_TYPES.get(record.type, "misc")
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{entry}{{{bibtex_key(record)},\n{body}\n}}\n"
