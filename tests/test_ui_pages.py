"""The reader's pages through Flask's test ui_client, against a real SQLite index."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from lxml import etree, html

from harvester.config import Config
from indexer.backends.base import SearchQuery, SearchResult
from indexer.backends.sqlite import SQLiteBackend
from search_ui import create_app
from tests.support.ui import SHARED_ANL, SHARED_NLRK
from tests.test_ui_i18n import leaks_on

DC_RECORD = "anl:oai:anl.az:2003"


def page(ui_client: FlaskClient, url: str, lang: str = "en", status: int = 200) -> html.HtmlElement:
    resp = ui_client.get(url, headers={"Accept-Language": lang})
    assert resp.status_code == status, (url, resp.status_code)
    assert resp.mimetype == "text/html"
    return html.fromstring(resp.data)


def texts(doc: html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def count(doc: html.HtmlElement) -> str:
    return texts(doc, "//h1[@id='results-title']")[0]


@pytest.mark.parametrize(
    ("lang", "placeholder", "example"),
    [
        ("kk", "Атауы, авторы, тақырыбы немесе ISBN — кез келген жазумен", "Абай жолы"),
        ("az", "Başlıq, müəllif, mövzu və ya ISBN — istənilən əlifba ilə", "Abay yolu"),
        ("ru", "Заглавие, автор, тема или ISBN — любой письменностью", "Путь Абая"),
        ("en", "Title, author, subject or ISBN — in any script", "Abai joly"),
    ],
)
def test_home_in_each_language(
    ui_client: FlaskClient, lang: str, placeholder: str, example: str
) -> None:
    doc = page(ui_client, "/", lang)
    assert doc.get("lang") == lang
    (box,) = doc.xpath("//input[@name='q']")
    assert box.get("placeholder") == placeholder
    assert doc.xpath(f"//label[@for='{box.get('id')}']")
    assert example in texts(doc, "//div[@class='examples']//a")
    assert doc.xpath("//main[@id='main']") and doc.xpath("//a[@href='#main']")
    assert doc.xpath("//header") and doc.xpath("//footer") and doc.xpath("//nav")


def test_results_show_what_a_reader_needs(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?q=Leyli Məcnun", "en")
    assert count(doc) == "1 work found"
    (hit,) = doc.xpath("//li[@class='hit']")
    title = hit.xpath(".//h2/a")[0]
    assert title.get("href") == "/records/anl:oai:anl.az:2002"
    assert [m.text for m in title.xpath(".//mark")] == ["Leyli", "Məcnun"]
    meta = " ".join(hit.xpath(".//p[@class='hit-meta']")[0].text_content().split())
    assert meta == "Year: 2005 Language: Azerbaijani Type: Book"
    assert texts(hit, ".//p[@class='hit-authors']") == ["Füzuli, Məhəmməd"]
    (badge,) = hit.xpath(".//ul[@class='badges']//abbr")
    assert (badge.text, badge.get("title")) == ("ANL", "Azerbaijan National Library")
    assert hit.xpath(".//ul[@class='ecopy']/li/a/@href") == ["https://e.example.az/leyli.pdf"]


def test_a_shared_work_is_one_result_with_both_libraries(ui_client: FlaskClient) -> None:
    for query in ("Абай жолы", "Abai joly"):
        doc = page(ui_client, f"/?q={query}", "en")
        assert count(doc) == "1 work found"
        badges = doc.xpath("//li[@class='hit']//ul[@class='badges']//abbr/text()")
        assert sorted(badges) == ["ANL", "NLRK"]
        assert doc.xpath("//li[@class='hit']//h2//mark")


def test_library_names_follow_the_language(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?q=Абай жолы", "az")
    names = doc.xpath("//li[@class='hit']//abbr/@title")
    assert "Qazaxıstan Respublikasının Milli Kitabxanası" in names
    assert count(doc) == "1 əsər tapıldı"


def test_clicking_a_facet_narrows_and_the_chip_removes_it(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?subject=Фольклор&lang=en")
    assert count(doc) == "30 works found"
    decades = doc.xpath("//section[contains(@class,'facet-decade')]//a")
    link = next(a for a in decades if "1960" in a.text_content())
    assert link.xpath(".//span[@class='count']")[0].text == "10"
    narrowed = page(ui_client, link.get("href"))
    assert count(narrowed) == "10 works found"
    chips = narrowed.xpath("//div[@class='active-filters']//a[@class='chip']")
    assert [" ".join(c.text_content().split()) for c in chips][-1].startswith("Decade: 1960–1969")
    back = page(ui_client, chips[-1].get("href"))
    assert count(back) == "30 works found"


def test_electronic_copy_facet(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?type=book&lang=ru")
    (link,) = doc.xpath("//section[contains(@class,'facet-has_link')]//a")
    assert " ".join(link.text_content().split()) == "С электронной копией 3"
    narrowed = page(ui_client, link.get("href"), "ru")
    assert count(narrowed) == "Найдено 3 произведения"
    assert all(hit.xpath(".//ul[@class='ecopy']") for hit in narrowed.xpath("//li[@class='hit']"))


def test_language_facet_uses_language_names(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?q=&type=book&lang=kk")
    labels = texts(doc, "//section[contains(@class,'facet-language')]//span[@class='facet-label']")
    assert "Әзірбайжан тілі" in labels and "Қазақ тілі" in labels


def test_nothing_found_suggests_removing_filters(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?q=Абай&library=anl&type=map", "ru")
    assert count(doc) == "Ничего не найдено"
    advice = texts(doc, "//div[@class='nothing-found']//li")
    assert any("Уберите часть фильтров" in t for t in advice)
    clear = doc.xpath("//div[@class='nothing-found']//a")[0].get("href")
    assert parse_qs(urlsplit(clear).query) == {"q": ["Абай"]}


def test_sort_form_keeps_filters_and_pages_link(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?subject=Фольклор&size=5&sort=year_desc&page=2")
    form = doc.xpath("//form[@class='sort-form']")[0]
    hidden = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert hidden == {"q": "", "subject": "Фольклор", "size": "5"}
    assert form.xpath(".//option[@selected]/@value") == ["year_desc"]
    years = [t[-4:] for t in texts(doc, "//li[@class='hit']//p[@class='hit-meta']/span[1]")]
    assert years == ["1974", "1973", "1972", "1971", "1970"]
    nav = doc.xpath("//nav[@class='pagination']")[0]
    assert nav.xpath(".//a[@aria-current='page']")[0].text == "2"
    nxt = parse_qs(urlsplit(nav.xpath(".//a[@rel='next']/@href")[0]).query)
    assert nxt["page"] == ["3"] and nxt["sort"] == ["year_desc"] and nxt["subject"] == ["Фольклор"]
    assert "Page 2 of 6" in texts(nav, ".//p")


def test_record_page_shows_every_library_and_the_marc_source(ui_client: FlaskClient) -> None:
    doc = page(ui_client, f"/records/{SHARED_NLRK}", "ru")
    assert texts(doc, "//h1") == ["Абай жолы : роман-эпопея"]
    holdings = texts(doc, "//ul[@class='holdings']/li/h3")
    assert holdings == [
        "NLRK Национальная библиотека Республики Казахстан",
        "ANL Национальная библиотека Азербайджана",
    ]
    assert doc.xpath(f"//ul[@class='holdings']//a[@href='/records/{SHARED_ANL}']")
    fields = dict(
        zip(
            texts(doc, "//dl[@class='fields']/dt"),
            texts(doc, "//dl[@class='fields']/dd"),
            strict=True,
        )
    )
    assert fields["Заглавие"] == "Абай жолы"
    assert fields["Язык"] == "Казахский"
    assert fields["Письменность"] == "Кириллица"
    assert fields["Год"] == "1997"
    assert fields["ISBN"] == "9785605000010"
    marc = doc.xpath("//table[@class='marc']//tr/th[@scope='row']/text()")
    assert marc[:3] == ["LDR", "245", "100"]
    exports = doc.xpath("//ul[@class='exports']//a/text()")
    assert exports == ["MARCXML", "oai_dc", "JSON", "RIS", "BibTeX"]


def test_record_page_shows_dublin_core(ui_client: FlaskClient) -> None:
    doc = page(ui_client, f"/records/{DC_RECORD}", "az")
    rows = [" ".join(texts(tr, "./*")) for tr in doc.xpath("//table[@class='dc']/tbody/tr")]
    assert rows == ["dc:title Azərbaycan xalçaları", "dc:language aze", "dc:date 1988"]
    assert "Şəkil" in texts(doc, "//dl[@class='fields']/dd")


def test_about_page_says_when_each_library_was_harvested(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/about", "en")
    rows = texts(doc, "//table[@class='libraries']/tbody/tr")
    assert rows[0].startswith("ANL Azerbaijan National Library")
    assert re.search(r"\d{4}", rows[0])
    assert rows[1] == "NLRK National Library of the Republic of Kazakhstan Not collected yet"
    kk = page(ui_client, "/about", "kk")
    assert "Әлі жиналған жоқ" in texts(kk, "//table[@class='libraries']//td")


def test_404_page_in_the_current_language(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/no/such/page", "kk", status=404)
    assert texts(doc, "//h1") == ["Бет табылмады"]
    doc = page(ui_client, "/records/anl:oai:anl.az:404", "az", status=404)
    assert texts(doc, "//h1") == ["Yazı tapılmadı"]


def test_bad_parameter_page_names_it(ui_client: FlaskClient) -> None:
    doc = page(ui_client, "/?q=x&page=abc", "ru", status=400)
    assert "«page»" in texts(doc, "//main//p")[0]


def test_accept_language_then_switcher_then_cookie(ui_client: FlaskClient) -> None:
    assert page(ui_client, "/", "ru-RU,ru;q=0.9,en;q=0.5").get("lang") == "ru"
    assert page(ui_client, "/", "de-DE").get("lang") == "en"
    doc = page(ui_client, "/?q=Абай&library=nlrk", "ru")
    switch = {a.get("hreflang"): a.get("href") for a in doc.xpath("//nav[@class='lang-switch']//a")}
    assert set(switch) == {"kk", "az", "ru", "en"}
    kept = parse_qs(urlsplit(switch["az"]).query)
    assert kept == {"q": ["Абай"], "library": ["nlrk"], "lang": ["az"]}
    az = ui_client.get(switch["az"], headers={"Accept-Language": "ru"})
    assert 'lang="az"' in az.text
    assert "lang=az" in az.headers["Set-Cookie"]
    assert page(ui_client, "/about", "ru").get("lang") == "az"  # the cookie wins over the header


def test_headers_forbid_scripts_and_pages_have_none(ui_client: FlaskClient) -> None:
    for url in ("/", "/?q=abai", f"/records/{SHARED_NLRK}", "/about", "/missing"):
        resp = ui_client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'none'" in csp and "default-src 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script" not in resp.text.lower()
        assert " style=" not in resp.text and "onclick" not in resp.text


def test_opensearch_description(ui_client: FlaskClient) -> None:
    resp = ui_client.get("/opensearch.xml", headers={"Accept-Language": "kk"})
    assert resp.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(resp.data)
    ns = {"o": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("o:ShortName", namespaces=ns) == "Birlik"
    templates = [u.get("template") for u in root.findall("o:Url", ns)]
    assert "http://localhost/?q={searchTerms}" in templates
    assert "http://localhost/api/search?q={searchTerms}" in templates
    home = page(ui_client, "/")
    assert home.xpath("//link[@rel='search']/@href") == ["/opensearch.xml"]


def test_stylesheet_is_served(ui_client: FlaskClient) -> None:
    resp = ui_client.get("/static/birlik.css")
    assert resp.status_code == 200 and "@media" in resp.text
    resp.close()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colours_have_enough_contrast(ui_client: FlaskClient) -> None:
    resp = ui_client.get("/static/birlik.css")
    css = resp.text
    resp.close()
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    white = "#ffffff"
    pairs = [
        (var["ink"], var["paper"]),
        (var["muted"], var["paper"]),
        (var["link"], var["paper"]),
        (var["muted"], var["tint"]),
        (var["link"], var["tint"]),
        (white, var["accent"]),
        (white, var["anl"]),
        (white, var["nlrk"]),
        (white, var["muted"]),
        (var["ink"], var["mark"]),
    ]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, round(contrast(fg, bg), 2))


class _Estimating(SQLiteBackend):
    """The SQLite index answering as an engine does for very large results: the total is
    an estimate, flagged ``total_exact=False``; here a lower bound (at most 10)."""

    def estimate(self, total: int) -> int:
        return min(total, 10)

    def search(self, query: SearchQuery) -> SearchResult:
        result = super().search(query)
        return dataclasses.replace(result, total=self.estimate(result.total), total_exact=False)


class _Overestimating(_Estimating):
    """An estimate above the truth (100 for the 30 folklore works): pages past the real end
    come back empty, as a sampled count can make them at scale."""

    def estimate(self, total: int) -> int:
        return 100 if total else 0


@contextmanager
def estimating_client(
    ui_env: tuple[Config, SQLiteBackend, Path], kind: type[_Estimating]
) -> Iterator[FlaskClient]:
    config, _, state = ui_env
    backend = kind(config.data_dir / "index", "birlik")
    try:
        with create_app(config, backend=backend, state_db=state).test_client() as client:
            yield client
    finally:
        backend.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_an_estimated_total_says_about_and_hides_no_page(
    ui_env: tuple[Config, SQLiteBackend, Path],
) -> None:
    with estimating_client(ui_env, _Estimating) as client:
        doc = page(client, "/?subject=Фольклор&size=5&page=2", "ru")
        assert count(doc).startswith("Найдено около 10 произведений")
        nav = doc.xpath("//nav[@class='pagination']")[0]
        nxt = nav.xpath(".//a[@rel='next']/@href")  # the estimate says 2 pages; 6 are full
        assert query_of(nxt[0])["page"] == ["3"]
        assert count(page(client, "/?subject=Фольклор&size=5", "kk")).startswith("Шамамен")


FOLKLORE = "/?subject=Фольклор&size=10&sort=year_desc"  # 30 works: 3 pages of 10


def test_a_page_past_an_estimated_end_says_so_and_leads_back(
    ui_env: tuple[Config, SQLiteBackend, Path],
) -> None:
    with estimating_client(ui_env, _Overestimating) as client:
        doc = page(client, f"{FOLKLORE}&page=5", "en")
        assert count(doc) == "About 100 works found"
        assert not doc.xpath("//li[@class='hit']") and not doc.xpath("//ol[@class='hits']")
        (note,) = doc.xpath("//section[@class='results']//div[contains(@class,'past-the-end')]")
        assert "There are no more results after this point." in texts(note, "./p")[0]
        links = {a.text_content(): query_of(a.get("href")) for a in note.xpath(".//a")}
        kept = {"subject": ["Фольклор"], "size": ["10"], "sort": ["year_desc"]}
        assert links == {
            "Go to the first page of results": kept,
            "Go back to page 4": {**kept, "page": ["4"]},
        }
        assert not doc.xpath("//a[@rel='next']")
        nav = doc.xpath("//nav[@class='pagination']")[0]
        assert [int(n) for n in nav.xpath(".//a/text()")] == [1, 2, 3, 4]
        assert not texts(nav, ".//p")  # no "Page 5 of 4"

        ru = page(client, f"{FOLKLORE}&page=5", "ru")
        assert "Дальше результатов нет." in texts(ru, "//div[contains(@class,'past-the-end')]/p")[0]
        assert "Вернуться на страницу 4" in texts(ru, "//div[contains(@class,'past-the-end')]//a")
        for lang in ("kk", "az", "ru"):
            assert leaks_on(client, f"{FOLKLORE}&page=5", lang) == []

        api = client.get("/api/search?subject=Фольклор&size=10&page=5").get_json()
        assert (api["total"], api["page"], api["size"], api["results"]) == (100, 5, 10, [])


def test_a_short_estimated_page_is_the_last(
    ui_env: tuple[Config, SQLiteBackend, Path],
) -> None:
    with estimating_client(ui_env, _Overestimating) as client:
        doc = page(client, f"{FOLKLORE}&page=3", "en")
        assert len(doc.xpath("//li[@class='hit']")) == 10  # full: the estimate may go on
        assert query_of(doc.xpath("//a[@rel='next']/@href")[0])["page"] == ["4"]
        doc = page(client, "/?subject=Фольклор&size=7&page=5", "en")  # 4 x 7 + 2
        assert len(doc.xpath("//li[@class='hit']")) == 2
        assert not doc.xpath("//a[@rel='next']")
        nav = doc.xpath("//nav[@class='pagination']")[0]
        assert "Page 5 of 5" in texts(nav, ".//p")
        assert not doc.xpath("//div[contains(@class,'past-the-end')]")


def test_a_page_past_an_exact_end_says_so_without_an_estimate(ui_client: FlaskClient) -> None:
    doc = page(ui_client, f"{FOLKLORE}&page=9", "en")
    assert count(doc) == "30 works found"
    (note,) = doc.xpath("//div[contains(@class,'past-the-end')]")
    assert texts(note, "./p") == ["There are no more results after this point."]
    back = note.xpath(".//a[text()='Go back to page 3']/@href")  # the real last page
    assert query_of(back[0])["page"] == ["3"]
    assert not doc.xpath("//a[@rel='next']")
