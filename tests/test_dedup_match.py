"""Matching rules, table-tested: duplicates join, the classic false merges do not."""

from __future__ import annotations

import pytest

from indexer.dedup.cluster import Member, cluster
from indexer.dedup.features import (
    Features,
    arabic_numerals,
    blocking_keys,
    edition_number,
    features,
    split_title,
    volume_number,
)
from indexer.dedup.match import DIFFERENT, RELATED, SAME, score_pair
from indexer.record import Name, Record


def rec(rid: str, title: str, author: str = "", **kw: object) -> Record:
    source = rid.split(":")[0]
    authors = (Name(author),) if author else ()
    return Record(
        id=rid,
        source=source,
        oai_id=rid,
        datestamp="2024-01-01T00:00:00Z",
        format="marc21",
        title=title,
        authors=authors,
        **kw,  # type: ignore[arg-type]
    )


ABAI_KK = rec(
    "nlrk:1",
    "Абай жолы",
    "Әуезов, Мұхтар",
    year=2010,
    languages=("kaz",),
    publisher="Жазушы",
    isbns=("9786010000017",),
    type="book",
)
ABAI_LAT = rec(
    "anl:1",
    "Abai joly",
    "Äuezov, Mūhtar",
    year=2010,
    languages=("kaz",),
    publisher="Zhazushy",
    type="book",
)
ABAI_RU = rec(
    "anl:2",
    "Путь Абая",
    "Ауэзов, Мухтар",
    year=2010,
    languages=("rus",),
    publisher="Жазушы",
    type="book",
)

