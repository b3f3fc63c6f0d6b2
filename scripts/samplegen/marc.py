"""Build the MARC21 bibliographic record one library would have for one edition.

The same edition comes out differently per library and per holding flags (see tables.FLAGS):
script (romanised, Kazakh Latin, Azerbaijani Cyrillic, 880 alternate-script pairs), ISBN form,
ISBD punctuation or none, RDA (264, 336-338, spelled-out extent) or AACR2, fields left out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pymarc import Field, Indicators, Leader, Record, Subfield
from stdnum import isbn

from samplegen.stamps import entered_date
from samplegen.tables import Author, Edition, Holding, Subject
from samplegen.translit import render

ORG = {"anl": "AzBaANL", "nlrk": "KzAlNLRK"}  # composed MARC organisation codes
SUBJECT_SOURCE = {"anl": "anlsh", "nlrk": "nlrksh"}  # the libraries' local subject lists
COUNTRY = {
    "алматы": "kz ", "алма-ата": "kz ", "астана": "kz ", "нұр-сұлтан": "kz ", "almaty": "kz ",
    "astana": "kz ", "bakı": "aj ", "баку": "aj ", "москва": "ru ", "ленинград": "ru ",
    "санкт-петербург": "ru ", "moscow": "ru ", "london": "enk", "harmondsworth": "enk",
    "oxford": "enk", "cambridge": "enk", "new york": "nyu", "ithaca": "nyu", "stanford": "cau",
    "bloomington": "inu", "princeton": "nju", "ташкент": "uz ", "бишкек": "kg ",
    "фрунзе": "kg ", "washington": "dcu", "woodstock": "nyu", "oakland": "cau", "wiesbaden": "gw ",
    "nur-sūltan": "kz ", "бакы": "aj ", "tiflis": "gs ", "алма-ата;": "kz ",
}  # fmt: skip
LITERARY_FORM = {"novel": "f", "stories": "j", "poetry": "p", "epic": "p", "drama": "d",
                 "essays": "e", "letters": "i", "works": "m"}  # fmt: skip
NATURE = {"dictionary": "d", "encyclopaedia": "e", "law": "l"}
RELATOR_CODE = {"author": "aut", "translator": "trl", "editor": "edt", "compiler": "com",
                "illustrator": "ill", "contributor": "ctb"}  # fmt: skip
LANGUAGE_NAME = {"kaz": "Kazakh", "aze": "Azerbaijani", "rus": "Russian", "eng": "English"}
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
         "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]  # fmt: skip
FREQUENCY = {
    "anl": {"d": "Gündəlik", "w": "Həftəlik", "m": "Aylıq", "q": "Rüblük"},
    "nlrk": {"d": "Ежедневно", "w": "Еженедельно", "m": "Ежемесячно", "q": "Ежеквартально"},
}
LINK_LABEL = {"anl": "Elektron nüsxə", "nlrk": "Электрондық көшірме"}


def script_mode(flags: frozenset[str]) -> str:
    """The script the main fields are written in, from the holding flags."""
    for flag, mode in (("rom", "alalc"), ("rom880", "alalc"), ("kzlat", "kzlat"),
                       ("azcyr", "azcyr")):  # fmt: skip
        if flag in flags:
            return mode
    return "orig"


def heading(author: Author, lang: str, mode: str) -> str:
    """The author's heading for a record of language ``lang`` written in ``mode``."""
    by_lang = {"kaz": author.kk or author.ru, "rus": author.ru, "aze": author.az or author.en,
               "eng": author.en}  # fmt: skip
    return render(by_lang.get(lang) or author.en or author.ru, mode, lang)


def forward(name: str) -> str:
    """'Surname, Forename' turned into 'Forename Surname' for a statement of responsibility."""
    surname, _, rest = name.partition(", ")
    return f"{rest} {surname}" if rest else name


def part_label(volume: int, lang: str) -> str:
    """How a volume number is printed in a title in each language."""
    if lang == "aze":
        return f"{ROMAN[volume]} cild"
    return f"Vol. {volume}" if lang == "eng" else f"Т. {volume}"


