"""Simple Dublin Core (``oai_dc``) → ``Record``, as named steps.

Every DC element is read, repeated values kept: title (the first is the title, the others
and titles in other ``xml:lang`` go to ``alt_titles``), creator and contributor (authors;
a contributor who is also a creator is listed once, as DSpace repeats them), subject and
coverage (subjects), description, source, relation and rights (notes), publisher, date
(``year`` and ``date``; DSpace sends accessioned/available timestamps beside the issue
date, so a date without a time of day wins, and the earliest of those), type (``type``),
format (``extent`` unless it is a MIME type or a byte count), identifier (ISBNs, ISSNs and
URLs recognised as such, the rest in ``other_ids``), language in any form → ISO 639-2/B.
``xml:lang`` on the title stands in for a missing dc:language and is marked detected.
"""

from __future__ import annotations

import re

from lxml import etree

from indexer.errors import NormaliseError
from indexer.normalise.languages import to_marc_language, to_marc_languages
from indexer.normalise.marcxml import local_name, parse_xml
from indexer.normalise.steps import Context, Step, step
from indexer.normalise.types import type_from_dc
from indexer.normalise.values import (
    dedup,
    is_url,
    looks_like_isbn,
    split_isbns,
    valid_issn,
)
from indexer.record import Link, Name

DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)
_ELEMENT_SET = frozenset(ELEMENTS)
_MIME = re.compile(r"^[a-z]+/[-+.\w]+$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


class DCValue:
    """One DC element value with its ``xml:lang`` (if any)."""

    __slots__ = ("lang", "value")

    def __init__(self, value: str, lang: str = "") -> None:
        self.value = value
        self.lang = lang


def read_dc(xml: str | bytes) -> dict[str, list[DCValue]]:
    """Element name → values, from an ``oai_dc:dc`` document (bare or in an OAI envelope)."""
    root = parse_xml(xml)
    container = next((el for el in root.iter() if local_name(el.tag) == "dc"), root)
    out: dict[str, list[DCValue]] = {}
    found = local_name(container.tag) == "dc"
    for el in container:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        ns, _, local = tag[1:].partition("}") if tag[0] == "{" else ("", "", tag)
        if local.startswith("dc:"):  # a prefix whose declaration was lost
            local = local[3:]
            ns = DC_NS
        if local not in _ELEMENT_SET or ns not in (DC_NS, DCTERMS_NS, ""):
            continue
        found = True
        text = " ".join("".join(el.itertext()).split())
        if text:
            out.setdefault(local, []).append(DCValue(text, el.get(XML_LANG, "")))
    if not found:
        raise NormaliseError(
            f"no Dublin Core in the document (root element <{etree.QName(root).localname}>)",
            step="read_dc",
        )
    return out


def _v(ctx: Context, name: str) -> list[str]:
    return [d.value for d in ctx.source.get(name, [])]


@step("title")
def title(ctx: Context) -> None:
    titles: list[DCValue] = ctx.source.get("title", [])
    if not titles:
        return
    ctx.set("title", titles[0].value.rstrip(" ./").strip())
    ctx.set("alt_titles", list(dedup([t.value for t in titles[1:]])))


@step("authors")
def authors(ctx: Context) -> None:
    creators = list(dedup(_v(ctx, "creator")))
    names = [Name(name=n, kind="person", role="creator") for n in creators]
    names += [
        Name(name=n, kind="person", role="contributor")
        for n in dedup(_v(ctx, "contributor"))
        if n not in creators
    ]
    ctx.set("authors", names)


@step("subjects")
def subjects(ctx: Context) -> None:
    ctx.set("subjects", list(dedup(_v(ctx, "subject") + _v(ctx, "coverage"))))


@step("notes")
def notes(ctx: Context) -> None:
    values = _v(ctx, "description") + _v(ctx, "source") + _v(ctx, "relation")
    values += _v(ctx, "rights")
    ctx.set("notes", list(dedup(values)))
    ctx.set("publisher", "; ".join(dedup(_v(ctx, "publisher"))))


def parse_date(value: str) -> tuple[int | None, bool]:
    """(year, has time of day) for a dc:date in the forms repositories use:
    "2004", "2004-01", "2004-01-12", "2004-01-12T10:00:00Z", "12.01.2004", "01/12/2004",
    "[2004?]", "c2004", "2004-2005", "Spring 2004"."""
    v = value.strip().strip("[]?. ")
    timed = "T" in v and bool(re.search(r"T\d{2}:\d{2}", v))
    head = v.split("T", 1)[0] if timed else v
    m = _ISO_DATE.match(head)
    if m:
        return int(m.group(1)), timed
    m = _DMY.match(head)
    if m:
        return int(m.group(3)), timed
    m = re.search(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)", v)
    return (int(m.group(1)) if m else None), timed


@step("date")
def date(ctx: Context) -> None:
    best: tuple[bool, int, str] | None = None
    for value in _v(ctx, "date"):
        year, timed = parse_date(value)
        if year is None:
            continue
        key = (timed, year, value)
        if best is None or key < best:
            best = key
    if best is not None:
        ctx.out["year"] = best[1]
        ctx.set("date", best[2])
    elif _v(ctx, "date"):
        ctx.set("date", _v(ctx, "date")[0])


@step("type_and_format")
def type_and_format(ctx: Context) -> None:
    ctx.set("type", type_from_dc(_v(ctx, "type")))
    extent = [f for f in _v(ctx, "format") if not _MIME.match(f.split()[0]) and not f.isdigit()]
    ctx.set("extent", "; ".join(dedup(extent)))


@step("identifiers")
def identifiers(ctx: Context) -> None:
    isbn_like: list[str] = []
    issns: list[str] = []
    other: list[str] = []
    links: list[Link] = []
    for value in _v(ctx, "identifier"):
        low = value.lower()
        if is_url(value):
            links.append(Link(url=value))
        elif looks_like_isbn(value):
            isbn_like.append(re.sub(r"^(urn:)?isbn[:\s]*", "", value, flags=re.IGNORECASE))
        elif low.startswith(("issn", "urn:issn")) or re.fullmatch(r"\d{4}-\d{3}[\dXx]", value):
            code = valid_issn(value)
            if code:
                issns.append(code)
            else:
                other.append(value)
        else:
            other.append(value)
    valid, invalid = split_isbns(isbn_like)
    ctx.set("isbns", valid)
    ctx.set("invalid_isbns", invalid)
    ctx.set("issns", list(dedup(issns)))
    ctx.set("other_ids", list(dedup(other)))
    ctx.set("links", list(dict.fromkeys(links)))


@step("languages")
def languages(ctx: Context) -> None:
    codes: list[str] = []
    for value in _v(ctx, "language"):
        codes.extend(to_marc_languages(value))
    codes = [c for c in dedup(codes) if c not in ("und", "zxx")]
    if codes:
        ctx.set("languages", codes)
        return
    lang = next((t.lang for t in ctx.source.get("title", []) if t.lang), "")
    code = to_marc_language(lang) if lang else ""
    if code:
        ctx.set("languages", [code])
        ctx.detected.append("languages")


STEPS: tuple[Step, ...] = (
    title,
    authors,
    subjects,
    notes,
    date,
    type_and_format,
    identifiers,
    languages,
)
