"""Language codes and names in any form → ISO 639-2/B."""

from __future__ import annotations

import pytest

from indexer.normalise.languages import split_codes, to_marc_language, to_marc_languages


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # ISO 639-1, 639-2/B, 639-2/T, 639-3, with region and script subtags
        ("kk", "kaz"),
        ("kaz", "kaz"),
        ("KAZ", "kaz"),
        ("kk-KZ", "kaz"),
        ("kk_Cyrl", "kaz"),
        ("az", "aze"),
        ("aze", "aze"),
        ("azj", "aze"),
        ("az-Latn-AZ", "aze"),
        ("ru", "rus"),
        ("rus", "rus"),
        ("en", "eng"),
        ("en_US", "eng"),
        ("de", "ger"),
        ("deu", "ger"),
        ("ger", "ger"),
        ("fra", "fre"),
        ("zho", "chi"),
        ("uz", "uzb"),
        ("ky", "kir"),
        ("tt", "tat"),
        # names in English
        ("Kazakh", "kaz"),
        ("Azerbaijani", "aze"),
        ("Russian", "rus"),
        ("English", "eng"),
        ("German", "ger"),
        # names in Russian, as catalogues write them
        ("казахский", "kaz"),
        ("Казахский язык", "kaz"),
        ("на русском языке", "rus"),
        ("русский", "rus"),
        ("рус.", "rus"),
        ("азербайджанский", "aze"),
        ("немецкий", "ger"),
        # names in Kazakh
        ("қазақ тілі", "kaz"),
        ("Қазақша", "kaz"),
        ("орыс тілі", "rus"),
        ("ағылшын тілі", "eng"),
        ("qazaq tili", "kaz"),
        # names in Azerbaijani
        ("Azərbaycan dili", "aze"),
        ("azərbaycanca", "aze"),
        ("rus dili", "rus"),
        ("ingilis dili", "eng"),
        ("türk dili", "tur"),
    ],
)
def test_to_marc_language(value: str, code: str) -> None:
    assert to_marc_language(value) == code


@pytest.mark.parametrize("value", ["", "  ", "other", "xx", "zzz", "не указан", "N/A"])
def test_unknown_values_give_nothing(value: str) -> None:
    assert to_marc_language(value) == ""


def test_lists_and_run_together_codes() -> None:
    assert to_marc_languages("eng; rus") == ["eng", "rus"]
    assert to_marc_languages("kk, ru, kk") == ["kaz", "rus"]
    assert to_marc_languages("русский и казахский") == ["rus", "kaz"]
    assert to_marc_languages("engrus") == ["eng", "rus"]
    assert split_codes("kazrus") == ["kaz", "rus"]
    assert split_codes("kaz") == ["kaz"]
