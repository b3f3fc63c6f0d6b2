"""MARC21 → ``Record``: the mapping as named steps over a ``MarcRecord``.

Field by field (see issue 3): title 245 $a $n $p (subtitle $b, responsibility $c, volume
$n), authors 100/110/111/700/710/711, subjects 6XX, languages 008/35-37 and 041, year
008/07-10 then 264/260 $c, place and publisher 264/260, edition 250, extent 300, ISBN 020
(valid → ISBN-13, the rest kept in ``invalid_isbns``), ISSN 022, links 856, series
490/830, parent links 773 $w, type from leader/06-07. 880 fields (alternate script,
linked by $6) go beside their partners into ``alt_titles`` / ``alt_names``.
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
    trim,
    unbracket,
    valid_issn,
    year_of,
)
from indexer.record import Link, Name

_NAME_TAGS = {
    "100": "person",
    "700": "person",
    "110": "body",
    "710": "body",
    "111": "meeting",
    "711": "meeting",
}
_TITLE_TAGS = ("245", "246", "240", "130", "730", "740", "490", "830")
_SUBJECT_SKIP = set("0123456789e4")
_NOT_LANG = {"", "und", "zxx", "|||", "   ", "###"}


def _m(ctx: Context) -> MarcRecord:
    rec: MarcRecord = ctx.source
    return rec


def title_parts(f: Field) -> tuple[str, str, str, str]:
    """(title, subtitle, responsibility, volume) of a 245 (or 880 partner of one)."""
    main = [trim(v) for v in f.values("anp")]
    title = ". ".join(v for v in main if v)
    return title, trim(f.get("b")), trim(f.get("c")), trim(" ".join(f.values("n")))


@step("title")
def title(ctx: Context) -> None:
    f = _m(ctx).first("245")
    if f is None:
        return
    t, sub, resp, vol = title_parts(f)
    ctx.set("title", t)
    ctx.set("subtitle", sub)
    ctx.set("responsibility", resp)
    ctx.set("volume", vol)


def name_of(f: Field) -> Name | None:
    kind = _NAME_TAGS.get(linked_tag(f) if f.tag == "880" else f.tag, "person")
    if kind == "person":
        name = trim(" ".join(f.values("abcq")))
        dates = trim(f.get("d"))
    elif kind == "body":
        name = ". ".join(trim(v) for v in f.values("ab"))
        dates = ""
    else:
        name = trim(" ".join(f.values("anc")))
        dates = trim(f.get("d"))
    if not name:
        return None
    role = ", ".join(trim(v) for v in f.values("e")) or ", ".join(f.values("4"))
    return Name(name=name, kind=kind, role=role, dates=dates)


@step("authors")
def authors(ctx: Context) -> None:
    names = [name_of(f) for f in _m(ctx).fields(*_NAME_TAGS)]
    ctx.set("authors", list(dict.fromkeys(n for n in names if n is not None)))


@step("subjects")
def subjects(ctx: Context) -> None:
    out = []
    for f in _m(ctx).fields_:
        if f.tag.startswith("6") and f.data is None:
            parts = [trim(v) for c, v in f.subfields if c not in _SUBJECT_SKIP and v.strip()]
            if parts:
                out.append(" -- ".join(p for p in parts if p))
    ctx.set("subjects", list(dedup(out)))


@step("languages")
def languages(ctx: Context) -> None:
    rec = _m(ctx)
    codes: list[str] = []
    f008 = rec.control("008")
    if len(f008) >= 38:
        codes.append(f008[35:38])
    for f in rec.fields("041"):
        for v in f.values("ad"):
            codes.extend(split_codes(v))
    out = [to_marc_language(c) for c in codes if c.strip().lower() not in _NOT_LANG]
    ctx.set("languages", list(dedup([c for c in out if c not in _NOT_LANG])))


def _publication(rec: MarcRecord) -> Field | None:
    """The publication statement: 264 with ind2=1 first, then 260, then any 264."""
    for f in rec.fields("264"):
        if f.ind2 == "1":
            return f
    return rec.first("260") or rec.first("264")


@step("publication")
def publication(ctx: Context) -> None:
    rec = _m(ctx)
    pub = _publication(rec)
    date = ""
    if pub is not None:
        ctx.set("place", unbracket(trim(pub.get("a"))))
        ctx.set("publisher", unbracket(trim(pub.get("b"))))
        date = trim(pub.get("c"))
    f008 = rec.control("008")
    year = None
    y008 = f008[7:11] if len(f008) >= 11 else ""
    if y008.isdigit() and y008 != "9999":
        year = int(y008)
    elif date:
        year = year_of(date)
    ctx.set("date", unbracket(date) or (y008 if y008.isdigit() else ""))
    if year is not None:
        ctx.out["year"] = year


@step("description")
def description(ctx: Context) -> None:
    rec = _m(ctx)
    f = rec.first("250")
    if f is not None:
        ctx.set("edition", soft_trim(" ".join(f.values("ab"))))
    f = rec.first("300")
    if f is not None:
        ctx.set("extent", soft_trim(" ".join(f.values("abce"))))
    notes = [trim(v) for f in rec.fields("500", "504", "505", "520") for v in f.values("agtr")]
    ctx.set("notes", list(dedup(notes)))


@step("identifiers")
def identifiers(ctx: Context) -> None:
    rec = _m(ctx)
    raw_isbns = [v for f in rec.fields("020") for v in f.values("a")]
    valid, invalid = split_isbns(raw_isbns)
    invalid += [v for f in rec.fields("020") for v in f.values("z")]
    ctx.set("isbns", valid)
    ctx.set("invalid_isbns", list(dedup(invalid)))
    issns, other = [], []
    for f in rec.fields("022"):
        for v in f.values("a"):
            code = valid_issn(v)
            if code:
                issns.append(code)
            else:
                other.append(f"ISSN {v}")
    ctx.set("issns", list(dedup(issns)))
    control = rec.control("001").strip()
    if control:
        other.append(control)
    other += [f"LCCN {v.strip()}" for f in rec.fields("010") for v in f.values("a")]
    other += [v for f in rec.fields("024", "035") for v in f.values("a")]
    ctx.set("other_ids", list(dedup(other)))


@step("links")
def links(ctx: Context) -> None:
    out: list[Link] = []
    for f in _m(ctx).fields("856"):
        label = f.get("y") or f.get("3") or f.get("z")
        out.extend(Link(url=u, label=label) for u in f.values("u"))
    ctx.set("links", list(dict.fromkeys(out)))


@step("series")
def series(ctx: Context) -> None:
    rec = _m(ctx)
    out = [trim(" ".join(trim(v) for v in f.values("anpv"))) for f in rec.fields("490", "830")]
    ctx.set("series", list(dedup(out)))
    parents = [v for f in rec.fields("773") for v in f.values("w")]
    ctx.set("parent_ids", list(dedup(parents)))


@step("type")
def record_type(ctx: Context) -> None:
    ctx.set("type", type_from_leader(_m(ctx).leader))


def linked_tag(f: Field) -> str:
    """The tag an 880 field stands beside ("245-01/(N" → "245")."""
    return f.get("6")[:3]


@step("alternate_script")
def alternate_script(ctx: Context) -> None:
    """246/240/130 variant titles and 880 partners of titles and names."""
    rec = _m(ctx)
    titles: list[str] = []
    names: list[str] = []
    for f in rec.fields("246", "240", "130", "730", "740"):
        titles.append(trim(" ".join(trim(v) for v in f.values("anp"))))
    for f in rec.fields("880"):
        tag = linked_tag(f)
        if tag in _TITLE_TAGS:
            t, sub, _resp, _vol = title_parts(f)
            titles.append(f"{t} : {sub}" if sub else t)
        elif tag in _NAME_TAGS:
            n = name_of(f)
            if n is not None:
                names.append(n.name)
    ctx.set("alt_titles", list(dedup(titles)))
    ctx.set("alt_names", list(dedup(names)))


STEPS: tuple[Step, ...] = (
    title,
    authors,
    subjects,
    languages,
    publication,
    description,
    identifiers,
    links,
    series,
    record_type,
    alternate_script,
)
