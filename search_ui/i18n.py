"""Languages of the UI: choosing one per request, and naming things in it.

The reader's language comes from ``?lang=`` (then kept in a cookie), else the cookie, else
the browser's Accept-Language, else English. Names of languages come from the CLDR data
Babel ships (records carry ISO 639-2/B codes as in MARC: ``kaz``, ``aze``, ``ger`` …), names
of libraries from the configuration (``[sources.name]``), names of record types and fields
from the gettext catalogues.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from flask import current_app, request
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

LANGS = ("kk", "az", "ru", "en")
DEFAULT_LANG = "en"
COOKIE = "lang"

# The UI's own name of each language, written in that language (the switcher shows these).
NATIVE_NAMES = {"kk": "Қазақша", "az": "Azərbaycanca", "ru": "Русский", "en": "English"}

TYPE_LABELS = {
    "book": _l("Book"),
    "serial": _l("Serial"),
    "article": _l("Article"),
    "map": _l("Map"),
    "score": _l("Music score"),
    "recording": _l("Sound recording"),
    "video": _l("Video"),
    "image": _l("Image"),
    "manuscript": _l("Manuscript"),
    "electronic": _l("Electronic resource"),
    "kit": _l("Kit"),
    "mixed": _l("Mixed materials"),
    "other": _l("Other"),
}

FIELD_LABELS = {
    "title": _l("Title"),
    "authors": _l("Authors"),
    "subjects": _l("Subjects"),
    "languages": _l("Language"),
    "scripts": _l("Script"),
    "year": _l("Year"),
    "type": _l("Type"),
}


def select_locale() -> str:
    """The language of this request (Flask-Babel's locale selector)."""
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(COOKIE)
    if kept in LANGS:
        return kept
    return request.accept_languages.best_match(LANGS) or DEFAULT_LANG


def current_lang() -> str:
    loc = get_locale()
    return loc.language if loc is not None and loc.language in LANGS else DEFAULT_LANG


@lru_cache(maxsize=4096)
def _language_name(code: str, lang: str) -> str:
    aliases = get_global("language_aliases")
    cldr = aliases.get(code, code)
    try:
        name = Locale.parse(lang).languages.get(cldr)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name:
        return code
    return name[:1].upper() + name[1:]


def language_name(code: str, lang: str | None = None) -> str:
    """The name of the language ``code`` (ISO 639-2/B or 639-1) in ``lang`` (default: current)."""
    return _language_name(code.strip().lower(), lang or current_lang())


@lru_cache(maxsize=1024)
def _script_name(code: str, lang: str) -> str:
    try:
        name = Locale.parse(lang).scripts.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    return name[:1].upper() + name[1:] if name else code


def script_name(code: str, lang: str | None = None) -> str:
    """The name of the ISO 15924 script ``code`` (Cyrl, Latn …) in ``lang`` (default: current)."""
    return _script_name(code.strip().title(), lang or current_lang())


def library_name(key: str, lang: str | None = None) -> str:
    """A library's name in ``lang`` from the configuration; its key in capitals if unknown."""
    for source in current_app.extensions["birlik"].sources:
        if source.key == key:
            return source.display_name(lang or current_lang())
    return key.upper()


def library_abbr(key: str) -> str:
    """The short badge text of a library (its configured key in capitals: ANL, NLRK)."""
    return key.upper()


def type_label(value: str) -> str:
    label = TYPE_LABELS.get(value)
    return str(label) if label is not None else value


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def number(value: float | None) -> str:
    """A count as the reader's language writes it, from CLDR via Babel: ``370,000`` (en),
    ``370 000`` with a no-break space (ru, kk), ``370.000`` (az).

    For counts and page numbers only: years, identifiers, HTML attributes and the API keep
    plain digits. ``None`` (no figure) gives an empty text.
    """
    if value is None:
        return ""
    return format_decimal(value)


def decade_label(value: str) -> str:
    """``1990s`` → ``1990–1999`` (figures read the same in every language)."""
    start = decade_start(value)
    return f"{start}–{start + 9}" if start is not None else value


def decade_start(value: str) -> int | None:
    digits = value.rstrip("s")
    if digits.isdigit() and len(digits) <= 4 and int(digits) % 10 == 0:
        return int(digits)
    return None