def extent(pages: str, lib: str, lang: str, rda: bool) -> str:
    """The 300 $a: abbreviated (AACR2/GOST) or spelled out (RDA), in the library's language."""
    if not pages.isdigit():
        return pages
    n = int(pages)
    if rda:
        if lib == "anl":
            return f"{n} pages" if lang == "eng" else f"{n} səhifə"
        if lang == "kaz":
            return f"{n} бет"
        if lang == "eng":
            return f"{n} pages"
        tail = n % 100
        word = ("страница" if n % 10 == 1 and tail != 11
                else "страницы" if 2 <= n % 10 <= 4 and not 12 <= tail <= 14
                else "страниц")  # fmt: skip
        return f"{n} {word}"
    if lang == "eng":
        return f"{n} p."
    if lib == "anl":
        return f"{n} s."
    return f"{n} б." if lang == "kaz" else f"{n} с."


def isbn_form(number: str, flags: frozenset[str]) -> str:
    """The ISBN as this library writes it: hyphenated, compact, or as an ISBN-10."""
    if not isbn.is_valid(number):
        return number  # a recorded error is copied as printed
    if "isbn10" in flags and number.startswith("978"):
        number = isbn.to_isbn10(number)
    return isbn.compact(number) if "nohyph" in flags else isbn.format(number, convert=False)


def punctuate(parts: list[tuple[str, str]], isbd: bool, joins: dict[str, str]) -> list[Subfield]:
    """Subfields with ISBD punctuation: ``joins[code]`` ends the element before ``code``."""
    out = []
    for i, (code, text) in enumerate(parts):
        if isbd:
            if i + 1 < len(parts):
                if not (text.endswith("-") and joins.get(parts[i + 1][0]) == ","):
                    text += joins.get(parts[i + 1][0], "")
            elif text[-1] not in ".?!-":
                text += "."
        out.append(Subfield(code, text))
    return out


