"""Deterministic generator of large OAI-PMH collection directories for scale benchmarks.

    python bench/generate.py --records 100000 --out DIR [--source anl|nlrk|both]
                             [--seed 1] [--dup-share 0.1] [--deleted-share 0.01]
                             [--formats marc21,oai_dc]

Writes the agreed collection directory format (``repository.toml`` + ``records/*.xml``) of
realistic MARCXML (and optionally oai_dc): Kazakh, Azerbaijani, Russian and English titles
and names in Cyrillic and Latin composed from word lists, valid ISBN-13s, years,
publishers, 856 links on some records, some deletions. Record ``n`` is a planted duplicate
(the same work, catalogued differently: script, ISBN hyphens, punctuation, missing fields)
in both sources when ``dup_share`` selects ``n``, independent of the source, so ANL and NLRK
generated with the same seed and share hold the same works at the same ``n``; their
identifier pairs go to ``duplicates.tsv``. Output streams file by file (10 000 items each):
the same seed gives the same bytes, and memory stays flat at any size.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum import isbn as stdnum_isbn

LANGS = ("kaz", "aze", "rus", "eng")
SOURCES = {
    "anl": ("Azerbaijan National Library", "oai:anl.az:", "AZ-BaANL", "aze"),
    "nlrk": ("National Library of the Republic of Kazakhstan", "oai:nlrk.kz:", "KZ-AlNLRK", "kaz"),
}
# Language mix of each source's own (not shared) records: kaz, aze, rus, eng.
MIX = {"anl": (0.08, 0.55, 0.27, 0.10), "nlrk": (0.55, 0.05, 0.30, 0.10)}

WORDS = {
    "kaz": "Абай жолы қазақ тарихы әдебиет тілі дала өлеңдер жинақ халық ертегілері ғылым "
    "мәдениет білім заманауи шығармалар таңдамалы көшпенділер елі ұлы жер туралы өмір жастар "
    "сөздік оқулық мемлекет экономика құқық аудармалар шежіре күй домбыра Алатау",
    "aze": "Azərbaycan tarixi ədəbiyyat dili şeirlər seçilmiş əsərləri xalq nağılları "
    "mədəniyyət elm təhsil müasir dövlət iqtisadiyyat hüquq lüğət dərslik qədim Bakı torpaq "
    "həyat gənclik musiqi incəsənət Qarabağ ölkə şəhər yol kitab muğam dastanlar",
    "rus": "история Казахстана Азербайджана литература язык избранные произведения народные "
    "сказки культура наука образование современная экономика право словарь учебник степь "
    "жизнь очерки поэзия музыка искусство город древние памятники развитие общество путь",
    "eng": "history of Kazakhstan Azerbaijan literature language selected works folk tales "
    "culture science education modern economy law dictionary textbook steppe life essays "
    "poetry music art city ancient monuments development society Caspian nomads",
}
SURNAMES = {
    "kaz": "Әуезов Сүлейменов Мағауин Есенберлин Нұрпейісов Жұмабаев Байтұрсынұлы Кекілбаев "
    "Мүсірепов Құнанбаев Сейфуллин Майлин Шаханов Оралхан Қасымов Тәжібаев",
    "aze": "Səfərli Əliyev Hüseynov Məmmədov Quliyev Rəhimov Abbasov Nəsirov Vurğun Cabbarlı "
    "Əfəndiyev Rzayev İbrahimov Şıxlı Hacıyev Qasımov",
    "rus": "Иванов Петров Смирнов Кузнецов Соколов Попов Лебедев Козлов Новиков Морозов "
    "Волков Алексеев Лазарев Гумилёв Бартольд Ларин",
    "eng": "Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Olcott Golden "
    "Frye Cameron Swietochowski Hopkirk",
}
GIVEN = {
    "kaz": "Мұхтар Олжас Ілияс Әбдіжәміл Мағжан Ахмет Әбіш Ғабит Абай Сәкен Бейімбет Мұхтар "
    "Гүлнар Әйгерім Дана Жанар",
    "aze": "Elçin Anar Kamal Rəşad Nigar Leyla Fuad Ramiz Səməd Mirzə Hüseyn Cəlil İsmayıl "
    "Gülnar Aygün Nərmin",
    "rus": "Александр Сергей Елена Ольга Николай Татьяна Андрей Ирина Лев Василий Мария Анна "
    "Дмитрий Юрий Павел Наталья",
    "eng": "John Mary David Sarah James Emma Peter Anne Martha Peter Audrey Michael Tadeusz "
    "Sarah Robert Helen",
}
PUBLISHERS = {
    "kaz": [
        ("Алматы", "Жазушы"),
        ("Алматы", "Атамұра"),
        ("Алматы", "Мектеп"),
        ("Астана", "Фолиант"),
        ("Алматы", "Қазақ энциклопедиясы"),
        ("Алматы", "Өнер"),
    ],
    "aze": [
        ("Bakı", "Şərq-Qərb"),
        ("Bakı", "Yazıçı"),
        ("Bakı", "Maarif"),
        ("Bakı", "Elm"),
        ("Bakı", "Təhsil"),
        ("Bakı", "Qanun"),
    ],
    "rus": [
        ("Москва", "Наука"),
        ("Москва", "Просвещение"),
        ("Москва", "Эксмо"),
        ("Санкт-Петербург", "Азбука"),
        ("Алматы", "Раритет"),
        ("Баку", "Элм"),
    ],
    "eng": [
        ("London", "Routledge"),
        ("Cambridge", "Cambridge University Press"),
        ("Oxford", "Oxford University Press"),
        ("Leiden", "Brill"),
        ("Stanford", "Hoover Institution Press"),
        ("London", "I.B. Tauris"),
    ],
}
ISBN_GROUPS = {
    "kaz": ("978601", "9789965"),
    "aze": ("9789952",),
    "rus": ("9785",),
    "eng": ("9780", "9781"),
}
COUNTRY = {"kaz": "kz ", "aze": "aj ", "rus": "ru ", "eng": "enk"}
SUBJECTS = {
    "kaz": "Қазақ әдебиеті|Қазақстан тарихы|Қазақ тілі|Фольклор",
    "aze": "Azərbaycan ədəbiyyatı|Azərbaycan tarixi|Azərbaycan dili|Folklor",
    "rus": "Русская литература|История|Языкознание|Фольклор",
    "eng": "Central Asia -- History|Caucasus -- History|Turkic languages|Folklore",
}
KAZ_LATIN = str.maketrans(
    {
        **dict(
            zip("абвгғдезийкқлмнңоөпрстуұүфхһыіэ", "abvgğdeziiqqlmnñoöprstuūüfhhyıe", strict=True)
        ),
        **dict(
            zip("АБВГҒДЕЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЫІЭ", "ABVGĞDEZIIQQLMNÑOÖPRSTUŪÜFHHYIE", strict=True)
        ),
        "ә": "ä",
        "Ә": "Ä",
        "ж": "j",
        "Ж": "J",
        "ш": "ş",
        "Ш": "Ş",
        "ч": "ch",
        "Ч": "Ch",
        "ц": "ts",
        "Ц": "Ts",
        "щ": "şş",
        "ю": "iu",
        "Ю": "Iu",
        "я": "ia",
        "Я": "Ia",
        "ё": "io",
        "ъ": "",
        "ь": "",
    }
)
AZE_CYRILLIC = str.maketrans(
    dict(
        zip(
            "abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ",
            "абҹчдеәфҝғһхыижкглмноөпрсштуүвјзАБҸЧДЕӘФҜҒҺХЫИЖКГЛМНОӨПРСШТУҮВЈЗ",
            strict=True,
        )
    )
)
RUS_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
        **dict(zip("АБВГДЕЗИЙКЛМНОПРСТУФЫЭ", "ABVGDEZIIKLMNOPRSTUFYE", strict=True)),
        "ж": "zh",
        "Ж": "Zh",
        "х": "kh",
        "Х": "Kh",
        "ц": "ts",
        "Ц": "Ts",
        "ч": "ch",
        "Ч": "Ch",
        "ш": "sh",
        "Ш": "Sh",
        "щ": "shch",
        "ю": "iu",
        "Ю": "Iu",
        "я": "ia",
        "Я": "Ia",
        "ё": "e",
        "ъ": "",
        "ь": "",
    }
)
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_SPLIT = {k: v.split() for k, v in WORDS.items()}
_SUR = {k: v.split() for k, v in SURNAMES.items()}
_GIV = {k: v.split() for k, v in GIVEN.items()}
_SUBJ = {k: v.split("|") for k, v in SUBJECTS.items()}
PER_FILE = 10_000
EPOCH_START = 1420070400  # 2015-01-01
EPOCH_SPAN = 11 * 365 * 86400


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
    words = _SPLIT[lang]
    title = " ".join(rng.sample(words, rng.randint(2, 4)))
    place, publisher = rng.choice(PUBLISHERS[lang])
    return Work(
        lang=lang,
        title=title[0].upper() + title[1:],
        subtitle=" ".join(rng.sample(words, 2)) if rng.random() < 0.4 else "",
        surname=rng.choice(_SUR[lang]),
        given=rng.choice(_GIV[lang]),
        year=rng.randint(1950, 2025),
        place=place,
        publisher=publisher,
        isbn=isbn13(rng, lang) if rng.random() < 0.85 else None,
        pages=rng.randint(48, 900),
        subject=rng.choice(_SUBJ[lang]),
    )


def _share(seed: int, n: int, salt: str) -> float:
    """A deterministic number in [0, 1) for record ``n``, the same in every source."""
    digest = hashlib.blake2b(f"{seed}:{salt}:{n}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def is_duplicate(seed: int, n: int, dup_share: float) -> bool:
    """Whether record ``n`` is a work planted in both sources."""
    return _share(seed, n, "dup") < dup_share


def shared_work(seed: int, n: int) -> Work:
    """The planted duplicate work ``n``: the same in both sources."""
    rng = random.Random(f"{seed}:work:{n}")
    return make_work(rng, rng.choice(LANGS))


def catalogue(rng: random.Random, work: Work, source: str) -> dict[str, str]:
    """How ``source`` writes the work: script, ISBN hyphens, punctuation, missing fields."""
    title, subtitle, surname, given = work.title, work.subtitle, work.surname, work.given
    publisher, place = work.publisher, work.place
    flip = rng.random() < 0.35
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
    }


def marcxml(
    ident: str, control: str, org: str, work: Work, c: dict[str, str], stamp: str, link: str
) -> str:
    """The MARCXML ``<record>`` of one catalogued work."""
    e = _ESC
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
        f'<subfield code="b">{work.lang}</subfield></datafield>'
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
    if sub:
        out.append(
            f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}'
            f'{" :" if p else ""}</subfield><subfield code="b">{sub}{" /" if p else ""}'
        )
    else:
        out.append(
            f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}{" /" if p else ""}'
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
    out.append("</record>")
    return "".join(out)


def oai_dc(work: Work, c: dict[str, str], link: str) -> str:
    """The oai_dc rendering of the same catalogued work."""
    e = _ESC
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


@dataclass(frozen=True)
class Options:
    records: int
    seed: int = 1
    dup_share: float = 0.1
    deleted_share: float = 0.01
    link_share: float = 0.1
    formats: tuple[str, ...] = ("marc21",)
    per_file: int = PER_FILE


def identifier(source: str, n: int) -> str:
    """The OAI identifier of record ``n`` in ``source``."""
    return f"{SOURCES[source][1]}g{n:07d}"


def items(source: str, opts: Options) -> Iterator[tuple[int, str]]:
    """``(n, <item> XML)`` for records 1..N of ``source``, in order."""
    _, _, org, _ = SOURCES[source]
    stream = random.Random(f"{opts.seed}:{source}")
    langs, weights = LANGS, MIX[source]
    for n in range(1, opts.records + 1):
        ident = identifier(source, n)
        stamp = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH_START + stream.randrange(EPOCH_SPAN))
        )
        dup = is_duplicate(opts.seed, n, opts.dup_share)
        if not dup and _share(opts.seed, n, f"del:{source}") < opts.deleted_share:
            yield n, f'<item identifier="{ident}" datestamp="{stamp}" deleted="true"/>\n'
            continue
        if dup:
            work = shared_work(opts.seed, n)
            rng = random.Random(f"{opts.seed}:{source}:{n}")
        else:
            work = make_work(stream, stream.choices(langs, weights)[0])
            rng = stream
        c = catalogue(rng, work, source)
        link = ""
        if rng.random() < opts.link_share:
            link = (
                f"https://elib.anl.az/record/{n}"
                if source == "anl"
                else f"https://kazneb.kz/bookView/view?brId={n}"
            )
        md = []
        if "marc21" in opts.formats:
            xml = marcxml(ident, f"{n:09d}", org, work, c, stamp, link)
            md.append(f'<metadata prefix="marc21">{xml}</metadata>')
        if "oai_dc" in opts.formats:
            md.append(f'<metadata prefix="oai_dc">{oai_dc(work, c, link)}</metadata>')
        yield (
            n,
            (
                f'<item identifier="{ident}" datestamp="{stamp}" sets="books lang:{work.lang}">'
                f"{''.join(md)}</item>\n"
            ),
        )


def repository_toml(source: str) -> str:
    """The ``repository.toml`` of a generated collection."""
    name, prefix, _, _ = SOURCES[source]
    lines = [
        f'repository_name = "{name} (generated)"',
        f'identifier_prefix = "{prefix}"',
        'granularity = "seconds"',
        'earliest_datestamp = "2015-01-01T00:00:00Z"',
        'deleted_record = "persistent"',
        'admin_email = "oai@example.org"',
        "",
        "[[sets]]",
        'spec = "books"',
        'name = "Books"',
        "",
        "[[sets]]",
        'spec = "lang"',
        'name = "Languages"',
    ]
    return "\n".join(lines) + "\n"


def write_collection(source: str, out: Path, opts: Options) -> int:
    """Write one source's collection directory; returns the number of items."""
    records = out / "records"
    records.mkdir(parents=True, exist_ok=True)
    for old in records.glob("part-*.xml"):
        old.unlink()
    (out / "repository.toml").write_text(repository_toml(source), encoding="utf-8")
    count = 0
    chunk: list[str] = []

    def flush() -> None:
        path = records / f"part-{(count - 1) // opts.per_file:05d}.xml"
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write("<items>\n")
            f.write("".join(chunk))
            f.write("</items>\n")
        chunk.clear()

    for _, item in items(source, opts):
        chunk.append(item)
        count += 1
        if len(chunk) == opts.per_file:
            flush()
    if chunk:
        flush()
    return count


