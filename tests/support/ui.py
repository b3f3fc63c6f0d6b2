"""Fixtures for the UI, API and browser tests: a real SQLite index and state database.

``ui_records()`` is a small catalogue built in code: one work held by both libraries in
two scripts (one duplicate cluster), records in Kazakh, Azerbaijani and Russian, an oai_dc
record, hostile titles and names (XSS), and filler records for paging.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harvester.config import Config, parse_config
from harvester.store import PageCounts, StateDB
from indexer.backends.base import IndexDoc
from indexer.backends.sqlite import SQLiteBackend
from indexer.record import Link, Name, Record

XSS_TITLE = '<script>alert("t")</script>"><img src=x onerror=alert(1)>'
XSS_NAME = "\"><img src=x onerror=alert('n')> & <b>bold</b>"
SHARED_NLRK = "nlrk:oai:nlrk.kz:1001"
SHARED_ANL = "anl:oai:anl.az:2001"
LIB_NAMES = {
    "anl": {
        "kk": "Әзірбайжан Ұлттық кітапханасы",
        "az": "Azərbaycan Milli Kitabxanası",
        "ru": "Национальная библиотека Азербайджана",
        "en": "Azerbaijan National Library",
    },
    "nlrk": {
        "kk": "Қазақстан Республикасының Ұлттық кітапханасы",
        "az": "Qazaxıstan Respublikasının Milli Kitabxanası",
        "ru": "Национальная библиотека Республики Казахстан",
        "en": "National Library of the Republic of Kazakhstan",
    },
}


def marcxml(fields: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """A small MARCXML record: (tag, indicators, subfields)."""
    body = [
        '<record xmlns="http://www.loc.gov/MARC21/slim">',
        "<leader>00000nam a2200000 i 4500</leader>",
    ]
    for tag, ind, subs in fields:
        inner = "".join(f'<subfield code="{c}">{_x(v)}</subfield>' for c, v in subs)
        body.append(f'<datafield tag="{tag}" ind1="{ind[0]}" ind2="{ind[1]}">{inner}</datafield>')
    body.append("</record>")
    return "".join(body)


def _x(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def record(source: str, n: int, title: str, **kw: object) -> Record:
    oai_id = f"oai:{source}.{'kz' if source == 'nlrk' else 'az'}:{n}"
    base: dict[str, object] = {
        "id": f"{source}:{oai_id}",
        "source": source,
        "oai_id": oai_id,
        "datestamp": "2024-05-01T00:00:00Z",
        "format": "marc21",
        "title": title,
        "type": "book",
    }
    base.update(kw)
    if "raw_xml" not in kw:
        authors = kw.get("authors", ())
        fields = [("245", "10", [("a", title)])]
        fields += [("100", "1 ", [("a", a.name)]) for a in authors][:1]  # type: ignore[attr-defined]
        base["raw_xml"] = marcxml(fields)
    return Record(**base)  # type: ignore[arg-type]


def ui_records() -> list[IndexDoc]:
    shared = "cluster-abai"
    docs = [
        IndexDoc(
            record(
                "nlrk",
                1001,
                "Абай жолы",
                subtitle="роман-эпопея",
                authors=(Name("Әуезов, Мұхтар", dates="1897-1961"),),
                subjects=("Қазақ әдебиеті",),
                languages=("kaz",),
                scripts=("Cyrl",),
                year=1997,
                place="Алматы",
                publisher="Жазушы",
                isbns=("9785605000010",),
                links=(Link("https://e.example.kz/abai.pdf", "PDF"),),
            ),
            shared,
            True,
        ),
        IndexDoc(
            record(
                "anl",
                2001,
                "Abai joly",
                subtitle="roman-epopeia",
                authors=(Name("Äuezov, Mūhtar"),),
                subjects=("Qazaq ädebietı",),
                languages=("kaz",),
                scripts=("Latn",),
                year=1997,
                place="Almaty",
                publisher="Jazuşy",
            ),
            shared,
            False,
        ),
        IndexDoc(
            record(
                "anl",
                2002,
                "Leyli və Məcnun",
                authors=(Name("Füzuli, Məhəmməd"),),
                links=(Link("https://e.example.az/leyli.pdf", "PDF"),),
                subjects=("Azərbaycan ədəbiyyatı",),
                languages=("aze",),
                year=2005,
                place="Bakı",
            ),
            "anl:oai:anl.az:2002",
        ),
        IndexDoc(
            record(
                "nlrk",
                1002,
                "История Казахстана",
                authors=(Name("Абылхожин, Жулдызбек"),),
                subjects=("История",),
                languages=("rus",),
                year=2010,
                type="serial",
            ),
            "nlrk:oai:nlrk.kz:1002",
        ),
        IndexDoc(
            record(
                "anl",
                2003,
                "Azərbaycan xalçaları",
                languages=("aze",),
                year=1988,
                type="image",
                format="oai_dc",
                raw_xml=(
                    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Azərbaycan xalçaları'
                    "</dc:title><dc:language>aze</dc:language><dc:date>1988</dc:date></oai_dc:dc>"
                ),
            ),
            "anl:oai:anl.az:2003",
        ),
        IndexDoc(
            record(
                "nlrk",
                1003,
                XSS_TITLE,
                authors=(Name(XSS_NAME),),
                subjects=(XSS_TITLE,),
                languages=("eng",),
                year=2020,
                notes=(XSS_NAME,),
                links=(Link("https://e.example.kz/x.pdf", XSS_NAME),),
            ),
            "nlrk:oai:nlrk.kz:1003",
        ),
    ]
    for i in range(30):  # filler for paging: 30 records of one subject
        docs.append(
            IndexDoc(
                record(
                    "nlrk",
                    3000 + i,
                    f"Дала әуендері {i + 1}",
                    subjects=("Фольклор",),
                    languages=("kaz",),
                    year=1950 + i,
                ),
                f"nlrk:oai:nlrk.kz:{3000 + i}",
            )
        )
    return docs


def ui_config(data_dir: Path) -> Config:
    raw = {
        "data_dir": str(data_dir),
        "sources": [
            {
                "key": key,
                "url": f"http://127.0.0.1:9/{key}",
                "metadata_prefix": "marc21",
                "name": names,
            }
            for key, names in LIB_NAMES.items()
        ],
    }
    return parse_config(raw, data_dir / "birlik.toml")


def fill_backend(directory: Path) -> SQLiteBackend:
    backend = SQLiteBackend(directory, "birlik")
    backend.rebuild(ui_records())
    return backend


@pytest.fixture(scope="session")
def ui_env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Config, SQLiteBackend, Path]]:
    """Config, a filled SQLite index and a state database with one finished run (ANL)."""
    data = tmp_path_factory.mktemp("ui")
    config = ui_config(data)
    backend = fill_backend(data / "index")
    db = StateDB(config.state_db)
    run = db.start_run("anl")
    db.finish_run(run, "ok", PageCounts(new=4))
    db.close()
    yield config, backend, config.state_db
    backend.close()


@pytest.fixture(scope="session")
def ui_app(ui_env: tuple[Config, SQLiteBackend, Path]) -> Flask:
    from search_ui import create_app

    config, backend, state_path = ui_env
    app = create_app(config, backend=backend, state_db=state_path)
    app.testing = True
    return app


@pytest.fixture
def ui_client(ui_app: Flask) -> FlaskClient:
    return ui_app.test_client()
