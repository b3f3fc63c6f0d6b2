"""Gap lists on the sample collections: exact against the ground truth, filters, formats,
the command and the librarians' page."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from birlik.cli import main
from harvester.config import Config
from harvester.sqlite import connect
from indexer.gaps import GapFilter, gap_clusters, gap_rows
from indexer.record import Record
from search_ui import create_app
from tests.support.librarian import login
from tests.support.samples import SAMPLES, shared_works

MARC = "{http://www.loc.gov/MARC21/slim}"


def live_ids(lib: str) -> set[str]:
    """Record ids of the live items of a sample collection, read from its files."""
    out = set()
    for part in sorted((SAMPLES / lib / "records").glob("part-*.xml")):
        for item in etree.parse(str(part)).getroot():
            if item.get("deleted") != "true":
                out.add(f"{lib}:{item.get('identifier')}")
    return out


def expected(have: str, lack: str) -> set[str]:
    """Live records of ``have`` with no live ``same`` partner in ``lack`` (shared_works.tsv)."""
    live = {"anl": live_ids("anl"), "nlrk": live_ids("nlrk")}
    held_by_both = set()
    for p in shared_works():
        a, n = f"anl:{p.anl_id}", f"nlrk:{p.nlrk_id}"
        if p.relation == "same" and a in live["anl"] and n in live["nlrk"]:
            held_by_both.add(a if have == "anl" else n)
    return live[have] - held_by_both


def cli_csv(config: Config, tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "gaps.csv"
    assert main(["--config", str(config.path), "gaps", *args, "--output", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets read it right
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(("have", "lack"), [("anl", "nlrk"), ("nlrk", "anl")])
def test_gap_list_is_exact_on_the_samples(
    catalogue: Config, tmp_path: Path, have: str, lack: str
) -> None:
    rows = cli_csv(catalogue, tmp_path, "--have", have, "--lack", lack)
    got = [r["record_id"] for r in rows]
    assert len(got) == len(set(got)), "one row per work"
    assert set(got) == expected(have, lack)
    assert {"isbn", "title", "authors", "year", "language", "record_id"} <= set(rows[0])


def _all_rows(config: Config, have: str, lack: str) -> list[Record]:
    conn = connect(config.state_db, readonly=True)
    try:
        return [r.record for r in gap_rows(gap_clusters(conn, have, lack), have, lack, GapFilter())]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (["--language", "kaz"], lambda r: "kaz" in r.languages),
        (["--type", "serial"], lambda r: r.type == "serial"),
        (
            ["--year-from", "1990", "--year-to", "2005"],
            lambda r: r.year is not None and 1990 <= r.year <= 2005,
        ),
        (["--subject", "проза"], lambda r: any("проза" in s.casefold() for s in r.subjects)),
    ],
)
def test_filters(catalogue: Config, tmp_path: Path, args: list[str], keep) -> None:
    everything = _all_rows(catalogue, "nlrk", "anl")
    want = {r.id for r in everything if keep(r)}
    assert 0 < len(want) < len(everything), "the filter should keep some, not all"
    got = cli_csv(catalogue, tmp_path, "--have", "nlrk", "--lack", "anl", *args)
    assert {r["record_id"] for r in got} == want


def test_marcxml_carries_the_holders_records(catalogue: Config, tmp_path: Path) -> None:
    out = tmp_path / "gaps.xml"
    args = ["gaps", "--have", "anl", "--lack", "nlrk", "--format", "marcxml", "-o", str(out)]
    assert main(["--config", str(catalogue.path), *args]) == 0
    root = etree.parse(str(out)).getroot()
    assert root.tag == f"{MARC}collection"
    records = root.findall(f"{MARC}record")
    assert len(records) == len(expected("anl", "nlrk"))
    first = records[0]
    assert first.find(f"{MARC}leader") is not None
    assert first.find(f"{MARC}datafield[@tag='245']") is not None


def test_command_errors(
    catalogue: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = ["--config", str(catalogue.path), "gaps"]
    assert main([*cfg, "--have", "anl", "--lack", "xyz"]) == 2
    assert "no source 'xyz' (configured: anl, nlrk)" in capsys.readouterr().err
    assert main([*cfg, "--have", "anl", "--lack", "anl"]) == 1
    assert "--have and --lack name the same library" in capsys.readouterr().err
    catalogue.state_db.unlink()
    assert main([*cfg, "--have", "anl", "--lack", "nlrk"]) == 1
    assert "no state database at" in capsys.readouterr().err


@pytest.fixture
def gaps_client(catalogue: Config) -> FlaskClient:
    app = create_app(catalogue)
    app.testing = True
    client = app.test_client()
    login(client)
    return client


def test_gap_page_lists_and_downloads(
    gaps_client: FlaskClient, catalogue: Config, tmp_path: Path
) -> None:
    want = expected("anl", "nlrk")
    html = gaps_client.get("/librarian/gaps?have=anl&lack=nlrk&lang=en").get_data(as_text=True)
    assert f"{len(want)} works held by ANL are missing from NLRK" in html
    assert "The first 200 are shown" not in html  # 197 rows: all shown
    cli = tmp_path / "cli.csv"
    args = ["gaps", "--have", "anl", "--lack", "nlrk", "-o", str(cli)]
    assert main(["--config", str(catalogue.path), *args]) == 0
    with gaps_client.get("/librarian/gaps.csv?have=anl&lack=nlrk") as download:
        disposition = download.headers["Content-Disposition"].replace('"', "")
        assert disposition == "attachment; filename=gaps-anl-not-nlrk.csv"
        assert download.data == cli.read_bytes()
    with gaps_client.get("/librarian/gaps.marcxml?have=anl&lack=nlrk") as xml:
        assert xml.mimetype == "application/xml"
        assert len(etree.fromstring(xml.data).findall(f"{MARC}record")) == len(want)


def test_gaps_to_standard_output(catalogue: Config, tmp_path: Path) -> None:
    """Without --output the list goes to stdout, byte for byte the same as the file."""
    cli = tmp_path / "cli.csv"
    args = ["--config", str(catalogue.path), "gaps", "--have", "nlrk", "--lack", "anl"]
    assert main([*args, "-o", str(cli)]) == 0
    r = subprocess.run(
        [sys.executable, "-m", "birlik", *args], capture_output=True, timeout=60, check=True
    )
    assert r.stdout == cli.read_bytes()
    assert r.stderr.decode().strip() == (
        f"birlik: {len(expected('nlrk', 'anl'))} works held by nlrk are missing from anl"
    )


def test_gap_page_filters(gaps_client: FlaskClient, catalogue: Config) -> None:
    want = {r.id for r in _all_rows(catalogue, "nlrk", "anl") if "kaz" in r.languages}
    url = "/librarian/gaps?have=nlrk&lack=anl&language=kaz&year_from=&lang=en"
    html = gaps_client.get(url).get_data(as_text=True)
    assert f"{len(want)} works held by NLRK are missing from ANL" in html
    assert '<option value="kaz" selected>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("have=anl&lack=anl", "Choose two different libraries."),
        ("have=anl&lack=bnf", "Choose two of the libraries."),
        ("have=anl&lack=nlrk&year_from=19x5", "The year must be a number such as 1995."),
    ],
)
def test_gap_page_bad_parameters(gaps_client: FlaskClient, query: str, message: str) -> None:
    r = gaps_client.get(f"/librarian/gaps?{query}&lang=en")
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    assert gaps_client.get(f"/librarian/gaps.csv?{query}").status_code == 400


def test_gap_downloads_need_a_login(catalogue: Config) -> None:
    client = create_app(catalogue).test_client()
    r = client.get("/librarian/gaps.csv?have=anl&lack=nlrk")
    assert r.status_code == 302 and r.location.startswith("/login")
