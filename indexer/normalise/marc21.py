"""MARC21 → ``Record``: the mapping as named steps over a ``MarcRecord``.

Field by field (see issue 3): title 245 $a $n $p (subtitle $b, responsibility $c, volume
$n), authors 100/110/111/700/710/711, subjects 6XX, languages 008/35-37 and 041, year
008/07-10 then 264/260 $c, place and publisher 264/260, edition 250, extent 300, ISBN 020
(valid → ISBN-13, the rest kept in ``invalid_isbns``), ISSN 022, links 856, series
490/830, parent links 773 $w, type from leader/06-07. 880 fields (alternate script,
linked by $6) go beside their partners into ``alt_titles`` / ``alt_names``.

Speed: the steps read the record's tag index once each and write ``ctx.out`` directly.
What a field maps to depends on that field alone, and names, subjects, publication
statements, languages and leaders repeat from record to record, so those per-field
functions are cached (``lru_cache`` on the immutable ``Field``).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.normalise.languages import split_codes, to_marc_language
from indexer.normalise.marc import Field, MarcRecord, clean_text
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
_NONE: list[Field] = []
_NO_DATE = ("", "")
_CACHE = 1 << 14


def _idx(ctx: Context) -> dict[str, list[Field]]:
    """The record's fields by tag (``normalise_marc`` puts them in the context)."""
    idx: dict[str, list[Field]] | None = ctx.tags
    if idx is None:
        rec: MarcRecord = ctx.source
        idx = ctx.tags = rec.index()
    return idx


def title_parts(f: Field) -> tuple[str, str, str, str]:
    """(title, subtitle, responsibility, volume) of a 245 (or 880 partner of one)."""
    main: list[str] = []
    parts: list[str] = []
    sub = resp = None
    for code, v in f.subfields:  # one pass: values("anp"), values("n"), get("b"), get("c")
        if code in "anp":
            v = clean_text(v)
            if v:
                main.append(v)
                if code in "n":
                    parts.append(v)
        elif code == "b":
            if sub is None:
                sub = clean_text(v)
        elif code == "c" and resp is None:
            resp = clean_text(v)
    # (trim("") is "": absent parts skip the call)
    title = trim(main[0]) if len(main) == 1 else ". ".join([t for t in map(trim, main) if t])
    return (
        title,
        trim(sub) if sub else "",
        trim(resp) if resp else "",
        trim(" ".join(parts)) if parts else "",
    )


@step("title")
def title(ctx: Context) -> None:
    found = (ctx.tags or _idx(ctx)).get("245")
    if not found:
        return
    out = ctx.out
    t, sub, resp, vol = title_parts(found[0])
    if t:
        out["title"] = t
    if sub:
        out["subtitle"] = sub
    if resp:
        out["responsibility"] = resp
    if vol:
        out["volume"] = vol


@lru_cache(maxsize=_CACHE)
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
    idx = ctx.tags or _idx(ctx)
    found_tags = [t for t in _NAME_TAGS if t in idx]
    if not found_tags:
        return
    if len(found_tags) == 1:  # usually: one 100, or 700s only
        names = [name_of(f) for f in idx[found_tags[0]]]
    else:
        rec: MarcRecord = ctx.source
        names = [name_of(f) for f in rec.fields(*found_tags)]
    if len(names) == 1:
        if names[0] is not None:
            ctx.out["authors"] = (names[0],)
        return
    found = tuple(dict.fromkeys(n for n in names if n is not None))
    if found:
        ctx.out["authors"] = found


@lru_cache(maxsize=_CACHE)
def _subject(f: Field) -> str:
    parts = [trim(v) for c, v in f.subfields if c not in _SUBJECT_SKIP and v.strip()]
    return " -- ".join(p for p in parts if p)


@step("subjects")
def subjects(ctx: Context) -> None:
    out = [_subject(f) for f in ctx.source.fields_ if f.tag[:1] == "6" and f.data is None]
    found = dedup(out)
    if found:
        ctx.out["subjects"] = found


@lru_cache(maxsize=_CACHE)
def _languages(code008: str, f041: tuple[Field, ...]) -> tuple[str, ...]:
    codes = [code008] if code008 else []
    for f in f041:
        for v in f.values("ad"):
            codes.extend(split_codes(v))
    out = [to_marc_language(c) for c in codes if c.strip().lower() not in _NOT_LANG]
    return dedup([c for c in out if c not in _NOT_LANG])


@step("languages")
def languages(ctx: Context) -> None:
    idx = ctx.tags or _idx(ctx)
    f008 = idx.get("008")
    data = (f008[0].data or "") if f008 else ""
    found = _languages(data[35:38] if len(data) >= 38 else "", tuple(idx.get("041", _NONE)))
    if found:
        ctx.out["languages"] = found


def _publication(idx: dict[str, list[Field]]) -> Field | None:
    """The publication statement: 264 with ind2=1 first, then 260, then any 264."""
    f264 = idx.get("264", _NONE)
    for f in f264:
        if f.ind2 == "1":
            return f
    f260 = idx.get("260")
    return f260[0] if f260 else f264[0] if f264 else None


@lru_cache(maxsize=_CACHE)
def _named(value: str) -> str:
    """A place or publisher as catalogued → as shown ("[Москва] :" → "Москва")."""
    return unbracket(trim(clean_text(value)))


@lru_cache(maxsize=_CACHE)
def _dated(value: str) -> tuple[str, str]:
    """A date as catalogued → (trimmed, as shown): "[1997?]." → ("[1997?]", "1997?")."""
    date = trim(clean_text(value))
    return date, unbracket(date)


