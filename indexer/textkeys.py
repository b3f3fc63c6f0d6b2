"""Script-neutral text keys: the same words in any script or romanisation give the same key.

``search_key(text)`` returns space-separated ASCII tokens ``[a-z0-9]+``. Records and readers'
queries go through the same function, so a query finds a record in any script: «Абай жолы»,
«Abai joly», «Abaj zholy», «Abay yolu» all give ``abai jol``.

A key is built in two stages, per word:

1. **Script** — one ``str.translate`` table (``indexer.translit_tables``) maps Cyrillic, the
   Kazakh Latin alphabets of 2017/2018/2021, Azerbaijani Latin, ALA-LC, BGN and ISO 9 letters to
   plain ASCII; apostrophes are deleted so they never split a word.
2. **Skeleton** — a few deliberately lossy rules make the romanisations meet: digraphs fold
   (zh/j/ж, kh/x/h/х/һ, q/k/g/қ/ғ/г, ng/ң, c/ҹ/dzh, w/у as in Kazinform's Latin), doubled
   letters collapse, the i/y/j family (и й ы і ј, ı, iotated я ю е) becomes one vowel-ish
   class that vanishes before e (ye/ie/ье/е), and a final high vowel after a consonant is
   dropped (Kazakh and Turkish possessives, Russian endings).

Keys are idempotent (the skeleton is iterated to a fixed point) and cached per word, which keeps
ICU and the regular expressions off the hot path: a warm key costs one ``str.lower``, one
regex ``findall`` and a dict lookup per word.

Known, accepted losses: k/g are one class (Azerbaijani q is Cyrillic г, Kazakh q is қ), so
бақыт/бағыт meet; word-initial ж before e meets е (жер/ер); the hard and soft signs ъ ь are
silent (every romanisation writes them differently or not at all), so a word of signs alone
has no token.
"""

from __future__ import annotations

import re
import unicodedata

from indexer.translit_tables import (
    APOSTROPHE_DIGRAPHS,
    APOSTROPHES,
    DIGRAPH_APOSTROPHES,
    FOLD_TABLE,
)

__all__ = ["name_key", "search_key", "skeleton", "title_key", "tokens"]

_MARKS = "\u0300-\u036f\u0483-\u0489"
_RAW_WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}{APOSTROPHES}])+")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")
_APOSTROPHE_DIGRAPH = re.compile(rf"([scy])[{DIGRAPH_APOSTROPHES}](?=[^\W\d_])")
_SIGN_YE = re.compile(rf"(?<=[^\W\d_])[{APOSTROPHES}][yj](?=e)")

# Multi-letter spellings, replaced in this order (those with an h only when the word has one).
# Upper case marks finished letters that the single-letter steps after them must not touch;
# the i/y/j family stays lower case (ж is one of it).
_H_DIGRAPHS = (
    ("shch", "SHCH"), ("sch", "SHCH"), ("dzh", "j"), ("tzh", "tj"), ("zh", "j"),
    ("nggh", "n"), ("ngh", "n"), ("kh", "h"), ("gh", "k"), ("ch", "CH"), ("ph", "f"),
)  # fmt: skip
_OTHER_DIGRAPHS = (("dj", "j"), ("ngg", "n"), ("ng", "n"), ("tz", "ts"))
_CONS = "bdfhklmnprstvzH"
_DOUBLE = re.compile(r"([a-z])\1+")
_YO = re.compile(rf"(?<=[{_CONS}])yo")  # informal ё: Fyodor, Pyotr
_F_BEFORE_E = re.compile(r"[iyj]+(?=e)")  # ye, ie, ʹe, ье: Vasilyev, Vasiliev, Васильев
_F_INITIAL = re.compile(r"^[iyj]+(?=[aou])")

# What a pass rewrites, as it can appear in a pass's own output (over-inclusive is safe).
_UNSTABLE = re.compile(
    r"kh|gh|zh|ph|dj|ng|tz|sch|g|q|x|w|y|c(?!h)|.j|([a-z])\1|[ij]e|^i[aou]|^j[ij]"
    rf"|.[{_CONS}][iu]$"
)

_MAX_CACHE = 200_000  # words; about 40 MB, cleared when full
_cache: dict[str, str] = {}


def _first(match: re.Match[str]) -> str:
    return match.group(1)


