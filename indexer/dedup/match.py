"""Scoring a candidate pair: pure, table-tested (tests/test_dedup_match.py).

A pair is ``same`` (a duplicate: one work, one edition, catalogued twice), ``related``
(a translation, another edition or year, another volume of one work) or ``different``.
Every verdict carries its reasons, so a librarian can see why two records were joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from indexer.dedup.features import Features

SAME, RELATED, DIFFERENT = "same", "related", "different"

TITLE_SAME = 0.88  # title similarity needed without a shared identifier
TITLE_WITH_ISBN = 0.70  # with a shared ISBN (catalogues differ in subtitles, punctuation)
AUTHOR_SAME = 0.85
PUBLISHER_SAME = 0.80
PUBLISHER_DIFFERENT = 0.5  # below this, two publishers are two editions
NAME_WORD_MIN = 70  # each word of a name must be this close (0..100) to one of the other's


@dataclass(frozen=True)
class Match:
    a: str
    b: str
    verdict: str
    score: float  # 0..1, how sure the automatic match is that the two are one work
    reasons: tuple[str, ...]

    @property
    def same(self) -> bool:
        return self.verdict == SAME


def title_similarity(a: Features, b: Features) -> float:
    main = fuzz.token_sort_ratio(a.title, b.title)
    full = fuzz.token_sort_ratio(a.full_title, b.full_title)
    # One catalogue records the subtitle, the other does not: compare the shorter in full.
    contained = fuzz.token_set_ratio(a.full_title, b.full_title) if a.title and b.title else 0
    return max(main, full, contained * 0.97) / 100.0


# Keys fold the i/y/j family to one letter inside a word but not at its start, so an initial
# ("Ҹ." → "i") must meet a name ("Cəlil" → "jalil") by class.
_INITIAL_CLASS = str.maketrans("yj", "ii")


def _token_match(t: str, others: list[str]) -> float:
    """How well one name token is matched by another name's tokens (initials match)."""
    if len(t) == 1:
        t = t.translate(_INITIAL_CLASS)
        return 100.0 if any(o[0].translate(_INITIAL_CLASS) == t for o in others) else 0.0
    first = t[0].translate(_INITIAL_CLASS)
    return max(_abbreviation(t, o, first) or fuzz.ratio(t, o) for o in others)


def _abbreviation(t: str, o: str, first: str) -> float:
    """100 for an initial ("Ч." → "ch" / "Chingiz"), 95 for an abbreviated word ("Mikh." /
    "Mikhail", "Svat" / "Svatopluk"), else 0."""
    if len(o) == 1:
        return 100.0 if o.translate(_INITIAL_CLASS) == first else 0.0
    short, long_ = sorted((t, o), key=len)
    if len(short) == len(long_) or not long_.startswith(short):
        return 0.0
    return 100.0 if len(short) == 2 else 95.0


def name_similarity(x: str, y: str) -> float:
    """Two names' similarity: every token of the shorter name found in the longer one.

    "Tolstoy, Lev" and "Толстой, Лев Николаевич" agree (a patronymic is missing), and so do
    "Айтматов Ч." and "Айтматов, Чингиз" (an initial); the name must share a real word, and
    every word of the shorter name must be close to one of the other's (a variant spelling,
    "Hacıbəyov" / "Hacıbəyli", not another name).
    """
    tx, ty = x.split(), y.split()
    if not tx or not ty:
        return 0.0
    short, long_ = (tx, ty) if len(tx) <= len(ty) else (ty, tx)
    scores = [_token_match(t, long_) for t in short]
    words = [s for t, s in zip(short, scores, strict=True) if len(t) >= 3]
    if not any(s >= 85 for s in words):
        return min(scores) / 100.0 * 0.5
    if min(words) < NAME_WORD_MIN:
        # One word agrees, another is a different word: "Kumilev, Sergei" / "Kuznetsov,
        # Sergei", "Aliyev, Aygün" / "Aliyev, Nərmin" are different people.
        return min(sum(scores) / len(scores) / 100.0, 0.55)
    return sum(scores) / len(scores) / 100.0


def author_similarity(a: Features, b: Features) -> float | None:
    if not a.authors or not b.authors:
        return None
    return max(name_similarity(x, y) for x in a.authors for y in b.authors)


_NUMBER = re.compile(r"\d+")


def title_conflict(a: Features, b: Features) -> str | None:
    """Why two main titles name different things, or None.

    Different numbers ("Т. 4" / "Т. 5"), words on both sides that the other lacks
    ("… kitabxanası. Nizami" / "… Füzuli"), or two or more extra words on one side
    ("Qara sózder" / "Qara sózder jáne óleńder").
    """
    na, nb = set(_NUMBER.findall(a.title)), set(_NUMBER.findall(b.title))
    if na != nb:
        shown = [" ".join(sorted(n)) or "-" for n in (na, nb)]
        return f"numbers in titles differ ({shown[0]} / {shown[1]})"
    ta = [t for t in a.title.split() if not t.isdigit()]
    tb = [t for t in b.title.split() if not t.isdigit()]
    if not ta or not tb:
        return None
    extra_a = [t for t in ta if len(t) >= 3 and _token_match(t, tb) < 80]
    extra_b = [t for t in tb if len(t) >= 3 and _token_match(t, ta) < 80]
    if (extra_a and extra_b) or len(extra_a) + len(extra_b) >= 2:
        return f"titles differ in words ({' '.join(extra_a) or '-'} / {' '.join(extra_b) or '-'})"
    return None


def _similar_text(x: str, y: str) -> float | None:
    if not x or not y:
        return None
    return fuzz.token_set_ratio(x, y) / 100.0