def _place_publisher_date(f: Field) -> tuple[str, str, tuple[str, str]]:
    a = b = c = None  # the first $a, $b and $c: Field.get, in one pass
    for code, v in f.subfields:
        if code == "a":
            if a is None:
                a = v
        elif code == "b":
            if b is None:
                b = v
        elif code == "c" and c is None:
            c = v
    return _named(a) if a else "", _named(b) if b else "", _dated(c) if c else _NO_DATE


@step("publication")
def publication(ctx: Context) -> None:
    idx = ctx.tags or _idx(ctx)
    out = ctx.out
    pub = _publication(idx)
    date = shown = ""
    if pub is not None:
        place, publisher, (date, shown) = _place_publisher_date(pub)
        if place:
            out["place"] = place
        if publisher:
            out["publisher"] = publisher
    f008 = idx.get("008")
    data = (f008[0].data or "") if f008 else ""
    year = None
    y008 = data[7:11] if len(data) >= 11 else ""
    if y008.isdigit() and y008 != "9999":
        year = int(y008)
    elif date:
        year = year_of(date)
    shown = shown or (y008 if y008.isdigit() else "")
    if shown:
        out["date"] = shown
    if year is not None:
        out["year"] = year


@lru_cache(maxsize=_CACHE)
def _joined(f: Field, codes: str) -> str:
    return soft_trim(" ".join(f.values(codes)))


@step("description")
def description(ctx: Context) -> None:
    idx = ctx.tags or _idx(ctx)
    out = ctx.out
    f = idx.get("250")
    if f and (v := _joined(f[0], "ab")):
        out["edition"] = v
    f = idx.get("300")
    if f and (v := _joined(f[0], "abce")):
        out["extent"] = v
    if "500" in idx or "504" in idx or "505" in idx or "520" in idx:
        rec: MarcRecord = ctx.source
        notes = [trim(v) for f in rec.fields("500", "504", "505", "520") for v in f.values("agtr")]
        ctx.set("notes", list(dedup(notes)))


@step("identifiers")
def identifiers(ctx: Context) -> None:
    idx = ctx.tags or _idx(ctx)
    out = ctx.out
    f020 = idx.get("020", _NONE)
    other: list[str] = []
    if f020:
        given: list[str] = []  # values("a") and values("z") of every 020, in one pass
        cancelled: list[str] = []
        for f in f020:
            for code, v in f.subfields:
                if code in "a" and (v := clean_text(v)):
                    given.append(v)
                if code in "z" and (v := clean_text(v)):
                    cancelled.append(v)
        valid, invalid = split_isbns(given)
        invalid += cancelled
        if valid:
            out["isbns"] = tuple(valid)
        kept = dedup(invalid)
        if kept:
            out["invalid_isbns"] = kept
    if "022" in idx:
        issns, bad = split_issns(v for f in idx["022"] for v in f.values("a"))
        other += bad
        ctx.set("issns", list(dedup(issns)))
    f001 = idx.get("001")
    control = (f001[0].data or "").strip() if f001 else ""
    if control:
        other.append(control)
    if "010" in idx:
        other += [f"LCCN {v.strip()}" for f in idx["010"] for v in f.values("a")]
    if "024" in idx or "035" in idx:
        rec: MarcRecord = ctx.source
        other += [v for f in rec.fields("024", "035") for v in f.values("a")]
    found = dedup(other)
    if found:
        out["other_ids"] = found


@step("links")
def links(ctx: Context) -> None:
    f856 = (ctx.tags or _idx(ctx)).get("856")
    if not f856:
        return
    out: list[Link] = []
    for f in f856:
        label = f.get("y") or f.get("3") or f.get("z")
        out.extend(Link(url=u, label=label) for u in f.values("u"))
    ctx.set("links", list(dict.fromkeys(out)))


@step("series")
def series(ctx: Context) -> None:
    idx = ctx.tags or _idx(ctx)
    rec: MarcRecord = ctx.source
    if "490" in idx or "830" in idx:
        out = [trim(" ".join(trim(v) for v in f.values("anpv"))) for f in rec.fields("490", "830")]
        ctx.set("series", list(dedup(out)))
    if "773" in idx:
        parents = [v for f in idx["773"] for v in f.values("w")]
        ctx.set("parent_ids", list(dedup(parents)))


@step("type")
def record_type(ctx: Context) -> None:
    kind = _type_of(ctx.source.leader)
    if kind:
        ctx.out["type"] = kind


_type_of = lru_cache(maxsize=256)(type_from_leader)


def linked_tag(f: Field) -> str:
    """The tag an 880 field stands beside ("245-01/(N" → "245")."""
    return f.get("6")[:3]


_ALT_TITLE_TAGS = ("246", "240", "130", "730", "740")
_ALT_TAGS = frozenset((*_ALT_TITLE_TAGS, "880"))


@step("alternate_script")
def alternate_script(ctx: Context) -> None:
    """246/240/130 variant titles and 880 partners of titles and names."""
    idx = ctx.tags or _idx(ctx)
    if idx.keys().isdisjoint(_ALT_TAGS):
        return
    rec: MarcRecord = ctx.source
    titles: list[str] = []
    names: list[str] = []
    for f in rec.fields(*_ALT_TITLE_TAGS):
        titles.append(trim(" ".join(trim(v) for v in f.values("anp"))))
    for f in idx.get("880", _NONE):
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