CASES = [
    # (a, b, verdict, a reason that must be given)
    (ABAI_KK, ABAI_LAT, SAME, "title and author agree"),
    (ABAI_KK, ABAI_RU, RELATED, "a translation, not a duplicate"),
    (
        ABAI_KK,
        rec(
            "anl:3",
            "Абай жолы : роман-эпопея",
            "Әуезов М.",
            year=2010,
            isbns=("9786010000017",),
            languages=("kaz",),
        ),
        SAME,
        "same ISBN",
    ),
    (
        ABAI_KK,
        rec("anl:4", "Абай жолы", "Әуезов, Мұхтар", year=1997, languages=("kaz",)),
        RELATED,
        "years differ (2010 / 1997)",
    ),
    (
        rec("anl:5", "Абай жолы", "Әуезов, Мұхтар", year=2010, edition="2-е изд."),
        rec("nlrk:5", "Абай жолы", "Әуезов, Мұхтар", year=2010, edition="3-е изд."),
        RELATED,
        "editions differ (2 / 3)",
    ),
    (
        rec("anl:6", "Көшпенділер", "Есенберлин, Ілияс", year=2005, volume="Т. 1"),
        rec("nlrk:6", "Көшпенділер", "Есенберлин, Ілияс", year=2005, volume="Т. 2"),
        RELATED,
        "volumes differ",
    ),
    (
        rec("anl:7", "Өлеңдер", "Абай Құнанбайұлы", year=2001),
        rec("nlrk:7", "Өлеңдер", "Жамбыл Жабаев", year=2001),
        DIFFERENT,
        "authors differ",
    ),
    (
        rec("anl:8", "Şeirlər", "Vurğun, Səməd", year=1990),
        rec("nlrk:8", "Şeirlər", "Vurğun, Səməd", year=1990, publisher="Gənclik"),
        DIFFERENT,
        "generic title without enough agreeing detail",
    ),
    (
        rec("anl:9", "Şeirlər", "Vurğun, Səməd", year=1990, publisher="Gənclik"),
        rec("nlrk:9", "Шеирләр", "Вурғун, Сәмәд", year=1990, publisher="Гәнҹлик"),
        SAME,
        "generic title, but author, year and publisher agree",
    ),
    (
        rec("anl:10", "Тарих", "", year=2000, isbns=("9789965000007",)),
        rec("nlrk:10", "Математика", "", year=2000, isbns=("9789965000007",)),
        DIFFERENT,
        "same ISBN but titles differ",
    ),
    (
        rec("anl:11", "Leyli və Məcnun", "Hacıbəyov, Üzeyir", type="score"),
        rec("nlrk:11", "Leyli və Məcnun", "Hacıbəyov, Üzeyir", type="book"),
        DIFFERENT,
        "type differs",
    ),
    (
        rec("anl:12", "Məktub yeşiyi", "Məmmədquluzadə, Cəlil", year=2004),
        rec("nlrk:12", "Мәктуб јешији", "Мәммәдгулузадә, Ҹәлил", year=2004),
        SAME,
        "title and author agree",
    ),
    (
        rec("anl:13", "Əsərləri. I cild", "Cavid, Hüseyn", year=2005),
        rec("nlrk:13", "Әсәрләри. II ҹилд", "Ҹавид, Һүсејн", year=2005),
        RELATED,
        "volumes differ (1 / 2)",
    ),
    (
        rec("anl:14", "Собрание сочинений. Т. 3", "Чехов, Антон", year=1985, publisher="Наука"),
        rec(
            "nlrk:14", "Sobranie sochinenii. T. III", "Chekhov, Anton", year=1985, publisher="Nauka"
        ),
        SAME,  # a generic title: the publisher is needed too
        "generic title, but author, year and publisher agree",
    ),
    (
        rec("anl:15", "История Казахстана. Т. 1", year=2010, isbns=("9786017000011",)),
        rec("nlrk:15", "История Казахстана. Т. 2", year=2010, isbns=("9786017000011",)),
        RELATED,
        "volumes differ (1 / 2)",
    ),
    (
        rec("anl:16", "Zhūldyz", year=1928, issns=("0130-3759",), type="serial"),
        rec("nlrk:16", "Жұлдыз : әдеби-көркем журнал", year=1928, issns=("0130-3759",)),
        SAME,
        "generic title, but the ISSN is shared",
    ),
    (
        rec("anl:17", "Zhūldyz", year=1928, type="serial"),
        rec("nlrk:17", "Жұлдыз", year=1928, type="serial"),
        DIFFERENT,
        "generic title without enough agreeing detail",
    ),
    (
        rec("anl:18", "Грамматика", "Ысқақов, А.", year=2012, edition="2-е изд."),
        rec("nlrk:18", "Грамматика", "Ысқақов, Ахмеди", year=2012, edition="Екінші басылым"),
        DIFFERENT,  # a one-word title is generic: the publisher is missing
        "generic title",
    ),
    (
        rec(
            "anl:19",
            "Қазақ тілінің грамматикасы",
            "Ысқақов, А.",
            year=2012,
            edition="Екінші басылым",
        ),
        rec(
            "nlrk:19",
            "Qazaq tılınıñ grammatikasy",
            "Ysqaqov, A.",
            year=2012,
            edition="Üşınşı basylym",
        ),
        RELATED,
        "editions differ (2 / 3)",
    ),
    (
        rec("anl:20", "Өлүләр", "Мәммәдгулузадә, Ҹ.", year=1987, publisher="Јазычы"),
        rec("nlrk:20", "Ölülər", "Məmmədquluzadə, Cəlil", year=1987, publisher="Yazıçı"),
        SAME,  # an initial Ҹ. meets Cəlil; a one-word title needs the publisher too
        "generic title, but author, year and publisher agree",
    ),
    (
        rec("anl:21", "A history of Inner Asia", "Soucek, Svat", year=2000),
        rec("nlrk:21", "A history of Inner Asia", "Soucek, Svatopluk", year=2000),
        SAME,
        "title and author agree",
    ),
    (
        rec("anl:22", "Абай", "Әуезов, Мұхтар", year=1942, publisher="Қазбіріккенбаспа"),
        rec("nlrk:22", "Абай", "Жұмалиев, Қажым", year=1942, publisher="Қазбіріккенбаспа"),
        DIFFERENT,
        "authors differ",
    ),
    (
        rec("anl:23", "Torpaq və dövlət", "Məmmədov, Rəşad", year=2011),
        rec("nlrk:23", "Torpaq və dövlət", "İbrahimov, Rəşad", year=2011),
        DIFFERENT,  # the given name agrees, the surname is another word
        "authors differ",
    ),
    (
        rec("anl:24", "İqtisadiyyat", "Əliyev, Aygün", year=1982, publisher="Elm"),
        rec("nlrk:24", "İqtisadiyyat", "Əliyev, Nərmin", year=1982, publisher="Elm"),
        DIFFERENT,
        "authors differ",
    ),
    (
        rec("anl:25", "Белое облако Чингисхана", "Айтматов, Чингиз", year=2008),
        rec("nlrk:25", "Белое облако Чингисхана", "Айтматов Ч.", year=2008),
        SAME,  # Ч. keys to a digraph initial ("ch")
        "title and author agree",
    ),
    (
        rec("anl:26", "Қан мен тер", "Нұрпейісов, Ә.", year=2003, isbns=("9786017000028",)),
        rec("nlrk:26", "Qan men ter", "Nurpeiisov, A.", year=2003, isbns=("9786017000035",)),
        RELATED,
        "ISBNs differ",
    ),
    (
        rec("anl:27", "Абай жолы", "Әуезов, Мұхтар", year=2010, publisher="Жазушы"),
        rec("nlrk:27", "Абай жолы", "Әуезов, Мұхтар", year=2010, publisher="Атамұра"),
        RELATED,
        "publishers differ",
    ),
    (
        rec("anl:28", "Абай жолы", "Әуезов, Мұхтар", year=2010, extent="416 с."),
        rec("nlrk:28", "Abai joly", "Äuezov, Mūhtar", year=2010, extent="720 bet"),
        RELATED,
        "extents differ (416 / 720 pages)",
    ),
    (
        rec("anl:29", "Абай жолы", "Әуезов, Мұхтар", year=2010, extent="416 с."),
        rec("nlrk:29", "Abai joly", "Äuezov, Mūhtar", year=2010, extent="416 b., [8] b. il."),
        SAME,
        "title and author agree",
    ),
]