class Builder:
    """Makes the records of one library, given the authors and subjects tables."""

    def __init__(self, lib: str, authors: dict[str, Author], subjects: dict[str, Subject]):
        self.lib = lib
        self.authors = authors
        self.subjects = subjects

    def record(self, ed: Edition, held: Holding, ident: str, stamp: str) -> Record:
        """The MARC record of ``ed`` as this library catalogues it."""
        flags, lib = held.flags, self.lib
        mode = script_mode(flags)
        isbd = "noisbd" not in flags
        rda = "rda" in flags
        serial = ed.kind == "serial"
        cat_lang = "aze" if lib == "anl" else ("kaz" if ed.lang == "kaz" else "rus")
        r = Record(force_utf8=True)
        desc = "c" if not isbd else ("a" if "azcyr" in flags and lib == "anl" else "i")
        level = "7" if {"nopub", "no008"} & flags else " "
        multipart = "c" if ed.volume else " "
        status = "c" if int(stamp[3]) % 2 else "n"  # corrected or new, varied by year
        r.leader = Leader(
            f"00000{status}a{'s' if serial else 'm'} a2200000{level}{desc}{multipart}4500"
        )
        r.add_field(Field("001", data=ident), Field("003", data=ORG[lib]))
        r.add_field(
            Field("005", data=stamp.replace("-", "").replace(":", "").replace("T", "")[:14] + ".0")
        )
        if "no008" not in flags:
            r.add_field(Field("008", data=self._008(ed, ident)))
        if ed.isbn and not serial:
            subs = [Subfield("a", isbn_form(ed.isbn, flags))]
            if ed.volume:
                subs.append(
                    Subfield("q", f"{ROMAN[ed.volume]} cild" if lib == "anl" else f"т. {ed.volume}")
                )
            r.add_field(Field("020", Indicators(" ", " "), subs))
        for tag, value in ed.extras:
            if tag == "020z":
                r.add_field(Field("020", Indicators(" ", " "), [Subfield("z", value)]))
        if ed.isbn and serial:
            r.add_field(Field("022", Indicators("0", " "), [Subfield("a", ed.isbn)]))
        subs = [Subfield("a", ORG[lib]), Subfield("b", cat_lang)]
        if rda:
            subs.append(Subfield("e", "rda"))
        r.add_field(Field("040", Indicators(" ", " "), [*subs, Subfield("c", ORG[lib])]))
        if ed.orig_lang:
            r.add_field(
                Field(
                    "041",
                    Indicators("1", " "),
                    [Subfield("a", ed.lang), Subfield("h", ed.orig_lang)],
                )
            )
        elif lib == "nlrk":
            r.add_field(Field("041", Indicators("0", " "), [Subfield("a", ed.lang)]))
        alt = "alalc" if "cyr880" in flags else ("orig" if "rom880" in flags else None)
        if alt and not any(
            render(t, "alalc", ed.lang) != t for t in (ed.title, ed.resp, ed.publisher)
        ):
            alt = None  # nothing to write in another script
        linked: list[tuple[Field, Field]] = []

        def add(make: Callable[[str], Field | None]) -> None:
            main = make(mode)
            if main is None:
                return
            r.add_field(main)
            if alt:
                other = make(alt)
                if other is not None and other.value() != main.value():
                    linked.append((main, other))

        main_entry = ed.authors[0] if ed.authors and ed.authors[0][1] == "author" else None
        if main_entry:
            add(lambda m: self._name_field("1", main_entry, ed.lang, m, isbd))
        uniform = dict(ed.extras).get("240")
        if uniform:
            r.add_field(
                Field(
                    "240",
                    Indicators("1", "0"),
                    [
                        Subfield("a", render(uniform, mode, ed.orig_lang or ed.lang)),
                        Subfield("l", LANGUAGE_NAME[ed.lang]),
                    ],
                )
            )
        add(lambda m: self._title(ed, m, isbd, main_entry is not None))
        for tag, value in ed.extras:
            if tag == "246":
                r.add_field(Field("246", Indicators("3", " "), [Subfield("a", value)]))
        if ed.edition:
            add(
                lambda m: Field(
                    "250", Indicators(" ", " "), [Subfield("a", render(ed.edition, m, ed.lang))]
                )
            )
        add(lambda m: self._imprint(ed, m, flags, isbd))
        if not serial:
            r.add_field(
                Field(
                    "300",
                    Indicators(" ", " "),
                    [Subfield("a", extent(ed.pages, lib, ed.lang, rda))],
                )
            )
        else:
            freq = ed.pages.split(":")[0]
            r.add_field(Field("310", Indicators(" ", " "), [Subfield("a", FREQUENCY[lib][freq])]))
            r.add_field(
                Field(
                    "362",
                    Indicators("0", " "),
                    [Subfield("a", ed.year if "-" in ed.year else ed.year + "-")],
                )
            )
        if rda:
            for tag, term, code, src in (("336", "text", "txt", "rdacontent"),
                                         ("337", "unmediated", "n", "rdamedia"),
                                         ("338", "volume", "nc", "rdacarrier")):  # fmt: skip
                r.add_field(
                    Field(
                        tag,
                        Indicators(" ", " "),
                        [Subfield("a", term), Subfield("b", code), Subfield("2", src)],
                    )
                )
        if ed.series:
            name, _, number = ed.series.partition(" ; ")
            traced = lib == "anl"
            add(lambda m: self._series("490", name, number, m, ed.lang, isbd, traced))
            if traced:
                r.add_field(self._series("830", name, number, mode, ed.lang, isbd, traced))
        for tag, value in ed.extras:
            if tag in ("500", "505", "520"):
                r.add_field(
                    Field(
                        tag,
                        Indicators("0" if tag == "505" else " ", " "),
                        [Subfield("a", render(value, mode, ed.lang))],
                    )
                )
        for key in ed.subjects:
            r.add_field(self._subject(key, ed.lang, mode))
        for entry in ed.authors[1 if main_entry else 0 :]:
            add(partial(self._added_entry, entry, ed.lang, isbd))
        if "url" in flags:
            url = (
                f"https://anl.az/el/{ident}.pdf"
                if lib == "anl"
                else f"https://nlrk.kz/elib/{ident}"
            )
            r.add_field(
                Field(
                    "856",
                    Indicators("4", "0"),
                    [Subfield("u", url), Subfield("y", LINK_LABEL[lib])],
                )
            )
        self._link(r, linked, alt or "orig")
        return r

    def _link(self, r: Record, linked: list[tuple[Field, Field]], alt: str) -> None:
        script = "(N" if alt == "orig" else "(B"
        if linked and alt == "orig":
            r.add_ordered_field(Field("066", Indicators(" ", " "), [Subfield("c", "(N")]))
        for n, (main, other) in enumerate(linked, 1):
            main.subfields.insert(0, Subfield("6", f"880-{n:02d}"))
            other.subfields.insert(0, Subfield("6", f"{main.tag}-{n:02d}/{script}"))
            r.add_field(Field("880", other.indicators, other.subfields))

    def _008(self, ed: Edition, ident: str) -> str:
        entered = entered_date(self.lib, ed.key, ed.year)
        place = COUNTRY.get(ed.place.split(",")[0].split(";")[0].strip().lower(), "xx ")
        y0, _, y1 = ed.year.partition("-")
        if ed.kind == "serial":
            freq, _, kind = ed.pages.partition(":")
            alphabet = "a" if ed.lang == "eng" else ("b" if ed.lang == "aze" else "d")
            status, last = ("d", f"{y1:4}") if y1 else ("c", "9999")  # ceased or current
            body = f"{status}{y0:4}{last}{place}{freq}r {kind or 'p'}       0   {alphabet}0"
        else:
            dtype, d2 = ("m", f"{y1:4}") if y1 else ("s", "    ")
            nature = NATURE.get(ed.kind, " ")
            gov = "f" if ed.kind == "law" else " "
            form = LITERARY_FORM.get(ed.kind, "0")
            body = f"{dtype}{y0:4}{d2}{place}    {' '} {nature}   {gov}000 {form} "
        return f"{entered}{body}{ed.lang} d"

    def _added_entry(self, entry: tuple[str, str], lang: str, isbd: bool, mode: str) -> Field:
        return self._name_field("7", entry, lang, mode, isbd)

    def _name_field(
        self, first: str, entry: tuple[str, str], lang: str, mode: str, isbd: bool
    ) -> Field:
        key, relator = entry
        author = self.authors[key]
        name = heading(author, lang, mode)
        if author.kind == "c":
            ind1 = "1" if "(" in name else "2"
            subs = punctuate([("a", name), ("e", relator)], isbd, {"e": ","})
            code = Subfield("4", RELATOR_CODE[relator])
            return Field(first + "10", Indicators(ind1, " "), [*subs, code])
        parts = [("a", name)]
        if author.dates:
            parts.append(("d", author.dates))
        parts.append(("e", relator))
        subs = punctuate(parts, isbd, {"d": ",", "e": ","})
        return Field(
            first + "00", Indicators("1", " "), [*subs, Subfield("4", RELATOR_CODE[relator])]
        )

    def _title(self, ed: Edition, mode: str, isbd: bool, has_main: bool) -> Field:
        title = render(ed.title, mode, ed.lang)
        parts = [("a", title)]
        if ed.subtitle:
            parts.append(("b", render(ed.subtitle, mode, ed.lang)))
        if ed.volume:
            parts.append(("n", render(part_label(ed.volume, ed.lang), mode, ed.lang)))
        elif ed.part:
            parts.append(("n", render(ed.part, mode, ed.lang)))
        resp = ed.resp
        if not resp and ed.authors and self.authors[ed.authors[0][0]].kind == "p":
            resp = forward(heading(self.authors[ed.authors[0][0]], ed.lang, "orig"))
        if resp and resp != "-":
            parts.append(("c", render(resp, mode, ed.lang)))
        skip = 0
        for article in ("The ", "A ", "An "):
            if ed.lang == "eng" and title.startswith(article):
                skip = len(article)
        subs = punctuate(parts, isbd, {"b": " :", "n": ".", "c": " /"})
        return Field("245", Indicators("1" if has_main else "0", str(skip)), subs)

    def _imprint(self, ed: Edition, mode: str, flags: frozenset[str], isbd: bool) -> Field:
        parts = [("a", render(ed.place, mode, ed.lang))]
        if ed.publisher and "nopub" not in flags:
            parts.append(("b", render(ed.publisher, mode, ed.lang)))
        year = ed.year + ("-" if ed.kind == "serial" and "-" not in ed.year else "")
        parts.append(("c", year))
        subs = punctuate(parts, isbd, {"b": " :", "c": ","})
        if "rda" in flags:
            return Field("264", Indicators(" ", "1"), subs)
        return Field("260", Indicators(" ", " "), subs)

    def _series(
        self, tag: str, name: str, number: str, mode: str, lang: str, isbd: bool, traced: bool
    ) -> Field:
        parts = [("a", render(name, mode, lang))]
        if number:
            parts.append(("v", number))
        ind = ("1" if traced else "0", " ") if tag == "490" else (" ", "0")
        return Field(tag, Indicators(*ind), punctuate(parts, isbd and tag == "490", {"v": " ;"}))

    def _subject(self, key: str, lang: str, mode: str) -> Field:
        s = self.subjects[key]
        if lang == "eng":
            return Field(s.tag, Indicators(" ", "0"), [Subfield("a", s.en)])
        term = s.az if self.lib == "anl" else (s.kk if lang == "kaz" else s.ru)
        term = render(term or s.en, "azcyr" if mode == "azcyr" else "orig", "aze")
        return Field(
            s.tag,
            Indicators(" ", "7"),
            [Subfield("a", term), Subfield("2", SUBJECT_SOURCE[self.lib])],
        )
