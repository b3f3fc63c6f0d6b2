"""Language codes and names in any form → ISO 639-2/B (the codes MARC uses: kaz, aze, rus).

Codes (ISO 639-1, 639-2/B, 639-2/T, 639-3, with region or script tags such as "en-US",
"az-Latn") and English names come from ``pycountry``; Russian names from its gettext
catalogue. pycountry has no Kazakh catalogue and only a few Azerbaijani names, so names in
Kazakh and Azerbaijani (and the short and adjectival Russian forms catalogues use: "рус.",
"на русском языке") come from our own table below, kept to the languages our libraries
actually catalogue.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import pycountry

# Individual languages that MARC codes under their macrolanguage.
_MACRO = {
    "azj": "aze",
    "azb": "aze",
    "uzn": "uzb",
    "uzs": "uzb",
    "cmn": "chi",
    "arb": "ara",
    "pes": "per",
    "prs": "per",
    "ekk": "est",
    "lvs": "lav",
    "zsm": "may",
    "nob": "nor",
    "nno": "nor",
    "khk": "mon",
    "ydd": "yid",
    "plt": "mlg",
    "swh": "swa",
}

# Names pycountry lacks (Kazakh, Azerbaijani, short Russian forms), lower-case.
_NAMES: dict[str, tuple[str, ...]] = {
    "kaz": (
        "қазақ",
        "қазақша",
        "казахский",
        "каз.",
        "каз",
        "qazaq",
        "qazaqşa",
        "qazaqsha",
        "kazakh",
        "qazax",
        "qazaxca",
        "kazak",
        "kazakça",
        "kazakhskii",
        "kazakhskiy",
    ),
    "aze": (
        "azərbaycan",
        "azərbaycanca",
        "azerbaijani",
        "azerbaycan",
        "azeri",
        "азербайджанский",
        "азерб.",
        "әзірбайжан",
        "әзербайжан",
        "әзербайжанша",
        "азәрбајҹан",
        "азербайжан",
    ),
    "rus": (
        "русский",
        "рус.",
        "рус",
        "орыс",
        "орысша",
        "rus",
        "rusca",
        "rus dili",
        "russkii",
        "russkiy",
        "orys",
        "orysşa",
    ),
    "eng": ("английский", "англ.", "ағылшын", "ағылшынша", "ingilis", "ingiliscə", "ağılşın"),
    "tur": ("турецкий", "түрік", "түрікше", "türk", "türkcə", "türkçe", "turkish"),
    "uzb": ("узбекский", "өзбек", "özbək", "o'zbek", "oʻzbek", "ўзбек"),
    "kir": ("киргизский", "кыргызский", "қырғыз", "qırğız", "кыргыз", "kyrgyz"),
    "ger": ("немецкий", "неміс", "alman", "almanca", "нем."),
    "fre": ("французский", "француз", "fransız", "франц.", "фр."),
    "ukr": ("украинский", "украин", "ukrayna"),
    "bel": ("белорусский", "беларус"),
    "tat": ("татарский", "татар", "tatar"),
    "tuk": ("туркменский", "түрікмен", "türkmən"),
    "ara": ("арабский", "араб", "ərəb"),
    "per": ("персидский", "парсы", "fars"),
    "chi": ("китайский", "қытай", "çin"),
    "lat": ("латинский", "латын", "latın"),
    "mul": ("многоязычный", "көп тілді", "multiple languages", "çoxdilli"),
}

_SUFFIXES = re.compile(
    r"\s*(язык[аи]?|языке|тілі|тілінде|tili|tilinde|dili|dilində|language|lang\.?)$", re.IGNORECASE
)
_PREFIXES = re.compile(r"^(на|in)\s+", re.IGNORECASE)
_ADJ_RU = re.compile(r"(ском|ском языке)$")


@lru_cache(maxsize=1)
def _name_table() -> dict[str, str]:
    """Lower-cased language name → 639-2/B, from pycountry (English, Russian) and our table."""
    table: dict[str, str] = {}
    ru: gettext.NullTranslations
    try:
        ru = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:  # pragma: no cover - pycountry always ships it
        ru = gettext.NullTranslations()
    for lang in pycountry.languages:
        code = _to_b(lang)
        if code is None:
            continue
        names: list[str] = [lang.name]
        names.extend(getattr(lang, x) for x in ("common_name", "inverted_name") if hasattr(lang, x))
        names.append(ru.gettext(lang.name))
        for n in names:
            table.setdefault(n.lower(), code)
    for code, ours in _NAMES.items():
        for n in ours:
            table[n] = code
    return table


def _to_b(lang: object) -> str | None:
    """The 639-2/B code of a pycountry language, or None when it has no 639-2 code."""
    a3: str = getattr(lang, "alpha_3", "")
    if a3 in _MACRO:
        return _MACRO[a3]
    b = getattr(lang, "bibliographic", None)
    if b:
        return str(b)
    # 639-2 languages are those with an alpha_2 code or a collective/macro scope; 639-3-only
    # codes are still accepted as they are (MARC has no better code for them).
    return a3 or None


@lru_cache(maxsize=4096)
def to_marc_language(value: str) -> str:
    """The ISO 639-2/B code for a code or name in any supported form, or "" if unknown."""
    v = value.strip().strip(".;,()[]").strip()
    if not v:
        return ""
    low = v.lower()
    code = re.split(r"[-_\s/]", low, maxsplit=1)[0]
    if code.isascii() and code.isalpha() and len(code) in (2, 3):
        found = _by_code(code)
        if found:
            return found
    table = _name_table()
    if low in table:
        return table[low]
    stripped = _PREFIXES.sub("", _SUFFIXES.sub("", low)).strip()
    if stripped in table:
        return table[stripped]
    ru_adj = _ADJ_RU.sub("ский", stripped)  # "на русском (языке)" → "русский"
    if ru_adj in table:
        return table[ru_adj]
    return ""


@lru_cache(maxsize=1024)
def _by_code(code: str) -> str:
    lang = None
    if len(code) == 2:
        lang = pycountry.languages.get(alpha_2=code)
    else:
        lang = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    if lang is None:
        return ""
    return _to_b(lang) or ""


def split_codes(value: str) -> list[str]:
    """Language codes run together as MARC 041 sometimes has them ("engrus") → each code."""
    v = value.strip().lower()
    if len(v) > 3 and len(v) % 3 == 0 and v.isalpha() and v.isascii():
        return [v[i : i + 3] for i in range(0, len(v), 3)]
    return [v] if v else []


def to_marc_languages(value: str) -> list[str]:
    """Every language named in ``value`` ("eng; rus", "en, ru", "engrus"), deduplicated."""
    out: list[str] = []
    for part in re.split(r"[;,/|]|\s+(?:and|и|və|және)\s+", value):
        code = to_marc_language(part)
        codes = [code] if code else [to_marc_language(c) for c in split_codes(part)]
        for c in codes:
            if c and c not in out:
                out.append(c)
    return out
