"""Benchmark: ``search_key`` against a plain ICU transform on the same titles, in one run.

Titles are built from real Kazakh, Azerbaijani, Russian and English catalogue vocabulary, each
in the scripts and romanisations catalogues use (Cyrillic, Kazakh Latin 2021, Azerbaijani Latin
and Cyrillic, ALA-LC, informal), with subtitles, volume numbers and punctuation: about 100
characters each, like a 245 $a$b.

Figures printed (characters per second, higher is better):

- ``icu``: ``Any-Latin; Latin-ASCII; Lower`` per title, no cache (the baseline);
- ``cold``: ``search_key`` over every title with its word cache emptied first: the first
  indexing of a collection, where every new word pays for the full pipeline;
- ``warm``: the same titles again (re-indexing, readers' queries);
- ``fresh words``: every title made of words never seen before (the worst case).

Run: ``python bench/textkeys_bench.py [--titles N]``. Target: cold >= 3x icu.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import icu

from indexer import textkeys

_VOCABULARY_TEXT = """
Абай жолы Қара сөздер Көшпенділер Қан мен тер Қазақ халқының тарихы әдебиеті тілі дала өлеңдер
жинақ ертегілері ғылым мәдениет білім шығармалар таңдамалы ұлы жер туралы өмір жастар сөздік
оқулық мемлекет құқық шежіре күй домбыра Алатау Мұхтар Әуезов Олжас Сүлейменов Ілияс Есенберлин
Abai joly Qara sözder Köşpendıler Qazaq halqynyñ tarihy ädebietı tılı dala öleñder jinaq
Abaj zholy Kara sozder Koshpendiler Kazak khalkynyn tarikhy Mukhtar Auezov Olzhas Suleimenov
Azərbaycan tarixi ədəbiyyat dili şeirlər seçilmiş əsərləri xalq nağılları mədəniyyət elm təhsil
müasir dövlət iqtisadiyyat hüquq lüğət dərslik qədim Bakı torpaq həyat gənclik musiqi Qarabağ
Азәрбајҹан тарихи әдәбијјат дили шеирләр сечилмиш әсәрләри халг нағыллары Ҹәлил Мәммәдгулузадә
Cəlil Məmmədquluzadə Mirzə Fətəli Axundov Nizami Gəncəvi Üzeyir Hacıbəyov Səməd Vurğun Füzuli
история Казахстана Азербайджана литература язык избранные произведения народные сказки культура
наука образование современная экономика право словарь учебник степь жизнь очерки поэзия музыка
Преступление и наказание Война и мир Фёдор Достоевский Лев Толстой Мёртвые души Тихий Дон
Prestuplenie i nakazanie Voĭna i mir Fëdor Dostoevskiĭ Lev Tolstoĭ Mërtvye dushi Tikhiĭ Don
Istorii͡a Kazakhstana literatura i͡azyk izbrannye proizvedenii͡a narodnye skazki kulʹtura
history of Kazakhstan Azerbaijan literature language selected works folk tales culture science
"""
VOCABULARY = _VOCABULARY_TEXT.split()
PUNCT = [" ", " ", " ", " ", " : ", " / ", ", ", " ; ", " — ", ". "]


def make_titles(count: int, seed: int = 7) -> list[str]:
    """``count`` titles of about 100 characters from the shared vocabulary."""
    rng = random.Random(seed)
    titles = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) for p in parts) < 90:
            parts.append(rng.choice(VOCABULARY))
            parts.append(rng.choice(PUNCT))
        if rng.random() < 0.3:
            parts.append(f"Т. {rng.randint(1, 12)}")
        titles.append("".join(parts).strip(" :/,;—."))
    return titles


def fresh_titles(count: int, seed: int = 11) -> list[str]:
    """Titles of made-up words (letters of all three languages), almost never repeated."""
    rng = random.Random(seed)
    letters = "абвгдежзиклмнопрстуфхцчшыэюяәғқңөұүһіabcçdeəfgğhxıijkqlmnoöprsştuüvyz"
    titles = []
    for _ in range(count):
        words = ["".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(14)]
        titles.append(" ".join(words))
    return titles


def rate(fn: Callable[[str], object], titles: list[str], reset: bool = False) -> float:
    """Characters per second of ``fn`` over ``titles`` (best of three runs)."""
    chars = sum(len(t) for t in titles)
    best = float("inf")
    for _ in range(3):
        if reset:
            textkeys._cache.clear()
        start = time.perf_counter()
        for title in titles:
            fn(title)
        best = min(best, time.perf_counter() - start)
    return chars / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=20_000)
    args = parser.parse_args(argv)
    titles = make_titles(args.titles)
    fresh = fresh_titles(max(args.titles // 10, 100))
    transform = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")

    icu_rate = rate(transform.transliterate, titles)
    cold = rate(textkeys.search_key, titles, reset=True)
    warm = rate(textkeys.search_key, titles)
    icu_fresh = rate(transform.transliterate, fresh)
    fresh_rate = rate(textkeys.search_key, fresh, reset=True)

    mean = sum(len(t) for t in titles) / len(titles)
    print(f"{len(titles)} titles, {mean:.0f} characters each; {len(fresh)} fresh-word titles")
    print(f"{'':22}{'chars/s':>12}{'x icu':>8}")
    for name, value, base in (
        ("icu (baseline)", icu_rate, icu_rate),
        ("search_key cold", cold, icu_rate),
        ("search_key warm", warm, icu_rate),
        ("icu, fresh words", icu_fresh, icu_fresh),
        ("search_key fresh", fresh_rate, icu_fresh),
    ):
        print(f"{name:22}{value:12,.0f}{value / base:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
