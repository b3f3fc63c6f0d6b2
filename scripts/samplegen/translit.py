"""Script conversions used to catalogue one edition the way each library would.

The sample collections must show the same book in other scripts: ANL romanises Kazakh and
Russian titles (ALA-LC, with the ligature ties LC uses) or writes Kazakh in the official 2021
Latin alphabet; older Azerbaijani records are in the 1958-1991 Cyrillic alphabet. These are
plain letter tables (not ICU) so the output never changes with a library upgrade.
"""

from __future__ import annotations

import re

TIE = "\u0361"  # combining double inverted breve, as in LC's t͡s, i͡a, i͡u

# ALA-LC romanisation of Russian (lower case; capitals are derived).
_ALA_LC_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh",
    "з": "z", "и": "i", "й": "ĭ", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": f"t{TIE}s",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "ė",
    "ю": f"i{TIE}u", "я": f"i{TIE}a", "і": "i",
}  # fmt: skip

# ALA-LC romanisation of Kazakh: the Russian table plus the Kazakh letters.
_ALA_LC_KK = {
    **_ALA_LC_RU,
    "ә": "ä", "ғ": "gh", "и": "ī", "қ": "q", "ң": "ng", "ө": "ö", "ұ": "ū", "ү": "ü",
    "һ": "h", "і": "i",
}  # fmt: skip

# The Kazakh Latin alphabet of 2021 (decree of 2017 as amended in 2021).
_KAZ_LATIN_2021 = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
    "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
_KAZ_LATIN_2021_UPPER = {"і": "I", "и": "İ", "й": "İ"}

# Azerbaijani Latin (1991) to the Azerbaijani Cyrillic alphabet of 1958-1991.
_AZ_CYRILLIC = {
    "a": "а", "b": "б", "c": "ҹ", "ç": "ч", "d": "д", "e": "е", "ə": "ә", "f": "ф",
    "g": "ҝ", "ğ": "ғ", "h": "һ", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к",
    "q": "г", "l": "л", "m": "м", "n": "н", "o": "о", "ö": "ө", "p": "п", "r": "р",
    "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ү", "v": "в", "y": "ј", "z": "з",
    "w": "в",
}  # fmt: skip
_AZ_CYRILLIC_UPPER = {"i": "И", "ı": "Ы", "y": "Ј"}

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def has_cyrillic(text: str) -> bool:
    """True when ``text`` holds at least one Cyrillic letter."""
    return bool(_CYRILLIC.search(text))


def _convert(text: str, table: dict[str, str], upper: dict[str, str] | None = None) -> str:
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low not in table:
            out.append(ch)
            continue
        repl = table[low]
        if ch != low and repl:
            repl = (upper or {}).get(low) or repl[0].upper() + repl[1:]
        out.append(repl)
    return "".join(out)


def ala_lc(text: str, lang: str) -> str:
    """ALA-LC romanisation of Cyrillic ``text`` (Kazakh table for ``kaz``, else Russian)."""
    return _convert(text, _ALA_LC_KK if lang == "kaz" else _ALA_LC_RU)


def kazakh_latin(text: str) -> str:
    """Kazakh Cyrillic ``text`` in the 2021 Latin alphabet."""
    table = {**_KAZ_LATIN_2021}
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if ch != low and low in _KAZ_LATIN_2021_UPPER:
            out.append(_KAZ_LATIN_2021_UPPER[low])
        else:
            out.append(_convert(ch, table))
    return "".join(out)


_WORD = re.compile(r"[^\W\d_]+")
_ROMAN_NUMERAL = re.compile(r"[IVXLC]+")


def azerbaijani_cyrillic(text: str) -> str:
    """Azerbaijani Latin ``text`` in the Cyrillic alphabet of 1958-1991.

    Roman numerals ("II cild", "VII-IX əsrlər") stay Latin, as they were printed.
    """
    return _WORD.sub(lambda m: m[0] if _ROMAN_NUMERAL.fullmatch(m[0]) else _az_word(m[0]), text)


def _az_word(text: str) -> str:
    out: list[str] = []
    for ch in text:
        # Python lower-cases "İ" to "i̇" (two code points); the dotted capital is plain "i".
        low = "i" if ch == "İ" else ch.lower()
        if ch != low and low in _AZ_CYRILLIC_UPPER:
            out.append(_AZ_CYRILLIC_UPPER[low])
        else:
            out.append(
                _convert(low, _AZ_CYRILLIC).upper() if ch != low else _convert(ch, _AZ_CYRILLIC)
            )
    return "".join(out)


def render(text: str, mode: str, lang: str) -> str:
    """``text`` (in the edition's own script) written the way ``mode`` asks.

    Modes: ``orig`` (as printed), ``alalc`` (romanise Cyrillic), ``kzlat`` (Kazakh 2021
    Latin), ``azcyr`` (Azerbaijani Cyrillic). Text a mode does not apply to is unchanged.
    """
    if not text or mode == "orig":
        return text
    if mode == "alalc":
        return ala_lc(text, lang) if has_cyrillic(text) else text
    if mode == "kzlat":
        return kazakh_latin(text) if has_cyrillic(text) else text
    if mode == "azcyr":
        return text if has_cyrillic(text) else azerbaijani_cyrillic(text)
    raise ValueError(f"unknown script mode {mode!r}")
