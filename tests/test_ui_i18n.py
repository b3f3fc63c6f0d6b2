"""Translations: complete catalogues, no untranslated text in templates, no English leaks.

A page in kk, az or ru may not show an English UI string whose translation differs; the
English page is walked the same way to prove the check finds English where it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from lxml import html

from search_ui import catalogues
from tests.support.ui import SHARED_NLRK

LANGS = ("kk", "az", "ru")
TEMPLATES = Path(catalogues.HERE) / "templates"
PAGES = [
    "/",
    "/?q=Абай жолы",
    "/?q=Абай&library=anl&type=map",
    "/?subject=Фольклор&size=5&page=2&decade=1960s",
    f"/records/{SHARED_NLRK}",
    "/records/anl:oai:anl.az:2003",
    "/about",
    "/no/such/page",
    "/records/nlrk:oai:nlrk.kz:0",
    "/?page=abc",
]
ATTRS = ("placeholder", "aria-label", "title", "alt")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalog(lang: str) -> Catalog:
    with (catalogues.TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def template_catalog() -> Catalog:
    with (catalogues.TRANSLATIONS / "messages.pot").open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    cat = catalog(lang)
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in template_catalog() if m.id}
    have = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in cat if m.id}
    assert ids <= set(have), f"{lang}: run python -m search_ui.catalogues update"
    for key in ids:
        m = have[key]
        strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
        assert all(s.strip() for s in strings), f"{lang}: {key!r} untranslated"
        assert "fuzzy" not in m.flags, f"{lang}: {key!r} is fuzzy"
        source = key if isinstance(key, str) else key[-1]
        for s in strings:
            assert set(_PLACEHOLDER.findall(s)) == set(_PLACEHOLDER.findall(source)), (lang, key)


def test_templates_have_no_untranslated_text() -> None:
    allowed = {"Birlik", "ISBN", "ISSN", "LDR", "dc", "api", "search", "records", "id", "q", "UTF"}
    for path in [*TEMPLATES.glob("*.html"), *TEMPLATES.glob("*.xml")]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text)
        text = re.sub(r"&\w+;", " ", text)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - allowed
        assert not words, f"{path.name}: untranslated text {sorted(words)}"


def english_leaks(lang: str) -> tuple[set[str], list[re.Pattern[str]]]:
    """UI strings that are English and must not appear on a page in ``lang``."""
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for m in catalog(lang):
        if not m.id:
            continue
        forms = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
        for form in forms:
            if form in strings:
                continue  # the same word in both languages (az "Video") is no leak
            if _PLACEHOLDER.search(form):
                parts = _PLACEHOLDER.split(form)
                patterns.append(re.compile(r".+".join(re.escape(p) for p in parts if p)))
            else:
                exact.add(form)
    return exact, patterns


def visible_strings(body: bytes) -> list[str]:
    doc = html.fromstring(body)
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        for s in (el.text, el.tail):
            if s and s.strip():
                out.append(" ".join(s.split()))
        out += [" ".join(el.get(a, "").split()) for a in ATTRS if el.get(a)]
    return out


def leaks_on(ui_client: FlaskClient, url: str, lang: str) -> list[str]:
    exact, patterns = english_leaks(lang if lang != "en" else "kk")
    resp = ui_client.get(url, headers={"Accept-Language": lang})
    strings = visible_strings(resp.data)
    found = [s for s in strings if s in exact]
    found += [s for s in strings for p in patterns if p.search(s)]
    whole = " ".join(strings)
    found += [e for e in exact if len(e) > 24 and e in whole]
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url", PAGES)
def test_no_english_leaks(ui_client: FlaskClient, url: str, lang: str) -> None:
    assert leaks_on(ui_client, url, lang) == []


def test_the_leak_check_sees_english(ui_client: FlaskClient) -> None:
    found = leaks_on(ui_client, "/?q=Абай жолы", "en")
    assert "Skip to main content" in found
    assert "1 work found" in found


def test_catalogues_compile(tmp_path: Path) -> None:
    assert catalogues.compile_all(dest=tmp_path, force=True) == 4
    mos = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.mo"))
    assert mos == [f"{lang}/LC_MESSAGES/messages.mo" for lang in ("az", "en", "kk", "ru")]
