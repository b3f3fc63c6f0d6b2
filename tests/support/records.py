"""Record factories for backend and query tests: real-looking Kazakh, Azerbaijani and
Russian records built in code, so tests never depend on the sample collections.

``catalogue()`` is a small hand-written set whose answers the contract suite knows;
``generated(n)`` makes any number of varied records (for paging and benchmarks).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from indexer.backends.base import IndexDoc
from indexer.record import Link, Name, Record


def make(
    source: str,
    n: int | str,
    title: str,
    *,
    authors: tuple[str, ...] = (),
    subjects: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    year: int | None = None,
    type: str = "book",
    isbns: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    link: bool = False,
    subtitle: str = "",
) -> Record:
    """A record as a normaliser would produce it."""
    oai_id = f"oai:{source}:{n}"
    return Record(
        id=f"{source}:{oai_id}",
        source=source,
        oai_id=oai_id,
        datestamp="2024-05-01T00:00:00Z",
        format="marc21",
        title=title,
        subtitle=subtitle,
        authors=tuple(Name(a) for a in authors),
        subjects=subjects,
        languages=languages,
        year=year,
        type=type,
        isbns=isbns,
        notes=notes,
        links=(Link(f"https://example.org/{source}/{n}.pdf", "PDF"),) if link else (),
        raw_xml=f"<record><id>{n}</id></record>",
    )


def catalogue() -> list[IndexDoc]:
    """Twelve records; ``nlrk:…:1`` and ``anl:…:1`` are one work in two scripts (one cluster)."""
    r = [
        make(
            "nlrk",
            1,
            "Алматы тарихы",
            authors=("Қасымов, Ерлан",),
            subjects=("Алматы", "Тарих"),
            languages=("kaz",),
            year=1998,
            isbns=("9789965350016",),
            link=True,
        ),
        make(
            "anl",
            1,
            "Almaty tarihy",
            authors=("Qasymov, Erlan",),
            subjects=("Tarih",),
            languages=("kaz",),
            year=1998,
            notes=("Transliterated edition",),
        ),
        make(
            "anl",
            2,
            "Şuşa: şəhərin salnaməsi",
            authors=("Məmmədov, Rauf",),
            subjects=("Şuşa", "Tarix"),
            languages=("aze",),
            year=2012,
            link=True,
        ),
        make(
            "nlrk",
            2,
            "Шуша қаласы",
            authors=("Мамедов, Рауф",),
            subjects=("Шуша",),
            languages=("kaz", "rus"),
            year=2013,
        ),
        make(
            "anl",
            3,
            "Москва и Баку: очерки",
            authors=("Иванов, Пётр",),
            subjects=("Москва",),
            languages=("rus",),
            year=1975,
            type="serial",
        ),
        make(
            "nlrk",
            3,
            "Moskva nights",
            authors=("Smith, John",),
            subjects=("Moskva", "Travel"),
            languages=("eng",),
            year=2001,
            type="book",
            notes=("Almaty edition",),
        ),
        make(
            "anl",
            4,
            "Dağlar və dənizlər",
            authors=("Əliyev, Kamal",),
            subjects=("Coğrafiya",),
            languages=("aze",),
            year=1987,
            type="map",
        ),
        make(
            "nlrk",
            4,
            "Дала әуендері",
            authors=("Жұмабаев, Мағжан",),
            subjects=("Поэзия",),
            languages=("kaz",),
            year=1923,
            type="book",
            link=True,
        ),
        make(
            "anl",
            5,
            "Tarix və mədəniyyət",
            authors=("Almaty, Nurlan",),
            subjects=("Mədəniyyət",),
            languages=("aze",),
            year=2005,
        ),
        make(
            "nlrk",
            5,
            "Тарихи очерки Алматы",
            authors=("Сейітов, Бекзат",),
            subjects=("Тарих",),
            languages=("rus",),
            year=2020,
            type="article",
        ),
        make(
            "anl",
            6,
            "Poeziya antologiyası",
            authors=("Vahid, Əliağa",),
            subjects=("Poeziya",),
            languages=("aze",),
            year=None,
            type="book",
        ),
        make(
            "nlrk",
            6,
            "Ноты казахских песен",
            authors=("Затаевич, Александр",),
            subjects=("Музыка",),
            languages=("rus",),
            year=1925,
            type="score",
        ),
    ]
    cluster = {"anl:oai:anl:1": "c-almaty"}
    return [
        IndexDoc(
            x,
            cluster.get(x.id, x.id) if x.id != "nlrk:oai:nlrk:1" else "c-almaty",
            preferred=x.id != "anl:oai:anl:1",
        )
        for x in r
    ]


_KK = ["Абай", "жолы", "дала", "өлеңдері", "тарихы", "қазақ", "әдебиеті", "мұрасы", "күй", "ән"]
_AZ = ["Şuşa", "dağlar", "tarix", "ədəbiyyat", "nağıllar", "şeirlər", "mədəniyyət", "Bakı"]
_RU = ["история", "Москва", "очерки", "поэзия", "сборник", "песни", "наука", "степь"]
_NAMES = ["Әуезов, Мұхтар", "Vahid, Əliağa", "Иванов, Пётр", "Nizami, Gəncəvi", "Абай, Құнанбайұлы"]
_SUBJECTS = ["Тарих", "Poeziya", "Музыка", "Coğrafiya", "Наука", "Mədəniyyət", "Әдебиет"]
_LANGS = [("kaz",), ("aze",), ("rus",), ("eng",), ("kaz", "rus")]
_TYPES = ["book", "book", "book", "serial", "article", "map", "score"]


def generated(n: int, *, seed: int = 7, prefix: str = "g") -> Iterator[IndexDoc]:
    """``n`` varied records, deterministic for a seed; every tenth shares a cluster with the
    one before it (a cross-library duplicate)."""
    rnd = random.Random(seed)
    words = _KK + _AZ + _RU
    for i in range(n):
        source = "anl" if i % 2 else "nlrk"
        title = " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 5))) + f" {prefix}{i}"
        rec = make(
            source,
            f"{prefix}{i}",
            title,
            authors=(rnd.choice(_NAMES),),
            subjects=tuple(rnd.sample(_SUBJECTS, rnd.randint(1, 2))),
            languages=rnd.choice(_LANGS),
            year=rnd.randint(1900, 2024) if i % 17 else None,
            type=rnd.choice(_TYPES),
            link=i % 3 == 0,
        )
        cluster = f"{prefix}-c{i - 1}" if i % 10 == 1 else f"{prefix}-c{i}"
        yield IndexDoc(rec, cluster, preferred=i % 10 != 1)


@pytest.fixture
def catalogue_docs() -> list[IndexDoc]:
    return catalogue()
