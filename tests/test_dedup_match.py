"""Matching rules, table-tested: duplicates join, the classic false merges do not."""

from __future__ import annotations

import pytest

from indexer.dedup.features import Features, blocking_keys, edition_number, features
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
    ],
)
def test_edition_number(statement: str, number: int | None) -> None:
    assert edition_number(statement) == number


def test_generic_flag() -> None:
    assert isinstance(features(rec("x:1", "Стихи")), Features)
    assert features(rec("x:1", "Стихи")).generic
    assert features(rec("x:1", "Poems")).generic
    assert not features(rec("x:1", "Абай жолы")).generic
