"""Works, their catalogue records, and their MARCXML / oai_dc renderings (``bench/generate.py``).

A ``Work`` is a book as it exists in the world; ``catalogue`` is how one library writes it
down (script, ISBN hyphens, ISBD punctuation, missing fields), so a planted duplicate is
the same work catalogued differently. ISBNs come from real registrant ranges (python-stdnum)
with computed check digits, so their hyphenation is exact.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

from bench.generate_words import (
    AZE_CYRILLIC,
    COUNTRY,
    ESCAPE,
    GIVEN_LIST,
    ISBN_GROUPS,
    KAZ_LATIN,
    LANGS,
    PUBLISHERS,
    RUS_LATIN,
    SUBJECT_LIST,
    SURNAME_LIST,
    TITLE_WORDS,
)

CATALOGUING_LANG = {"AZ-BaANL": "aze", "KZ-AlNLRK": "kaz"}  # 040 $b, by 003 org code


@dataclass(frozen=True)
class Work:
    """A work as it exists in the world, before a library catalogues it."""

    lang: str
    title: str
    subtitle: str
    surname: str
    given: str
    year: int
    place: str
    publisher: str
    isbn: str | None
    pages: int
    subject: str


def _registrants(per_group: int = 64) -> dict[str, list[tuple[str, str]]]:
    """Per language, ``(978+group, registrant)`` pairs from the ISBN agency ranges.

    Drawn once (python-stdnum splits a few hundred random ISBNs); an ISBN is then a
    registrant plus a publication number, so its hyphenation is exact by construction
    and the slow range tables stay out of the per-record path.
    """
    rng = random.Random(0)
    pool: dict[str, list[tuple[str, str]]] = {}
    for lang, heads in ISBN_GROUPS.items():
        pool[lang] = []
        for head in heads:
            found: set[tuple[str, str]] = set()
            while len(found) < per_group:
                width = 12 - len(head)
                body = head + str(rng.randrange(10**width)).zfill(width)
                ean, group, registrant, _, _ = stdnum_isbn.split(body + _check_digit(body))
                if registrant and len(registrant) < 12 - len(head):
                    found.add((ean + "-" + group, registrant))
            pool[lang] += sorted(found)
    return pool


def _check_digit(body: str) -> str:
    total = sum(int(d) * (1 if n % 2 == 0 else 3) for n, d in enumerate(body))
    return str((10 - total % 10) % 10)


_REGISTRANTS = _registrants()


def isbn13(rng: random.Random, lang: str) -> str:
    """A random hyphenated ISBN-13 of a registrant in the language's group."""
    head, registrant = rng.choice(_REGISTRANTS[lang])
    width = 13 - len(head) - len(registrant)  # head has one hyphen
    publication = str(rng.randrange(10**width)).zfill(width)
    body = f"{head}{registrant}{publication}".replace("-", "")
    return f"{head}-{registrant}-{publication}-{_check_digit(body)}"


def make_work(rng: random.Random, lang: str) -> Work:
    """A work in ``lang`` composed from the word lists."""
    words = TITLE_WORDS[lang]
    title = " ".join(rng.sample(words, rng.randint(2, 4)))
    place, publisher = rng.choice(PUBLISHERS[lang])
    return Work(
        lang=lang,
        title=title[0].upper() + title[1:],
        subtitle=" ".join(rng.sample(words, 2)) if rng.random() < 0.4 else "",
        surname=rng.choice(SURNAME_LIST[lang]),
        given=rng.choice(GIVEN_LIST[lang]),
        year=rng.randint(1950, 2025),
        place=place,
        publisher=publisher,
        isbn=isbn13(rng, lang) if rng.random() < 0.85 else None,
        pages=rng.randint(48, 900),
        subject=rng.choice(SUBJECT_LIST[lang]),
    )