def write_duplicates(path: Path, opts: Options) -> int:
    """The ground truth: one line per planted duplicate (work, ANL id, NLRK id)."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("work\tanl\tnlrk\n")
        for n in range(1, opts.records + 1):
            if is_duplicate(opts.seed, n, opts.dup_share):
                f.write(f"{n}\t{identifier('anl', n)}\t{identifier('nlrk', n)}\n")
                rows += 1
    return rows


def generate(out: Path, source: str, opts: Options) -> dict[str, int]:
    """Generate ``source`` (``anl``, ``nlrk`` or ``both``) under ``out``; returns counts."""
    counts: dict[str, int] = {}
    if source == "both":
        for s in SOURCES:
            counts[s] = write_collection(s, out / s, opts)
    else:
        counts[source] = write_collection(source, out, opts)
    counts["duplicates"] = write_duplicates(out / "duplicates.tsv", opts)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="records per source")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--source", choices=[*SOURCES, "both"], default="anl")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dup-share", type=float, default=0.1)
    parser.add_argument("--deleted-share", type=float, default=0.01)
    parser.add_argument("--link-share", type=float, default=0.1)
    parser.add_argument("--formats", default="marc21", help="comma-separated: marc21,oai_dc")
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    problems = [f"unknown format {f!r}" for f in formats if f not in ("marc21", "oai_dc")]
    problems += [
        f"--{k} must be between 0 and 1"
        for k in ("dup-share", "deleted-share", "link-share")
        if not 0 <= getattr(args, k.replace("-", "_")) <= 1
    ]
    if args.records < 1:
        problems.append("--records must be at least 1")
    if problems or not formats:
        parser.error("; ".join(problems) or "--formats is empty")
    opts = Options(
        args.records, args.seed, args.dup_share, args.deleted_share, args.link_share, formats
    )
    start = time.perf_counter()
    counts = generate(args.out, args.source, opts)
    secs = time.perf_counter() - start
    total = sum(v for k, v in counts.items() if k != "duplicates")
    print(
        f"wrote {total} records ({', '.join(f'{k} {v}' for k, v in counts.items())}) "
        f"to {args.out} in {secs:.1f} s ({total / secs:,.0f} records/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