def _skeleton_once(word: str) -> str:
    """One pass of the lossy skeleton rules over an ASCII letter run.

    Plain ``str.replace`` chains and guarded regexes: this runs once per new word.
    """
    word = word.replace("q", "k").replace("x", "h").replace("w", "u")
    if "h" in word:
        for spelling, letter in _H_DIGRAPHS:
            word = word.replace(spelling, letter)
    for spelling, letter in _OTHER_DIGRAPHS:
        word = word.replace(spelling, letter)
    word = word.replace("c", "j").replace("g", "k")
    if "yo" in word:
        word = _YO.sub("e", word)
    if "e" in word:
        word = _F_BEFORE_E.sub("", word)
    if word[:1] in ("i", "y", "j"):
        word = _F_INITIAL.sub("J", word)
    word = _DOUBLE.sub(_first, word.replace("y", "i").replace("j", "i"))
    if len(word) > 2 and word[-1] in "iu" and word[-2] in _CONS:
        word = word[:-1]
    return word.lower()


def skeleton(word: str) -> str:
    """The skeleton of an ASCII letter run, iterated until it no longer changes.

    A pass's output is passed again only when it holds something a pass would rewrite
    (``_UNSTABLE``), so most words take one pass.
    """
    for _ in range(8):
        folded = _skeleton_once(word)
        if folded == word or not _UNSTABLE.search(folded):
            return folded
        word = folded
    return word


def _word_key(raw: str) -> str:
    """Key of one lower-cased word (may hold several tokens: letters and digits split)."""
    word = unicodedata.normalize("NFC", raw)
    if any(c in APOSTROPHES for c in word):
        word = _SIGN_YE.sub("", word)
        word = _APOSTROPHE_DIGRAPH.sub(lambda m: APOSTROPHE_DIGRAPHS[m.group(1)], word)
    ascii_form = word.translate(FOLD_TABLE)
    parts = [t if t[0].isdigit() else skeleton(t) for t in _TOKEN.findall(ascii_form)]
    return " ".join(p for p in parts if p)


def _lookup(raw: str) -> str:
    key = _cache.get(raw)
    if key is None:
        if len(_cache) >= _MAX_CACHE:
            _cache.clear()
        key = _cache[raw] = _word_key(raw)
    return key


def search_key(text: str) -> str:
    """Space-separated, script-neutral tokens of ``text`` (``[a-z0-9]+``, possibly empty)."""
    key = " ".join(map(_lookup, _RAW_WORD.findall(text.lower())))
    if "  " in key or key.startswith(" ") or key.endswith(" "):
        key = " ".join(key.split())
    return key


def tokens(text: str) -> list[str]:
    """The tokens of ``search_key(text)`` as a list."""
    return search_key(text).split()


_STOPWORDS_RAW = (
    "и в во на с со о об по к за из от для или а но не the a an of and in on to for "
    "men jane jáne jäne және мен де да va və ve ilə ile"
)
_stopwords: frozenset[str] | None = None


def _stop() -> frozenset[str]:
    global _stopwords
    if _stopwords is None:
        _stopwords = frozenset(tokens(_STOPWORDS_RAW))
    return _stopwords


def title_key(title: str, size: int = 4) -> str:
    """Blocking key for deduplication: the first ``size`` significant tokens of a title.

    Function words of Russian, Kazakh, Azerbaijani and English are skipped, so «Абай жолы»
    and «Abai joly» block together, and so do «Война и мир» and «Voina i mir».
    """
    stop = _stop()
    significant = [t for t in tokens(title) if t not in stop]
    return " ".join(significant[:size])


def name_key(name: str) -> str:
    """Blocking key for a personal name: surname token plus the first given-name initial.

    Handles «Surname, Given», «Given Surname» and «Surname G.»: «Құнанбаев, Абай»,
    «Abai Kunanbaev» and «Кунанбаев А.» all give ``kunanbaev a``.
    """
    head, comma, rest = name.partition(",")
    words = tokens(head)
    if not words:
        return ""
    if comma:
        surname, given = words[0], tokens(rest)
    elif len(words) > 1 and len(words[-1]) == 1:
        surname, given = words[0], words[1:]
    else:
        surname, given = words[-1], words[:-1]
    return f"{surname} {given[0][0]}" if given else surname