def share(seed: int, n: int, salt: str) -> float:
    """A deterministic number in [0, 1) for record ``n``, the same in every source."""
    digest = hashlib.blake2b(f"{seed}:{salt}:{n}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def is_duplicate(seed: int, n: int, dup_share: float) -> bool:
    """Whether record ``n`` is a work planted in both sources."""
    return share(seed, n, "dup") < dup_share


def shared_work(seed: int, n: int) -> Work:
    """The planted duplicate work ``n``: the same in both sources."""
    rng = random.Random(f"{seed}:work:{n}")
    return make_work(rng, rng.choice(LANGS))


def catalogue(rng: random.Random, work: Work, source: str) -> dict[str, str]:
    """How ``source`` writes the work: script, ISBN hyphens, punctuation, missing fields."""
    title, subtitle, surname, given = work.title, work.subtitle, work.surname, work.given
    publisher, place = work.publisher, work.place
    flip = rng.random() < 0.35
    romanised = flip and (work.lang == "kaz" or (work.lang == "rus" and source == "anl"))
    if flip and work.lang == "kaz":
        title, subtitle, surname, given, publisher, place = (
            s.translate(KAZ_LATIN) for s in (title, subtitle, surname, given, publisher, place)
        )
    elif flip and work.lang == "aze":
        title, subtitle, surname, given, publisher, place = (
            s.translate(AZE_CYRILLIC) for s in (title, subtitle, surname, given, publisher, place)
        )
    elif flip and work.lang == "rus" and source == "anl":
        title, subtitle = title.translate(RUS_LATIN), subtitle.translate(RUS_LATIN)
    isbn = work.isbn  # hyphenated; most catalogues drop the hyphens
    if isbn and rng.random() < 0.6:
        isbn = isbn.replace("-", "")
    isbd = rng.random() < 0.6
    return {
        "title": title,
        "subtitle": subtitle if rng.random() < 0.85 else "",
        "author": f"{surname}, {given}",
        "display": f"{given} {surname}",
        "publisher": publisher if rng.random() < 0.9 else "",
        "place": place,
        "isbn": isbn or "",
        "isbd": "1" if isbd else "",
        # the Cyrillic title of a romanised record, kept in an 880 field
        "vernacular": work.title if romanised else "",
    }


def marcxml(
    ident: str, control: str, org: str, work: Work, c: dict[str, str], stamp: str, link: str
) -> str:
    """The MARCXML ``<record>`` of one catalogued work."""
    e = ESCAPE
    p = c["isbd"]
    date = stamp[2:10].replace("-", "")
    f008 = f"{date}s{work.year}    {COUNTRY[work.lang]}{' ' * 17}{work.lang} d"
    out = [
        '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader>',
        f'<controlfield tag="001">{control}</controlfield>',
        f'<controlfield tag="003">{org}</controlfield>',
        f'<controlfield tag="005">{stamp[:19].replace("-", "").replace(":", "").replace("T", "")}.0'
        "</controlfield>",
        f'<controlfield tag="008">{f008}</controlfield>',
    ]
    if c["isbn"]:
        out.append(
            f'<datafield tag="020" ind1=" " ind2=" "><subfield code="a">{c["isbn"]}'
            "</subfield></datafield>"
        )
    out.append(
        f'<datafield tag="040" ind1=" " ind2=" "><subfield code="a">{org}</subfield>'
        f'<subfield code="b">{CATALOGUING_LANG.get(org, "eng")}</subfield></datafield>'
    )
    out.append(
        f'<datafield tag="041" ind1="0" ind2=" "><subfield code="a">{work.lang}'
        "</subfield></datafield>"
    )
    out.append(
        f'<datafield tag="100" ind1="1" ind2=" "><subfield code="a">'
        f"{c['author'].translate(e)}{',' if p else ''}</subfield></datafield>"
    )
    title = c["title"].translate(e)
    sub = c["subtitle"].translate(e)
    link6 = '<subfield code="6">880-01</subfield>' if c["vernacular"] else ""
    if sub:
        out.append(
            f'<datafield tag="245" ind1="1" ind2="0">{link6}<subfield code="a">{title}'
            f'{" :" if p else ""}</subfield><subfield code="b">{sub}{" /" if p else ""}'
        )
    else:
        out.append(
            f'<datafield tag="245" ind1="1" ind2="0">{link6}<subfield code="a">{title}'
            f"{' /' if p else ''}"
        )
    out.append(
        f'</subfield><subfield code="c">{c["display"].translate(e)}{"." if p else ""}'
        "</subfield></datafield>"
    )
    pub = (
        f'<subfield code="b">{c["publisher"].translate(e)}{"," if p else ""}</subfield>'
        if (c["publisher"])
        else ""
    )
    out.append(
        f'<datafield tag="264" ind1=" " ind2="1"><subfield code="a">{c["place"]}'
        f'{" :" if p else ""}</subfield>{pub}<subfield code="c">{work.year}'
        f"{'.' if p else ''}</subfield></datafield>"
    )
    out.append(
        f'<datafield tag="300" ind1=" " ind2=" "><subfield code="a">{work.pages} p.'
        "</subfield></datafield>"
    )
    out.append(
        f'<datafield tag="650" ind1=" " ind2="4"><subfield code="a">'
        f"{work.subject.translate(e)}</subfield></datafield>"
    )
    if link:
        out.append(
            f'<datafield tag="856" ind1="4" ind2="0"><subfield code="u">{link}</subfield>'
            '<subfield code="y">Electronic copy</subfield></datafield>'
        )
    if link6:
        out.append(
            '<datafield tag="880" ind1="1" ind2="0"><subfield code="6">245-01/(N</subfield>'
            f'<subfield code="a">{c["vernacular"].translate(e)}</subfield></datafield>'
        )
    out.append("</record>")
    return "".join(out)


def oai_dc(work: Work, c: dict[str, str], link: str) -> str:
    """The oai_dc rendering of the same catalogued work."""
    e = ESCAPE
    parts = [
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<dc:title>{c['title'].translate(e)}</dc:title>",
        f"<dc:creator>{c['author'].translate(e)}</dc:creator>",
        f"<dc:date>{work.year}</dc:date><dc:language>{work.lang}</dc:language>",
        f"<dc:subject>{work.subject.translate(e)}</dc:subject>",
    ]
    if c["publisher"]:
        parts.append(f"<dc:publisher>{c['publisher'].translate(e)}</dc:publisher>")
    if c["isbn"]:
        parts.append(f"<dc:identifier>ISBN {c['isbn']}</dc:identifier>")
    if link:
        parts.append(f"<dc:identifier>{link}</dc:identifier>")
    parts.append("</oai_dc:dc>")
    return "".join(parts)
