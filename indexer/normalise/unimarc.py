"""UNIMARC and RUSMARC → ``Record``: the mapping as named steps over a ``MarcRecord``.

200 title ($a, $h/$i parts; $e subtitle; $f/$g responsibility; $d and 510/517/541 variant
titles), 700/701/702 persons, 710/711/712 bodies and meetings, 010 ISBN, 011 ISSN, 101
language, 210/214 publication, 215 extent, 205 edition, 60X/610 subjects, 856 links,
225/410 series, 461/462/463 links to the parent records of multi-volume works (the parent's
control number, embedded as $1 001…, goes to ``parent_ids``; its title to ``series``),
type from the UNIMARC leader, year from 100 $a/09-12 then 210/214 $d.

RUSMARC is UNIMARC with Russian practice; ``is_rusmarc`` tells them apart for
``Record.format`` and ``detect_marc_flavour`` tells UNIMARC from MARC21 when the
metadataPrefix does not.
"""

from __future__ import annotations

from indexer.normalise.languages import split_codes, to_marc_language
from indexer.normalise.marc import Field, MarcRecord
from indexer.normalise.steps import Context, Step, step
from indexer.normalise.types import type_from_leader
from indexer.normalise.values import (
    dedup,
    soft_trim,
    split_isbns,
    split_issns,
    trim,
    unbracket,
    year_of,
)
from indexer.record import Link, Name

_PERSON_TAGS = ("700", "701", "702")
_BODY_TAGS = ("710", "711", "712")
_LINK_PARENT = ("461", "462", "463")


def detect_marc_flavour(rec: MarcRecord) -> str:
    """'marc21' or 'unimarc' from the record itself (prefixes are often just "marc")."""
    if rec.has("245"):
        return "marc21"
    if rec.has("200") and any(f.data is None for f in rec.fields("200")):
        return "unimarc"
    if rec.leader[20:23] == "450" and rec.leader[23:24] in (" ", ""):
        return "unimarc"
    return "marc21"


def is_rusmarc(rec: MarcRecord) -> bool:
    """True when the record says it was catalogued in Russia or by RUSMARC rules."""
    for f in rec.fields("801"):
        if f.get("a").upper() == "RU" or "rusmarc" in f.get("2").lower():
            return True
    return rec.control("001").upper().startswith(("RU\\", "RU/"))


def _m(ctx: Context) -> MarcRecord:
    rec: MarcRecord = ctx.source
    return rec


def embedded(f: Field) -> list[Field]:
    """The fields embedded in a 4XX link field ($1 starts each: tag, indicators, data)."""
    out: list[Field] = []
    cur_tag = ""
    cur_ind = "  "
    subs: list[tuple[str, str]] = []

    def flush() -> None:
        if cur_tag and cur_tag >= "010":
            out.append(Field(cur_tag, cur_ind[0], cur_ind[1], tuple(subs)))

    for code, value in f.subfields:
        if code == "1":
            flush()
            subs = []
            cur_tag = value[:3]
            if cur_tag < "010":
                out.append(Field(cur_tag, data=value[3:]))
                cur_tag = ""
            else:
                cur_ind = (value[3:5] + "  ")[:2]
        elif cur_tag:
            subs.append((code, value))
    flush()
    return out


def _title_of(f: Field) -> str:
    main = [trim(v) for v in f.values("a")]
    parts = [trim(v) for v in f.values("hi")]
    return ". ".join(p for p in (" ; ".join(main), *parts) if p)


@step("title")
def title(ctx: Context) -> None:
    f = _m(ctx).first("200")
    if f is None:
        return
    ctx.set("title", _title_of(f))
    ctx.set("subtitle", " : ".join(trim(v) for v in f.values("e")))
    ctx.set("responsibility", " ; ".join(trim(v) for v in f.values("fg")))
    ctx.set("volume", trim(" ".join(f.values("h"))))


def _person(f: Field) -> tuple[Name, str] | None:
    entry = trim(f.get("a"))
    if not entry:
        return None
    rest = trim(f.get("b"))
    name = f"{entry}, {rest}" if rest else entry
    extra = " ".join(trim(v) for v in f.values("dc"))
    if extra:
        name = f"{name} {extra}"
    full = trim(f.get("g"))
    alt = f"{entry}, {full}" if full else ""
    role = ", ".join(f.values("4"))
    return Name(name=name, kind="person", role=role, dates=trim(f.get("f"))), alt


def _body(f: Field) -> Name | None:
    name = ". ".join(trim(v) for v in f.values("ab"))
    if not name:
        return None
    kind = "meeting" if f.ind1 == "1" else "body"
    extra = " ; ".join(trim(v) for v in f.values("def"))
    return Name(
        name=f"{name} ({extra})" if extra else name, kind=kind, role=", ".join(f.values("4"))
    )


@step("authors")
def authors(ctx: Context) -> None:
    names: list[Name] = []
    alts: list[str] = []
    for f in _m(ctx).fields(*_PERSON_TAGS, *_BODY_TAGS):
        if f.tag in _PERSON_TAGS:
            got = _person(f)
            if got is not None:
                names.append(got[0])
                alts.append(got[1])
        else:
            b = _body(f)
            if b is not None:
                names.append(b)
    ctx.set("authors", list(dict.fromkeys(names)))
    ctx.set("alt_names", list(dedup(alts)))


