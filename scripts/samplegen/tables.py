"""Read the data tables of scripts/samples_data/ into editions, authors and subjects.

Each table is UTF-8 TSV with a header line; ``#`` starts a comment line. A bad row raises
TableError naming the file, the line and the problem, so a typo never yields a silent gap.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path

from stdnum import ean, isbn, issn

LIBRARIES = ("anl", "nlrk")
KINDS = {
    "novel", "stories", "poetry", "drama", "epic", "essays", "letters", "nonfiction",
    "history", "textbook", "dictionary", "encyclopaedia", "law", "serial", "works",
}  # fmt: skip
FLAGS = {
    "y", "rom", "rom880", "cyr880", "kzlat", "azcyr", "isbn10", "nohyph", "noisbd", "nopub",
    "no008", "rda", "url", "del",
}  # fmt: skip


class TableError(ValueError):
    """A data table row that cannot be used."""


@dataclass(frozen=True)
class Author:
    """A person or body with its heading in each cataloguing language."""

    key: str
    kind: str  # "p" person, "c" corporate body
    dates: str
    kk: str
    az: str
    ru: str
    en: str


@dataclass(frozen=True)
class Subject:
    """A subject heading (650 topic or 651 place) in each cataloguing language."""

    key: str
    tag: str
    en: str
    ru: str
    kk: str
    az: str


@dataclass(frozen=True)
class Holding:
    """How one library catalogues an edition: style flags and the volumes it holds."""

    flags: frozenset[str]
    volumes: tuple[int, int] | None = None


@dataclass(frozen=True)
class Edition:
    """One published edition (one volume of a set counts as its own edition)."""

    key: str
    authors: tuple[tuple[str, str], ...]  # (author key, relator); the first is the main entry
    title: str
    subtitle: str
    part: str  # 245 $n as printed, e.g. "Т. 3" (set by volume expansion)
    volume: int | None
    resp: str
    lang: str
    orig_lang: str
    edition: str
    place: str
    publisher: str
    year: str
    pages: str
    isbn: str  # ISBN-13 compact, or an ISSN for serials, or "" (none printed)
    series: str
    subjects: tuple[str, ...]
    kind: str
    holdings: dict[str, Holding]
    extras: tuple[tuple[str, str], ...] = field(default=())
    source: str = ""


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(n, line) for n, line in enumerate(fh, 1) if line.strip() and line[0] != "#"]
    if not lines:
        raise TableError(f"{path}: empty table")
    header = lines[0][1].rstrip("\n").split("\t")
    rows = []
    for n, line in lines[1:]:
        cells = next(csv.reader([line.rstrip("\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) != len(header):
            raise TableError(f"{path}:{n}: {len(cells)} cells, header has {len(header)}")
        rows.append((n, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return rows


def load_authors(path: Path) -> dict[str, Author]:
    """The authors table, by key."""
    out: dict[str, Author] = {}
    for n, row in _rows(path):
        if row["key"] in out:
            raise TableError(f"{path}:{n}: duplicate author key {row['key']!r}")
        if row["kind"] not in ("p", "c"):
            raise TableError(f"{path}:{n}: kind must be p or c, not {row['kind']!r}")
        out[row["key"]] = Author(**{k: row[k] for k in Author.__dataclass_fields__})
    return out


def load_subjects(path: Path) -> dict[str, Subject]:
    """The subjects table, by key."""
    out: dict[str, Subject] = {}
    for n, row in _rows(path):
        if row["tag"] not in ("650", "651"):
            raise TableError(f"{path}:{n}: tag must be 650 or 651")
        out[row["key"]] = Subject(**{k: row[k] for k in Subject.__dataclass_fields__})
    return out


def complete_isbn(raw: str, where: str) -> str:
    """A compact ISBN-13 from a table cell.

    ``?`` as the last character asks for the check digit to be computed (composed ISBNs);
    a full number is kept as written, even when its check digit is wrong (a recorded error).
    """
    digits = raw.replace("-", "").replace(" ", "")
    if digits.endswith("?"):
        body = digits[:-1]
        if len(body) == 12 and body.isdigit():
            return body + ean.calc_check_digit(body)
        if len(body) == 9 and body.isdigit():
            return isbn.to_isbn13(body + isbn._calc_isbn10_check_digit(body))
        raise TableError(f"{where}: ISBN {raw!r} needs 12 (or 9) digits before '?'")
    if len(digits) == 10:
        return isbn.to_isbn13(digits) if isbn.is_valid(digits) else digits
    if len(digits) != 13 or not digits.isdigit():
        raise TableError(f"{where}: ISBN {raw!r} is not 13 digits")
    return digits


def complete_issn(raw: str, where: str) -> str:
    """An ISSN ``NNNN-NNNC`` from a table cell; ``?`` computes the check digit."""
    digits = raw.replace("-", "")
    if digits.endswith("?"):
        digits = digits[:-1] + issn.calc_check_digit(digits[:-1])
    if not issn.is_valid(digits):
        raise TableError(f"{where}: ISSN {raw!r} is not valid")
    return issn.format(digits)


def _holding(cell: str, where: str) -> Holding | None:
    if not cell:
        return None
    flags: set[str] = set()
    volumes = None
    for flag in cell.split(","):
        flag = flag.strip()
        if flag.startswith("vols:"):
            lo, _, hi = flag[5:].partition("-")
            volumes = (int(lo), int(hi or lo))
        elif flag in FLAGS:
            flags.add(flag)
        else:
            raise TableError(f"{where}: unknown holding flag {flag!r}")
    return Holding(frozenset(flags), volumes)


def _edition(row: dict[str, str], where: str, source: str) -> Edition:
    authors: list[tuple[str, str]] = []
    for part in filter(None, row["authors"].split(";")):
        key, _, relator = part.strip().partition(":")
        authors.append((key, relator or ("author" if not authors else "contributor")))
    title, _, subtitle = row["title"].partition(" : ")
    if row["kind"] not in KINDS:
        raise TableError(f"{where}: kind {row['kind']!r} is not one of {sorted(KINDS)}")
    holdings = {}
    for lib in LIBRARIES:
        held = _holding(row[lib], where)
        if held:
            holdings[lib] = held
    if not holdings:
        raise TableError(f"{where}: held by neither library")
    lang, _, orig = row["lang"].partition("<")
    number = row["isbn"]
    if row["kind"] == "serial":
        number = complete_issn(number, where) if number else ""
    elif number:
        number = complete_isbn(number, where)
    extras = []
    for extra in filter(None, row["extras"].split(" ;; ")):
        tag, sep, value = extra.partition("=")
        if not sep:
            raise TableError(f"{where}: extra {extra!r} is not TAG=value")
        extras.append((tag.strip(), value.strip()))
    return Edition(
        key=row["key"], authors=tuple(authors), title=title, subtitle=subtitle, part=row["part"],
        volume=None, resp=row["resp"], lang=lang, orig_lang=orig, edition=row["edition"],
        place=row["place"], publisher=row["publisher"], year=row["year"], pages=row["pages"],
        isbn=number, series=row["series"], subjects=tuple(filter(None, row["subjects"].split(";"))),
        kind=row["kind"], holdings=holdings, extras=tuple(extras), source=source,
    )  # fmt: skip


def expand_volumes(ed: Edition) -> list[Edition]:
    """One edition per volume for a set written as part ``1-12`` (else the edition itself).

    Years spread over the set's range, ISBN bodies count up by volume (check digit recomputed),
    pages may be a comma list (one per volume) or one figure; a library may hold a sub-range.
    """
    lo, sep, hi = ed.part.partition("-")
    if not (sep and lo.isdigit() and hi.isdigit()):
        return [ed]
    first, last = int(lo), int(hi)
    y0, _, y1 = ed.year.partition("-")
    pages = ed.pages.split(",")
    out = []
    for v in range(first, last + 1):
        span = last - first or 1
        year = str(int(y0) + round((v - first) * (int(y1 or y0) - int(y0)) / span))
        number = ed.isbn
        if number and ed.kind != "serial":
            body = str(int(number[:12]) + v - first)
            number = body + ean.calc_check_digit(body)
        holdings = {
            lib: h
            for lib, h in ed.holdings.items()
            if h.volumes is None or h.volumes[0] <= v <= h.volumes[1]
        }
        if holdings:
            out.append(
                replace(
                    ed, key=f"{ed.key}/v{v}", volume=v, part="", year=year, isbn=number,
                    pages=pages[(v - first) % len(pages)].strip(), holdings=holdings,
                )
            )  # fmt: skip
    return out


def load_editions(path: Path) -> list[Edition]:
    """The editions of one table, volume sets expanded, in table order."""
    out: list[Edition] = []
    for n, row in _rows(path):
        where = f"{path.name}:{n}"
        if not row["key"]:
            raise TableError(f"{where}: empty key")
        out.extend(expand_volumes(_edition(row, where, path.name)))
    return out


def load_relations(path: Path) -> list[tuple[str, str, str, str]]:
    """Hard-negative pairs (ANL edition key, NLRK edition key, relation, note)."""
    allowed = {"translation", "other_edition", "other_volume", "different_generic"}
    out = []
    for n, row in _rows(path):
        if row["relation"] not in allowed:
            raise TableError(f"{path}:{n}: relation {row['relation']!r} not in {allowed}")
        out.append((row["anl"], row["nlrk"], row["relation"], row["note"]))
    return out
