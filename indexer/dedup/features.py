"""What matching needs from a record, computed once: keys on the script-neutral text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.record import Record
from indexer.textkeys import search_key

# Titles that say nothing by themselves: "Poems", "Selected works" in kk, az, ru, en
# (as search keys, so every script and romanisation of them is covered).
_GENERIC_TITLES_SRC = (
    "Өлеңдер",
    "Шығармалар",
    "Таңдамалы шығармалар",
    "Шығармалар жинағы",
    "Жырлар",
    "Şeirlər",
    "Seçilmiş əsərləri",
    "Əsərləri",
    "Шеирләр",
    "Сечилмиш әсәрләри",
    "Стихи",
    "Стихотворения",
    "Избранное",
    "Сочинения",
    "Собрание сочинений",
    "Рассказы",
    "Повести и рассказы",
    "Poems",
    "Selected works",
    "Works",
    "Collected works",
    "Stories",
    "Poetry",
    "Poeziya",
    "Сборник",
)
GENERIC_TITLES = frozenset(search_key(t) for t in _GENERIC_TITLES_SRC)

_VOLUME_WORDS = re.compile(
    r"\b(?:t|tom|toma|tomy|v|vol|volume|cild|cilt|kitab|kitap|kniga|kn|kitap|bolim|bolum|chast|"
    r"ch|part|no|nomer|vyp|vypusk|sayi|san|book)\s+(\d{1,4})\b"
)
_ORDINALS = {
    "perv": 1,
    "vtor": 2,
    "tret": 3,
    "chetvert": 4,
    "piat": 5,
    "pyat": 5,
    "birinci": 1,
    "ikinci": 2,
    "ucuncu": 3,
    "dorduncu": 4,
    "besinci": 5,
    "birinshi": 1,
    "ekinshi": 2,
    "ushinshi": 3,
    "tortinshi": 4,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Features:
    id: str
    source: str
    title: str  # key of the main title
    full_title: str  # key of title + subtitle
    authors: tuple[str, ...]  # keys of author names
    year: int | None
    edition: int | None
    volume: str
    publisher: str
    pages: int | None
    languages: frozenset[str]
    type: str
    isbns: frozenset[str]
    issns: frozenset[str]
    parents: frozenset[str]
    datestamp: str
    completeness: int

    @property
    def generic(self) -> bool:
        return len(self.title.split()) <= 1 or self.title in GENERIC_TITLES


def edition_number(statement: str) -> int | None:
    """The edition number an edition statement names ("2-е изд." → 2, "Third ed." → 3)."""
    if not statement:
        return None
    key = search_key(statement)
    m = _DIGITS.search(key)
    if m:
        return int(m.group())
    for stem, n in _ORDINALS.items():
        if stem in key:
            return n
    return None


def volume_of(record: Record, title_key: str) -> str:
    """The volume/part a record describes, from its volume field or its title."""
    if record.volume:
        return " ".join(search_key(record.volume).split()) or record.volume.strip().lower()
    found = _VOLUME_WORDS.findall(title_key)
    return found[-1] if found else ""


def pages_of(extent: str) -> int | None:
    nums = [int(n) for n in _DIGITS.findall(extent) if 2 <= len(n) <= 4]
    return max(nums) if nums else None


def completeness(record: Record) -> int:
    """How much a record says: the number of non-empty descriptive fields."""
    fields = (
        record.title,
        record.subtitle,
        record.responsibility,
        record.authors,
        record.subjects,
        record.languages,
        record.year,
        record.place,
        record.publisher,
        record.edition,
        record.extent,
        record.isbns,
        record.issns,
        record.type,
        record.notes,
        record.links,
        record.series,
    )
    return sum(1 for f in fields if f)


def features(record: Record) -> Features:
    title = search_key(record.title)
    full = search_key(f"{record.title} {record.subtitle}") if record.subtitle else title
    names = tuple(k for k in (search_key(n) for n in record.author_names) if k)
    return Features(
        id=record.id,
        source=record.source,
        title=title,
        full_title=full,
        authors=names,
        year=record.year,
        edition=edition_number(record.edition),
        volume=volume_of(record, full),
        publisher=search_key(record.publisher),
        pages=pages_of(record.extent),
        languages=frozenset(record.languages),
        type=record.type,
        isbns=frozenset(record.isbns),
        issns=frozenset(record.issns),
        parents=frozenset(record.parent_ids),
        datestamp=record.datestamp,
        completeness=completeness(record),
    )


def blocking_keys(f: Features) -> set[str]:
    """Keys that put candidate duplicates in one block (ISBN, ISSN, title+author)."""
    keys = {f"isbn:{i}" for i in f.isbns} | {f"issn:{i}" for i in f.issns}
    words = f.title.split()
    head = " ".join(words[:2])
    if head:
        surnames = {t for a in f.authors[:1] for t in a.split() if len(t) >= 3}
        if surnames:
            keys |= {f"ta:{head}|{t}" for t in sorted(surnames)[:3]}
        elif not f.generic:
            keys.add(f"t:{f.title}")
    return keys
