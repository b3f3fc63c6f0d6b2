"""Reading a search from the query string and writing it back into links (pure functions)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from search_ui.params import ParamError, SearchState, parse_search

LIBS = ("anl", "nlrk")


def parse(query: str) -> SearchState:
    pairs = [(k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
    return parse_search(MultiDict(pairs), LIBS)


def test_defaults() -> None:
    state = parse("")
    assert state == SearchState()
    assert not state.is_search and state.args() == {}


def test_repeated_filters_and_decade_become_a_query() -> None:
    state = parse("q=Абай&library=anl&library=nlrk&library=anl&decade=1990s&year_from=1995")
    assert state.library == ("anl", "nlrk")
    query = state.to_query()
    assert (query.year_from, query.year_to) == (1995, 1999)
    assert query.q == "Абай" and query.library == ("anl", "nlrk")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page=-1", "page"),
        ("page=１", "page"),  # a full-width digit is not a page number
        ("size=0", "size"),
        ("sort=random", "sort"),
        ("decade=199s", "decade"),
        ("decade=1995s", "decade"),
        ("library=x", "library"),
        ("year_to=10000", "year_to"),
    ],
)
def test_bad_values_name_the_parameter(query: str, name: str) -> None:
    with pytest.raises(ParamError) as err:
        parse(query)
    assert err.value.name == name


def test_links_add_and_remove_filters_and_go_back_to_page_one() -> None:
    state = parse("q=x&language=kaz&page=3&sort=title")
    assert state.adding("language", "rus") == {
        "q": "x",
        "language": ["kaz", "rus"],
        "sort": "title",
    }
    assert state.removing("language", "kaz") == {"q": "x", "sort": "title"}
    assert state.adding("decade", "1960s") == {
        "q": "x",
        "language": ["kaz"],
        "decade": "1960s",
        "sort": "title",
    }
    assert state.args(page=4)["page"] == 4
    assert state.active_filters() == [("language", "kaz")]
