"""The record model: one immutable, normalised record per (source, OAI identifier).

Every normaliser (oai_dc, MARC21, UNIMARC/RUSMARC) produces a ``Record``; every backend
indexes one. Fields the source lacks stay empty: nothing is invented. Values a step
*detected* rather than read (a language guessed from the text) are listed in ``detected``.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any

import orjson

RECORD_TYPES = (
    "book",
    "serial",
    "article",
    "map",
    "score",
    "recording",
    "video",
    "image",
    "manuscript",
    "electronic",
    "kit",
    "mixed",
    "other",
)


@dataclass(frozen=True)
class Name:
    """A person or a body responsible for the work."""

    name: str
    kind: str = "person"  # person | body | meeting
    role: str = ""  # relator term or code as catalogued ("author", "ed.", "070" …)
    dates: str = ""


@dataclass(frozen=True)
class Link:
    """A link to an electronic copy (MARC 856, UNIMARC 856, dc:identifier URL)."""

    url: str
    label: str = ""


@dataclass(frozen=True)
class Record:
    id: str  # "<source>:<OAI identifier>"
    source: str
    oai_id: str
    datestamp: str
    format: str  # marc21 | oai_dc | unimarc | rusmarc
    title: str = ""
    subtitle: str = ""
    responsibility: str = ""
    authors: tuple[Name, ...] = ()
    subjects: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # ISO 639-2/B: kaz, aze, rus, eng …
    scripts: tuple[str, ...] = ()  # ISO 15924: Cyrl, Latn …
    year: int | None = None
    date: str = ""  # the date as catalogued
    place: str = ""
    publisher: str = ""
    edition: str = ""
    extent: str = ""
    isbns: tuple[str, ...] = ()  # valid, ISBN-13, no hyphens
    invalid_isbns: tuple[str, ...] = ()  # as catalogued; kept apart, never dropped
    issns: tuple[str, ...] = ()
    other_ids: tuple[str, ...] = ()
    type: str = ""  # one of RECORD_TYPES, or "" when the source says nothing
    notes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    series: tuple[str, ...] = ()
    parent_ids: tuple[str, ...] = ()  # 461/463/773 links to parent records (multi-volume)
    volume: str = ""  # 245$n / 200$h or the volume of a multi-volume work
    alt_titles: tuple[str, ...] = ()  # 880 partners, 246, uniform titles, DC titles in other langs
    alt_names: tuple[str, ...] = ()  # 880 partners of names
    detected: tuple[str, ...] = ()  # names of fields whose values were detected, not read
    raw_xml: str = ""  # the source record, for display and export

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.authors)

    def to_dict(self, *, with_raw: bool = True) -> dict[str, Any]:
        d = asdict(self)
        if not with_raw:
            d.pop("raw_xml")
        return d

    def to_json(self) -> str:
        """Sorted keys, UTF-8 as is; orjson serialises the dataclasses directly (an order
        of magnitude faster than ``asdict`` + ``json``, which cost as much as normalising)."""
        return orjson.dumps(self, option=orjson.OPT_SORT_KEYS).decode()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        """The record of ``to_dict``/JSON output: lists become tuples, unknown keys are
        ignored (every search hit is rebuilt this way, so it avoids ``fields()`` per call)."""
        kw: dict[str, Any] = {
            k: tuple(v) if type(v) is list else v for k, v in d.items() if k in _FIELD_NAMES
        }
        if "authors" in kw:
            kw["authors"] = tuple(Name(**a) for a in kw["authors"])
        if "links" in kw:
            kw["links"] = tuple(Link(**x) for x in kw["links"])
        if cls is not Record or not kw.keys() >= _REQUIRED:
            return cls(**kw)  # the dataclass says what is missing
        # Fill the instance directly: a frozen dataclass's __init__ sets each field through
        # object.__setattr__, most of the cost of a search hit (there is no __post_init__).
        values = dict(_TEMPLATE)  # every field, in the dataclass's order
        values.update(kw)
        record = object.__new__(Record)
        record.__dict__.update(values)
        return record

    @classmethod
    def from_json(cls, s: str) -> Record:
        return cls.from_dict(orjson.loads(s))


_FIELD_NAMES = frozenset(f.name for f in fields(Record))
_TEMPLATE = {f.name: None if f.default is MISSING else f.default for f in fields(Record)}
_REQUIRED = frozenset(f.name for f in fields(Record) if f.default is MISSING)


def record_id(source: str, oai_id: str) -> str:
    return f"{source}:{oai_id}"


EMPTY_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in fields(Record)
    if f.name not in ("id", "source", "oai_id", "datestamp", "format")
)
