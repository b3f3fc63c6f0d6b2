"""Property tests for the script-neutral text keys (hypothesis).

Keys never raise, are idempotent, are ASCII ``[a-z0-9]`` tokens, give every letter of our three
languages a token, and meet across scripts for generated words: a Kazakh word in Cyrillic and
in its Latin spellings, an Azerbaijani word in Latin and 1958–1991 Cyrillic, a Russian word in
Cyrillic, ALA-LC and ICU's BGN/PCGN.
"""

from __future__ import annotations

import re

import icu
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.textkeys import _skeleton_once, search_key, skeleton, tokens

KAZAKH_LETTERS = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
AZERBAIJANI_LATIN = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
AZERBAIJANI_CYRILLIC = "абвгғдеәжзиыјкҝлмноөпрстуүфхһчҹш"
RUSSIAN_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
SIGNS = "ъь"  # hard and soft sign: silent in every romanisation, so deliberately no token

_TOKEN = re.compile(r"[a-z0-9]+")


def _table(letters: str, spellings: str) -> dict[str, str]:
    """Letter-for-letter table from a space-separated list of spellings."""
    return dict(zip(letters, spellings.split(" "), strict=True))


# Kazakh Cyrillic → the 2021 Latin alphabet, the 2018 acute alphabet, informal spelling and
# Kazinform's Latin (2004, also Wikipedia's kk-latn: w for у, ï for и).
_KK = "аәбгғдежзийкқлмнңоөпрстуұүхһшчыі"
KK_2021 = _table(_KK, "a ä b g ğ d e j z i i k q l m n ñ o ö p r s t u ū ü h h ş ç y ı")
KK_2018 = _table(_KK, "a á b g ǵ d e j z ı ı k q l m n ń o ó p r s t ý u ú h h sh ch y i")
KK_INFORMAL = _table(_KK, "a a b g gh d e zh z i y k k l m n ng o o p r s t u u u kh h sh ch y i")
KK_KAZINFORM = _table(_KK, "a ä b g ğ d e j z ï y k q l m n ñ o ö p r s t w u ü x h ş ç ı i")
KK_NATIVE = _KK

# Azerbaijani Cyrillic (1958–1991) → Latin, letter for letter.
AZ_LATIN = _table(
    AZERBAIJANI_CYRILLIC, "a b v q ğ d e ə j z i ı y k g l m n o ö p r s t u ü f x h ç c ş"
)

# Russian → ALA-LC (with its ligatures and primes).
RU_ALA = _table(
    RUSSIAN_LETTERS, "a b v g d e ë zh z i ĭ k l m n o p r s t u f kh t͡s ch sh shch ʺ y ʹ ė i͡u i͡a"
)
RU_BGN = icu.Transliterator.createInstance("Russian-Latin/BGN")
KK_BGN = icu.Transliterator.createInstance("Kazakh-Latin/BGN")


def _convert(word: str, table: dict[str, str]) -> str:
    return "".join(table[c] for c in word)


@settings(max_examples=400)
@given(st.text(st.characters(codec=None)))
def test_never_raises_and_is_idempotent(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


@settings(max_examples=400)
@given(st.text(KAZAKH_LETTERS + AZERBAIJANI_LATIN + "'’ʹ-. 0123456789"))
def test_idempotent_on_our_alphabets(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert search_key(text.upper()) == key


@settings(max_examples=300)
@given(st.text())
def test_tokens_are_ascii_words(text: str) -> None:
    found = tokens(text)
    assert all(_TOKEN.fullmatch(t) for t in found)
    assert " ".join(found) == search_key(text)


def test_every_letter_maps_to_something() -> None:
    letters = set(KAZAKH_LETTERS + AZERBAIJANI_LATIN + AZERBAIJANI_CYRILLIC + RUSSIAN_LETTERS)
    letters |= set("áǵńóúýūñöüäşçğı")
    for letter in sorted(letters - set(SIGNS)):
        for form in (letter, letter.upper()):
            assert search_key(form), form


def test_signs_are_silent_but_keep_words_whole() -> None:
    assert search_key("ь") == search_key("Ъ") == ""
    assert search_key("Гоголь") == search_key("Gogol") == search_key("Gogolʹ")


def _words(
    vowels: str, onsets: str, codas: str, rare: tuple[str, ...] = ()
) -> st.SearchStrategy[str]:
    """Pronounceable words: syllables (onset) vowel (coda); only the first may lack an onset.

    Random letter strings would mostly test clusters no language has (``ыо``, ``ңһ``), where
    the romanisations themselves are ambiguous; ``rare`` lists the clusters left out.
    """
    first = st.tuples(st.sampled_from(["", *onsets]), st.sampled_from(vowels))
    later = st.tuples(st.sampled_from(onsets), st.sampled_from(vowels))
    coda = st.sampled_from(["", "", *codas])
    syllables = st.tuples(
        first.map("".join),
        coda,
        st.lists(st.tuples(later.map("".join), coda).map("".join), max_size=2),
    )
    word = syllables.map(lambda s: s[0] + s[1] + "".join(s[2]))
    return word.filter(lambda w: not any(cluster in w for cluster in rare))


# g/z + h across a syllable break read as the digraphs gh, zh in every romanisation
_GH = ("гх", "ғх", "гһ", "ғһ", "зх", "зһ")
KK_WORDS = _words("аәеоөұүыіиу", "бгғджзклмнпрстшхһч", "бгғжзйклмнңпрстуш", ("ңһ", "ңх", *_GH))
AZ_WORDS = _words("аәеиыоөуү", "бвгғджзјкҝлмнпрстфхһчҹш", "бгғдјклмнпрстхшз", ("дҹ", "нг", *_GH))
RU_WORDS = _words("аеёиоуыэюя", "бвгджзклмнпрстфхцчшщ", "бвгджзйклмнпрстшь", _GH)


@settings(max_examples=300)
@given(KK_WORDS)
def test_kazakh_word_meets_in_every_alphabet(word: str) -> None:
    key = search_key(word)
    assert search_key(_convert(word, KK_2021)) == key
    assert search_key(_convert(word, KK_2018)) == key
    assert search_key(_convert(word, KK_INFORMAL)) == key
    assert search_key(_convert(word, KK_KAZINFORM)) == key
    assert search_key(KK_BGN.transliterate(word)) == key


@settings(max_examples=300)
@given(AZ_WORDS)
def test_azerbaijani_word_meets_in_both_scripts(word: str) -> None:
    assert search_key(_convert(word, AZ_LATIN)) == search_key(word)


@settings(max_examples=300)
@given(RU_WORDS)
def test_russian_word_meets_in_ala_lc_and_bgn(word: str) -> None:
    key = search_key(word)
    assert search_key(_convert(word, RU_ALA)) == key
    assert search_key(RU_BGN.transliterate(word)) == key


def _fixed_point(word: str) -> str:
    for _ in range(8):
        folded = _skeleton_once(word)
        if folded == word:
            break
        word = folded
    return word


@settings(max_examples=500)
@given(st.text("aeiouyjhgkzsncdtqxwpbl", max_size=12))
def test_skeleton_shortcut_equals_the_fixed_point(word: str) -> None:
    """``skeleton`` skips the checking pass when nothing is left to rewrite: same result."""
    assert skeleton(word) == _fixed_point(word)
    assert _skeleton_once(skeleton(word)) == skeleton(word)