@pytest.mark.parametrize(("a", "b", "verdict", "reason"), CASES)
def test_verdicts(a: Record, b: Record, verdict: str, reason: str) -> None:
    m = score_pair(features(a), features(b))
    assert m.verdict == verdict, m.reasons
    assert any(reason in r for r in m.reasons), m.reasons


def test_symmetry_of_verdicts() -> None:
    for a, b, verdict, _ in CASES:
        assert score_pair(features(b), features(a)).verdict == verdict


def test_reasons_name_the_evidence() -> None:
    m = score_pair(features(CASES[2][0]), features(CASES[2][1]))
    assert m.reasons[0] == "same ISBN 9786010000017"
    assert "year equal" in m.reasons


def test_cross_script_records_share_a_block() -> None:
    ka, kb = blocking_keys(features(ABAI_KK)), blocking_keys(features(ABAI_LAT))
    assert ka & kb


@pytest.mark.parametrize(
    ("statement", "number"),
    [
        ("2-е изд., испр. и доп.", 2),
        ("Third edition", 3),
        ("İkinci nəşr", 2),
        ("", None),
        ("Revised", None),
        ("5th ed.", 5),
        ("2-ci nəşr", 2),
        ("Екінші басылым", 2),
        ("Издание третье", 3),
        ("Üçüncü nəşr", 3),
        ("Tretʹe izdanie", 3),
    ],
)
def test_edition_number(statement: str, number: int | None) -> None:
    assert edition_number(statement) == number


def test_generic_flag() -> None:
    assert isinstance(features(rec("x:1", "Стихи")), Features)
    assert features(rec("x:1", "Стихи")).generic
    assert features(rec("x:1", "Poems")).generic
    assert not features(rec("x:1", "Абай жолы")).generic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Əsərləri. II cild", "Əsərləri. 2 cild"),
        ("том IV", "том 4"),
        ("ІІІ том", "3 том"),  # Cyrillic І as a Roman numeral
        ("XIX век", "19 век"),
        ("IC", "IC"),  # not a valid numeral
        ("Vivaldi", "Vivaldi"),  # part of a word
        ("V mire zhivotnykh", "V mire zhivotnykh"),  # romanised «В мире …»: a word
        ("Т. V", "Т. 5"),  # a single letter beside a volume word
        ("Prestuplenie I nakazanie", "Prestuplenie I nakazanie"),
    ],
)
def test_arabic_numerals(text: str, expected: str) -> None:
    assert arabic_numerals(text) == expected


@pytest.mark.parametrize(
    ("statement", "number"),
    [
        ("Т. 2", "2"),
        ("II ҹилд", "2"),
        ("2-ci cild", "2"),
        ("2-том", "2"),
        ("Vol. II", "2"),
        ("Часть вторая", "2"),
        ("Т. 1, кн. 2", "1 2"),
        ("Т. 05", "5"),
    ],
)
def test_volume_number(statement: str, number: str) -> None:
    assert volume_number(statement) == number


def test_volume_in_the_title_only_meets_the_volume_field() -> None:
    a = features(rec("anl:1", "Azərbaycan tarixi. III cild"))
    b = features(rec("nlrk:1", "Азәрбајҹан тарихи", volume="3"))
    assert a.volume == b.volume == "3"
    assert a.title == b.title


@pytest.mark.parametrize(
    ("title", "subtitle", "main", "rest"),
    [
        ("Абай жолы : роман-эпопея", "", "Абай жолы", "роман-эпопея"),
        ("Плаха: роман", "", "Плаха", "роман"),
        ("Ali and Nino = Əli və Nino", "", "Ali and Nino", "Əli və Nino"),
        ("Абай жолы", "роман", "Абай жолы", "роман"),
        ("Russian Azerbaijan, 1905-1920", "", "Russian Azerbaijan, 1905-1920", ""),
    ],
)
def test_split_title(title: str, subtitle: str, main: str, rest: str) -> None:
    assert split_title(rec("x:1", title, subtitle=subtitle)) == (main, rest)


def test_clusters_chain_but_respect_cannot_links() -> None:
    members = {i: Member(i, 5, "2024") for i in ("a", "b", "c", "d", "e")}
    same = [("a", "b", 0.9), ("b", "c", 0.8), ("c", "d", 0.7)]
    groups = sorted(sorted(g) for g in cluster(members, same).values())
    assert groups == [["a", "b", "c", "d"], ["e"]]
    split = cluster(members, same, cannot_link=[("a", "d")])
    assert sorted(sorted(g) for g in split.values()) == [["a", "b", "c"], ["d"], ["e"]]
    forced = cluster(members, [], must_link=[("a", "e")], cannot_link=[("a", "e")])
    assert sorted(sorted(g) for g in forced.values())[0] == ["a", "e"]