@step("subjects")
def subjects(ctx: Context) -> None:
    out = []
    for f in _m(ctx).fields_:
        if f.data is None and (f.tag[:2] == "60" or f.tag == "610"):
            parts = [trim(v) for c, v in f.subfields if c in "abcdfjxyz" and v.strip()]
            if parts:
                out.append(" -- ".join(p for p in parts if p))
    ctx.set("subjects", list(dedup(out)))


@step("languages")
def languages(ctx: Context) -> None:
    codes = [c for f in _m(ctx).fields("101") for v in f.values("a") for c in split_codes(v)]
    out = [to_marc_language(c) for c in codes]
    ctx.set("languages", list(dedup([c for c in out if c not in ("", "und", "zxx")])))


@step("publication")
def publication(ctx: Context) -> None:
    rec = _m(ctx)
    pub = rec.first("210") or rec.first("214")
    date = ""
    if pub is not None:
        ctx.set("place", "; ".join(unbracket(trim(v)) for v in pub.values("a")))
        ctx.set("publisher", "; ".join(unbracket(trim(v)) for v in pub.values("c")))
        date = unbracket(trim(pub.get("d")))
    f100 = rec.first("100")
    coded = f100.get("a") if f100 is not None else ""
    date1 = coded[9:13] if len(coded) >= 13 else ""
    year = int(date1) if date1.isdigit() else (year_of(date) if date else None)
    ctx.set("date", date or (date1 if date1.isdigit() else ""))
    if year is not None:
        ctx.out["year"] = year


@step("description")
def description(ctx: Context) -> None:
    rec = _m(ctx)
    f = rec.first("205")
    if f is not None:
        ctx.set("edition", " ; ".join(soft_trim(v) for v in f.values("ab")))
    f = rec.first("215")
    if f is not None:
        ctx.set("extent", isbd_extent(f))
    notes = [trim(v) for f in rec.fields("300", "320", "327", "330") for v in f.values("a")]
    ctx.set("notes", list(dedup(notes)))


def isbd_extent(f: Field) -> str:
    """215 as ISBD area 5: "$a : $c ; $d + $e" ("80 с. : ил., портр. ; 20 см")."""
    out = ""
    for code, value in f.subfields:
        v = soft_trim(value)
        if not v or code not in "acde":
            continue
        sep = {"a": " ; ", "c": " : ", "d": " ; ", "e": " + "}[code]
        out = f"{out}{sep}{v}" if out else v
    return out


@step("identifiers")
def identifiers(ctx: Context) -> None:
    rec = _m(ctx)
    valid, invalid = split_isbns([v for f in rec.fields("010") for v in f.values("a")])
    invalid += [v for f in rec.fields("010") for v in f.values("z")]
    ctx.set("isbns", valid)
    ctx.set("invalid_isbns", list(dedup(invalid)))
    issns, other = split_issns(v for f in rec.fields("011") for v in f.values("a"))
    ctx.set("issns", list(dedup(issns)))
    control = rec.control("001").strip()
    if control:
        other.append(control)
    other += [v for f in rec.fields("014", "017", "035") for v in f.values("a")]
    ctx.set("other_ids", list(dedup(other)))


@step("links")
def links(ctx: Context) -> None:
    out: list[Link] = []
    for f in _m(ctx).fields("856"):
        label = f.get("2") or f.get("y") or f.get("z")
        out.extend(Link(url=u, label=label) for u in f.values("u"))
    ctx.set("links", list(dict.fromkeys(out)))


@step("series_and_parents")
def series_and_parents(ctx: Context) -> None:
    rec = _m(ctx)
    series = [trim(" ; ".join(trim(v) for v in f.values("av"))) for f in rec.fields("225")]
    parents: list[str] = []
    volume = ""
    for f in rec.fields("410", *_LINK_PARENT):
        inner = embedded(f)
        if f.tag != "410":
            parents += [e.data.strip() for e in inner if e.tag == "001" and e.data]
        titles = [_title_of(e) for e in inner if e.tag == "200"]
        if not titles and f.get("t"):  # the "standard subfields" form of link fields
            titles = [trim(f.get("t"))]
        vol = trim(" ".join(f.values("v")))
        if f.tag in ("410", "461", "462"):
            series += [f"{t} ; {vol}" if vol and f.tag == "410" else t for t in titles]
        if vol and f.tag != "410":
            volume = volume or vol
    ctx.set("series", list(dedup(series)))
    ctx.set("parent_ids", list(dedup(parents)))
    if volume and "volume" not in ctx.out:
        ctx.set("volume", volume)


@step("type")
def record_type(ctx: Context) -> None:
    ctx.set("type", type_from_leader(_m(ctx).leader, unimarc=True))


@step("variant_titles")
def variant_titles(ctx: Context) -> None:
    rec = _m(ctx)
    titles = [trim(v) for f in rec.fields("200") for v in f.values("d")]
    titles += [_title_of(f) for f in rec.fields("500", "510", "517", "532", "541")]
    ctx.set("alt_titles", list(dedup(titles)))


STEPS: tuple[Step, ...] = (
    title,
    authors,
    subjects,
    languages,
    publication,
    description,
    identifiers,
    links,
    series_and_parents,
    record_type,
    variant_titles,
)
