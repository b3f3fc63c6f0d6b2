"""What matching needs from a record, computed once: keys on the script-neutral text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.record import Record
from indexer.textkeys import search_key

# Titles that say nothing by themselves: "Poems", "Selected works" in kk, az, ru, en
# (as search keys, so every script and romanisation of them is covered).
VERSION = 2
"""Bump when features or blocking keys change: ``birlik index`` then recomputes every stored
feature, key and cluster (librarians' decisions kept) instead of mixing old and new ones."""

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

# Words that introduce a volume or part number, and ordinal stems, in their native spellings:
# they go through ``search_key`` below, so every script and romanisation of them is covered.
_VOLUME_WORDS_SRC = (
    "т", "том", "тома", "томы", "t", "tom", "v", "vol", "volume", "cild", "ҹилд", "cilt",
    "kitab", "китаб", "kitap", "кітап", "книга", "кн", "бөлім", "bölüm", "hissə", "һиссә",
    "часть", "ч", "part", "pt", "no", "номер", "вып", "выпуск", "sayı", "сан", "book",
)  # fmt: skip
_ORDINALS_SRC = {
    1: ("перв", "birinci", "бірінші", "birinshi", "first"),
    2: ("втор", "ikinci", "екінші", "ekinshi", "second"),
    3: ("трет", "üçüncü", "үшінші", "ushinshi", "third"),
    4: ("четверт", "dördüncü", "төртінші", "tortinshi", "fourth"),
    5: ("пят", "beşinci", "бесінші", "besinshi", "fifth"),
    6: ("шест", "altıncı", "алтыншы", "sixth"),
}


def _keys(words: Iterable[str]) -> list[str]:
    return sorted({k for k in (search_key(w) for w in words) if k}, key=lambda k: (-len(k), k))


VOLUME_WORDS = frozenset(_keys(_VOLUME_WORDS_SRC))
ORDINALS: tuple[tuple[str, int], ...] = tuple(
    (stem, n) for n, words in _ORDINALS_SRC.items() for stem in _keys(words)
)
_VOLUME_ALT = "|".join(re.escape(w) for w in _keys(_VOLUME_WORDS_SRC))
_VOLUME_IN_KEY = re.compile(
    rf"\b(?:(?:{_VOLUME_ALT})\s+(\d{{1,4}})|(\d{{1,4}})\s+(?:[a-z]\s+)?(?:{_VOLUME_ALT}))\b"
)
# A Roman numeral as catalogues write volume numbers ("II cild", "том IV"); the Cyrillic
# І and Х stand in for Latin I and X in Kazakh and Russian records.
_ROMAN_TOKEN = re.compile(r"(?<![^\W\d_])[IVXІХ]+(?![^\W\d_])")
_ROMAN_VALID = re.compile(r"^(?=[XVI])X{0,3}(I[XV]|V?I{0,3})$")
_LAST_WORD = re.compile(r"([^\W\d_]+)[\W_]*$")
_FIRST_WORD = re.compile(r"[\W_]*([^\W\d_]+)")
_TITLE_BREAK = re.compile(r"\s*:\s+|\s+=\s+")
_ROMAN_VALUES = {"X": 10, "V": 5, "I": 1}
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


def arabic_numerals(text: str) -> str:
    """``text`` with its Roman numerals written in digits ("II cild" → "2 cild").

    Done before ``search_key``, which folds doubled letters ("II" and "I" would meet). Only
    I, V and X are read (volume numbers, centuries); a single letter only beside a volume
    word ("I cild", "Т. V"), since alone it is as often a word.
    """

    def value(m: re.Match[str]) -> str:
        roman = m.group().replace("І", "I").replace("Х", "X")
        if not _ROMAN_VALID.match(roman):
            return m.group()
        if len(roman) == 1 and not _next_to_volume_word(text, m.start(), m.end()):
            return m.group()  # "V mire" (romanised «В мире»), "I" as a word
        total = 0
        for cur, nxt in zip(roman, [*roman[1:], ""], strict=True):
            v = _ROMAN_VALUES[cur]
            total += -v if nxt and _ROMAN_VALUES[nxt] > v else v
        return str(total)

    return _ROMAN_TOKEN.sub(value, text)


def _next_to_volume_word(text: str, start: int, end: int) -> bool:
    before = _LAST_WORD.search(text, 0, start)
    after = _FIRST_WORD.match(text, end)
    return any(w and search_key(w.group(1)) in VOLUME_WORDS for w in (before, after))


def text_key(text: str) -> str:
    """The script-neutral key of ``text``, its Roman numerals read as numbers."""
    return search_key(arabic_numerals(text)) if text else ""


def _ordinal(key: str) -> int | None:
    for token in key.split():
        for stem, n in ORDINALS:
            if token.startswith(stem):
                return n
    return None


def edition_number(statement: str) -> int | None:
    """The edition number an edition statement names ("2-е изд." → 2, "İkinci nəşr" → 2)."""
    key = text_key(statement)
    m = _DIGITS.search(key)
    if m:
        return int(m.group())
    return _ordinal(key)


def volume_number(text: str) -> str:
    """A volume statement as its numbers ("Т. 2" / "II ҹилд" / "Часть вторая" → "2").

    A statement without a number keeps its words, less the volume words ("Т. А–К" → "a k").
    """
    key = text_key(text)
    numbers = _DIGITS.findall(key)
    if numbers:
        return " ".join(str(int(n)) for n in numbers)
    n = _ordinal(key)
    if n is not None:
        return str(n)
    return " ".join(t for t in key.split() if t not in VOLUME_WORDS)


def volume_of(record: Record, title_key: str) -> str:
    """The volume/part a record describes, from its volume field or its title's key."""
    if record.volume:
        return volume_number(record.volume) or record.volume.strip().lower()
    found = [a or b for a, b in _VOLUME_IN_KEY.findall(title_key)]
    return str(int(found[-1])) if found else ""


def without_volume(key: str) -> str:
    """A title key less its volume phrase ("sobrane sochinenii t 7" → "sobrane sochinenii"):
    the volume is compared on its own, and catalogues put it in the title or not."""
    return " ".join(_VOLUME_IN_KEY.sub(" ", key).split()) or key


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


def split_title(record: Record) -> tuple[str, str]:
    """(main title, subtitle): a subtitle or parallel title run into the title field after
    ":" or " = " (catalogues and Dublin Core that do not subfield it) moves to the subtitle."""
    main, sub = record.title, record.subtitle
    m = _TITLE_BREAK.search(main)
    if m and m.start() > 0:
        main, sub = main[: m.start()], f"{main[m.end() :]} {sub}".strip()
    return main, sub


_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(values: Iterable[str]) -> frozenset[str]:
    """One frozenset object per distinct small set (languages, no ISSN …): at a million
    records a frozenset per field and record would be most of the memory."""
    s = frozenset(values)
    if len(s) > 1 or len(_SETS) > 10_000:
        return s
    return _SETS.setdefault(s, s)


def features(record: Record) -> Features:
    main, sub = split_title(record)
    title_key = text_key(main)
    full_key = text_key(f"{main} {sub}") if sub else title_key
    title = without_volume(title_key)
    full = without_volume(full_key) if sub else title
    names = tuple(k for k in (search_key(n) for n in record.author_names) if k)
    return Features(
        id=record.id,
        source=record.source,
        title=title,
        full_title=full,
        authors=names,
        year=record.year,
        edition=edition_number(record.edition),
        volume=volume_of(record, full_key),
        publisher=search_key(record.publisher),
        pages=pages_of(record.extent),
        languages=_shared(record.languages),
        type=record.type,
        isbns=frozenset(record.isbns) if record.isbns else _shared(()),
        issns=_shared(record.issns),
        parents=frozenset(record.parent_ids) if record.parent_ids else _shared(()),
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
