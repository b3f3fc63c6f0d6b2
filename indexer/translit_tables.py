"""Character tables for the script-neutral text keys (see ``indexer.textkeys``).

Stage one of a key maps every lower-case character to plain ASCII with one ``str.translate``
table. Our own entries cover the letters generic transforms get wrong or map differently per
language; everything else is folded once per character (NFKD, marks dropped, ICU
``Any-Latin; Latin-ASCII`` for other scripts) and memoised in the table itself, so ICU never
runs twice for the same character and never on the hot path.

The mappings are deliberately *phonetic and lossy*: they bring every script and romanisation to
one spelling that the skeleton rules in ``textkeys`` then collapse further.
"""

from __future__ import annotations

import unicodedata

import icu

# Cyrillic letters of Russian, Kazakh and Azerbaijani (1958–1991), plus the neighbours that
# turn up in the same catalogues (Ukrainian, Belarusian, Kyrgyz, Tatar, Bashkir, Uzbek, Tajik).
CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Azerbaijani (ҹ = c /dʒ/, ҝ = g, ј = y)
    "ҹ": "j", "ҝ": "g", "ј": "y",
    # neighbours
    "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ӯ": "u", "ӣ": "i", "ҳ": "h", "ҷ": "j",
    "ҡ": "k", "ҙ": "z", "ҫ": "s", "ӑ": "a", "ӗ": "e", "ӳ": "u", "ҥ": "n", "ӊ": "n",
    "ӧ": "o", "ӱ": "u", "ӓ": "a", "ӹ": "i", "ѣ": "e", "ѳ": "f", "ѵ": "i", "ӕ": "ae",
}  # fmt: skip

# Latin letters whose generic ASCII folding is wrong for our languages or that NFKD cannot
# decompose. ý is Kazakh 2018 "у"; ž/š/č come from ISO 9 and scholarly romanisations.
LATIN: dict[str, str] = {
    "ə": "a", "ǝ": "a", "ı": "i", "ç": "ch", "ş": "sh", "ș": "sh", "š": "sh", "č": "ch",
    "ž": "j", "ğ": "g", "ǵ": "g", "ġ": "g", "ģ": "g", "ý": "u", "ø": "o", "ł": "l",
    "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ŋ": "n", "ĳ": "ij",
    "ſ": "s", "ħ": "h", "ŝ": "shch",
}  # fmt: skip

# Apostrophes, primes, soft/hard-sign marks and BGN's digraph-breaking middle dot: deleted, so
# they never split a word (Kazakh Latin 2017 "a'", ALA-LC soft sign "ʹ", BGN "’" and "n·g").
APOSTROPHES = "'’‘ʼʹʺʻ`´″·"

# Digraphs of the Kazakh Latin alphabet of 2017, written with an apostrophe; replaced before
# the apostrophe itself is deleted.
APOSTROPHE_DIGRAPHS: dict[str, str] = {"s": "sh", "c": "ch", "y": "u"}
DIGRAPH_APOSTROPHES = "'’ʼ"

_ICU_FALLBACK = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")


def _fold_char(char: str) -> str:
    """ASCII spelling of one character not in the fixed tables (called once per character)."""
    if char in LATIN:
        return LATIN[char]
    if char in CYRILLIC:
        return CYRILLIC[char]
    category = unicodedata.category(char)
    if category.startswith("M"):
        return ""
    if category == "Nd":
        return str(unicodedata.digit(char))
    if not (category.startswith("L") or category.startswith("N")):
        return " "
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        return "".join(_fold_char(part) for part in decomposed)
    if char.isascii():
        return char.lower()
    latin = _ICU_FALLBACK.transliterate(char)
    return "".join(c if c.isascii() and c.isalnum() else " " for c in latin.lower())


class _FoldTable(dict[int, str]):
    """``str.translate`` table that fills itself: unknown characters are folded on first use."""

    def __missing__(self, codepoint: int) -> str:
        value = _fold_char(chr(codepoint))
        self[codepoint] = value
        return value


def build_table() -> _FoldTable:
    """The stage-one table: our letters, apostrophes deleted, the rest folded lazily."""
    table = _FoldTable()
    for source in (CYRILLIC, LATIN):
        for char, ascii_form in source.items():
            if len(char) == 1:
                table[ord(char)] = ascii_form
                upper = char.upper()
                if len(upper) == 1 and upper != char:
                    table[ord(upper)] = ascii_form
    for code in range(128):
        char = chr(code)
        table[code] = char.lower() if char.isalnum() else " "
    for char in APOSTROPHES:
        table[ord(char)] = ""
    return table


FOLD_TABLE = build_table()