def _other_edition(a: Features, b: Features, publisher: float | None) -> str | None:
    """Why two records of one work are another edition, printing or binding, or None.

    Both carry ISBNs and share none; both name a publisher and they differ; both give a
    page count and they differ by more than a tenth (and a few pages of front matter).
    """
    if a.isbns and b.isbns and not a.isbns & b.isbns:
        return "ISBNs differ (another edition or binding)"
    if publisher is not None and publisher < PUBLISHER_DIFFERENT:
        return "publishers differ (another edition)"
    if a.pages and b.pages and abs(a.pages - b.pages) > max(8, 0.1 * max(a.pages, b.pages)):
        return f"extents differ ({a.pages} / {b.pages} pages)"
    return None


def score_pair(a: Features, b: Features) -> Match:
    """The verdict on two records, with its reasons (most telling first)."""
    reasons: list[str] = []
    shared_isbn = sorted(a.isbns & b.isbns)
    shared_issn = sorted(a.issns & b.issns)
    title = title_similarity(a, b)
    author = author_similarity(a, b)
    publisher = _similar_text(a.publisher, b.publisher)
    if shared_isbn:
        reasons.append(f"same ISBN {shared_isbn[0]}")
    if shared_issn:
        reasons.append(f"same ISSN {shared_issn[0]}")
    reasons.append(f"title {title:.2f}")
    if author is not None:
        reasons.append(f"author {author:.2f}")

    def verdict(kind: str, why: str, score: float) -> Match:
        return Match(a.id, b.id, kind, round(score, 3), (*reasons, why))

    # Guards against the classic false merges, before any positive evidence counts.
    if a.type and b.type and a.type != b.type:
        return verdict(DIFFERENT, f"type differs ({a.type} / {b.type})", 0.0)
    if a.languages and b.languages and not (a.languages & b.languages):
        langs = f"{'/'.join(sorted(a.languages))} vs {'/'.join(sorted(b.languages))}"
        kind = RELATED if title > 0.5 or (author and author >= AUTHOR_SAME) else DIFFERENT
        return verdict(kind, f"languages differ ({langs}): a translation, not a duplicate", 0.1)
    if a.volume != b.volume and (a.volume or b.volume):
        return verdict(RELATED, f"volumes differ ({a.volume or '-'} / {b.volume or '-'})", 0.2)
    if a.edition is not None and b.edition is not None and a.edition != b.edition:
        return verdict(RELATED, f"editions differ ({a.edition} / {b.edition})", 0.2)
    if a.year is not None and b.year is not None and a.year != b.year:
        return verdict(RELATED, f"years differ ({a.year} / {b.year})", 0.25)
    if author is not None and author < 0.6:
        return verdict(DIFFERENT, "authors differ", 0.0)
    other = _other_edition(a, b, publisher)
    if other and not shared_isbn and not shared_issn:
        return verdict(RELATED if title >= TITLE_SAME else DIFFERENT, other, 0.2)
    if shared_isbn and title < TITLE_WITH_ISBN:
        return verdict(DIFFERENT, "same ISBN but titles differ (a series ISBN?)", 0.1)
    conflict = title_conflict(a, b)
    if conflict:
        kind = DIFFERENT if shared_isbn or not author or author < AUTHOR_SAME else RELATED
        series = " (a series ISBN?)" if shared_isbn else ""
        return verdict(kind, conflict + series, 0.15)
    if a.parents != b.parents and a.parents and b.parents:
        return verdict(RELATED, "parts of different multi-part works", 0.2)

    year_note = "year equal" if a.year is not None and a.year == b.year else "year unknown"
    reasons_tail = [year_note]
    if publisher is not None:
        reasons_tail.append(f"publisher {publisher:.2f}")
    reasons.extend(reasons_tail)

    if a.generic or b.generic:
        # "Poems", "Өлеңдер": only the same author, year and publisher (or ISBN) make a match.
        strong = (
            author is not None
            and author >= 0.9
            and a.year is not None
            and a.year == b.year
            and (shared_isbn or (publisher is not None and publisher >= PUBLISHER_SAME))
            and title >= 0.95
        )
        if strong:
            return verdict(SAME, "generic title, but author, year and publisher agree", 0.8)
        # A serial's ISSN names the serial itself ("Жұлдыз"): its short title is its name.
        if shared_issn and title >= 0.95 and (author is None or author >= 0.9):
            return verdict(SAME, "generic title, but the ISSN is shared", 0.85)
        return verdict(DIFFERENT, "generic title without enough agreeing detail", 0.05)

    if shared_isbn or shared_issn:
        score = 0.9 + 0.1 * title
        return verdict(SAME, "identifier shared and titles agree", score)
    # A near-identical title, year and publisher tolerate a variant name form
    # ("Hacıbəyov" / "Hacıbəyli").
    corroborated = (
        title >= 0.95
        and a.year is not None
        and a.year == b.year
        and publisher is not None
        and publisher >= 0.9
    )
    author_needed = 0.7 if corroborated else AUTHOR_SAME
    if title >= TITLE_SAME and (author is None or author >= author_needed):
        if author is None and not (
            a.year is not None and a.year == b.year and publisher and publisher >= PUBLISHER_SAME
        ):
            return verdict(DIFFERENT, "no author: title alone is not enough", 0.3)
        if (a.year is None or b.year is None) and (
            publisher is not None and publisher < PUBLISHER_SAME
        ):
            return verdict(DIFFERENT, "year unknown and publishers differ", 0.3)
        score = 0.5 + 0.3 * title + 0.2 * (author if author is not None else 0.5)
        if a.year is None or b.year is None:
            score -= 0.1
        return verdict(SAME, "title and author agree", score)
    return verdict(DIFFERENT, "titles or authors too far apart", 0.3 * title)
