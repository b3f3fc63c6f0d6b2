"""The bundled sample collections (config/samples/): well-formed, complete, honest, reproducible."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import pymarc
import pytest
from lxml import etree
from stdnum import isbn, issn

from tests.support.samples import SAMPLES, shared_works

ROOT = Path(__file__).resolve().parent.parent
MARC_NS = "{http://www.loc.gov/MARC21/slim}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
PREFIX = {"anl": "oai:anl.az:", "nlrk": "oai:nlrk.kz:"}
RELATIONS = {"same", "translation", "other_edition", "other_volume", "different_generic"}
# Deliberately invalid ISBNs (misprints copied as printed); README.md lists each of them.
INVALID_020A = {"5605003170"}
INVALID_020Z = {"5-550-00134-0", "5-605-01113-0"}


@cache
def items(lib: str) -> list[etree._Element]:
    """Every <item> of a collection, in file order."""
    out: list[etree._Element] = []
    for path in sorted((SAMPLES / lib / "records").glob("*.xml")):
        out.extend(etree.parse(str(path)).getroot().iterchildren("item"))
    return out


@cache
def marc_records(lib: str) -> dict[str, pymarc.Record]:
    """The MARC21 record of every live item, read by pymarc, by OAI identifier."""
    out = {}
    for item in items(lib):
        md = item.find("metadata[@prefix='marc21']")
        if md is None:
            continue
        xml = etree.tostring(md[0], encoding="utf-8")
        records = pymarc.parse_xml_to_array(io.BytesIO(xml), strict=True)
        assert len(records) == 1, item.get("identifier")
        out[item.get("identifier")] = records[0]
    return out


def valid_isbns(rec: pymarc.Record) -> list[str]:
    """The valid ISBNs in 020 $a of a record."""
    return [n for f in rec.get_fields("020") for n in f.get_subfields("a") if isbn.is_valid(n)]


def field_008(rec: pymarc.Record) -> str:
    """The 008 of a record, or "" when it has none."""
    return (rec["008"].data or "") if rec.get_fields("008") else ""


def live_ids(lib: str) -> set[str]:
    return {i.get("identifier") for i in items(lib) if i.get("deleted") != "true"}


@pytest.mark.parametrize("lib", ["anl", "nlrk"])
def test_items_are_well_formed(lib: str) -> None:
    repo = tomllib.loads((SAMPLES / lib / "repository.toml").read_text("utf-8"))
    assert repo["identifier_prefix"] == PREFIX[lib]
    declared = {s["spec"] for s in repo["sets"]}
    seen = set()
    for item in items(lib):
        ident = item.get("identifier")
        assert ident not in seen, f"{ident} twice"
        seen.add(ident)
        assert re.fullmatch(re.escape(PREFIX[lib]) + r"\d{6}", ident)
        assert re.fullmatch(r"202[3-6]-\d\d-\d\dT\d\d:\d\d:\d\dZ", item.get("datestamp"))
        assert set(item.get("sets", "").split()) <= declared, ident
        if item.get("deleted") == "true":
            assert len(item) == 0, f"{ident}: a deleted item carries metadata"


@pytest.mark.parametrize("lib", ["anl", "nlrk"])
def test_counts_and_formats(lib: str) -> None:
    all_items = items(lib)
    deleted = [i for i in all_items if i.get("deleted") == "true"]
    assert len(all_items) >= 300
    assert 0.02 <= len(deleted) / len(all_items) <= 0.05
    wanted = {"marc21", "oai_dc"} if lib == "nlrk" else {"marc21"}
    for item in all_items:
        if item.get("deleted") != "true":
            assert {m.get("prefix") for m in item} == wanted, item.get("identifier")


@pytest.mark.parametrize("lib", ["anl", "nlrk"])
def test_marc_records_are_realistic(lib: str) -> None:
    records = marc_records(lib)
    assert set(records) == live_ids(lib)
    for ident, rec in records.items():
        leader = str(rec.leader)
        assert leader[9] == "a" and leader[6] == "a" and leader[7] in "ms", ident
        assert rec["001"].data == ident.rsplit(":", 1)[1]
        assert rec.get_fields("245") and rec.get_fields("005"), ident
        if rec.get_fields("008"):
            f008 = field_008(rec)
            assert len(f008) == 40 and f008[35:38] in {"kaz", "aze", "rus", "eng"}, ident
            assert f008[7:11].isdigit(), ident


@pytest.mark.parametrize("lib", ["anl", "nlrk"])
def test_880_fields_are_linked(lib: str) -> None:
    linked = 0
    for ident, rec in marc_records(lib).items():
        for f in rec.get_fields("880"):
            tag, _, rest = f.get_subfields("6")[0].partition("-")
            occurrence = rest[:2]
            mains = [
                m for m in rec.get_fields(tag) if m.get_subfields("6") == [f"880-{occurrence}"]
            ]
            assert len(mains) == 1, f"{ident}: 880 {tag}-{occurrence} has no partner"
            linked += 1
    assert linked >= 5 or lib == "nlrk"


def test_every_isbn_and_issn_checks() -> None:
    invalid_a, invalid_z = set(), set()
    for lib in ("anl", "nlrk"):
        for ident, rec in marc_records(lib).items():
            for f in rec.get_fields("020"):
                for number in f.get_subfields("a"):
                    if not isbn.is_valid(number):
                        invalid_a.add(number)
                invalid_z.update(f.get_subfields("z"))
            for f in rec.get_fields("022"):
                for number in f.get_subfields("a"):
                    assert issn.is_valid(number), f"{ident}: ISSN {number}"
    assert invalid_a == INVALID_020A
    assert invalid_z == INVALID_020Z and not any(isbn.is_valid(z) for z in invalid_z)
    readme = (SAMPLES / "README.md").read_text("utf-8")
    for number in INVALID_020A | INVALID_020Z:
        assert number in readme, f"{number} is not listed in README.md"


def test_variety_the_brief_asks_for() -> None:
    counts: Counter[str] = Counter()
    for lib in ("anl", "nlrk"):
        for rec in marc_records(lib).values():
            title = rec["245"].value()
            counts["lang:" + (field_008(rec)[35:38] or "?")] += 1
            counts["azerbaijani cyrillic"] += bool(re.search("[ҹјҝ]", title))
            counts["ala-lc"] += bool(re.search("[ĭ\u0361]|zh|kh", title)) and lib == "anl"
            kazakh = field_008(rec)[35:38] == "kaz"
            romanised = re.search("[ĭ\u0361]|zh|kh|gh|[А-яӘә]", title)
            counts["kazakh latin"] += bool(kazakh and not romanised)
            counts["links"] += bool(rec.get_fields("856"))
            counts["rda"] += bool(rec.get_fields("264"))
            counts["no 008"] += not rec.get_fields("008")
            counts["volumes"] += bool(rec["245"].get_subfields("n"))
    for key in ("lang:kaz", "lang:aze", "lang:rus", "lang:eng"):
        assert counts[key] >= 20, key
    for key in ("azerbaijani cyrillic", "ala-lc", "kazakh latin", "links", "rda", "volumes"):
        assert counts[key] >= 5, (key, counts[key])
    assert counts["no 008"] >= 1


def test_oai_dc_agrees_with_marc() -> None:
    records = marc_records("nlrk")
    for item in items("nlrk"):
        dc = item.find("metadata[@prefix='oai_dc']")
        if dc is None:
            continue
        rec = records[item.get("identifier")]
        titles = [e.text for e in dc[0].iter(f"{DC_NS}title")]
        assert titles and titles[0].startswith(rec["245"]["a"].rstrip(" :/.")), titles
        isbns = {e.text for e in dc[0].iter(f"{DC_NS}identifier") if e.text.startswith("URN:ISBN")}
        marc_isbns = {f"URN:ISBN:{n}" for f in rec.get_fields("020") for n in f.get_subfields("a")}
        assert isbns == marc_isbns


def test_shared_works_ground_truth() -> None:
    rows = [pair._asdict() for pair in shared_works()]
    anl, nlrk = live_ids("anl"), live_ids("nlrk")
    pairs = set()
    for row in rows:
        assert row["relation"] in RELATIONS
        assert row["anl_id"] in anl and row["nlrk_id"] in nlrk, row
        assert (row["anl_id"], row["nlrk_id"]) not in pairs, row
        pairs.add((row["anl_id"], row["nlrk_id"]))
    counts = Counter(row["relation"] for row in rows)
    assert counts["same"] >= 60
    assert all(counts[r] >= 5 for r in RELATIONS), counts
    # A "same" pair shares its ISBN when both records carry one (normalised to ISBN-13).
    for row in rows:
        if row["relation"] != "same":
            continue
        a, b = marc_records("anl")[row["anl_id"]], marc_records("nlrk")[row["nlrk_id"]]
        numbers = [{isbn.compact(isbn.to_isbn13(n)) for n in valid_isbns(r)} for r in (a, b)]
        if all(numbers):
            assert numbers[0] == numbers[1], row


def test_generator_is_deterministic_and_committed(tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        outputs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]
    committed = {
        p.relative_to(SAMPLES): p.read_bytes()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert committed == outputs[0], "config/samples/ is stale: run scripts/make_samples.py"


def test_provider_loads_both_collections(tmp_path: Path) -> None:
    provider = pytest.importorskip("harvester.provider", reason="the provider is not built yet")
    for lib in ("anl", "nlrk"):
        collection = provider.Collection.from_directory(SAMPLES / lib, db_path=tmp_path / lib)
        try:
            wanted = {"marc21", "oai_dc"} if lib == "nlrk" else {"marc21"}
            assert {f[0] for f in collection.formats()} == wanted
            assert all(collection.exists(i.get("identifier")) for i in items(lib))
        finally:
            collection.close()


@pytest.mark.parametrize(
    ("mode", "lang", "text", "expected"),
    [
        ("alalc", "kaz", "Абай жолы", "Abaĭ zholy"),
        ("alalc", "kaz", "Қазақ әдебиеті", "Qazaq ädebīeti"),
        ("alalc", "rus", "Путь Абая", "Putʹ Abai\u0361a"),
        ("kzlat", "kaz", "Абай жолы", "Abai joly"),
        ("kzlat", "kaz", "Шығармалары", "Şyğarmalary"),
        ("azcyr", "aze", "Məktub yeşiyi", "Мәктуб јешији"),
        ("azcyr", "aze", "Azərbaycan tarixi. VII cild", "Азәрбајҹан тарихи. VII ҹилд"),
        ("azcyr", "aze", "İsgəndərnamə", "Исҝәндәрнамә"),
        ("alalc", "aze", "Leyli və Məcnun", "Leyli və Məcnun"),
    ],
)
def test_transliteration_tables(mode: str, lang: str, text: str, expected: str) -> None:
    from scripts.samplegen.translit import render

    assert render(text, mode, lang) == expected


def test_a_bad_table_row_is_named(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(ROOT / "scripts" / "samples_data", tables)
    with (tables / "editions_en.tsv").open("a", encoding="utf-8") as fh:
        fh.write("broken-row\tnobody\tA title\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--tables", str(tables),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert "editions_en.tsv:" in done.stderr and "3 cells, header has 18" in done.stderr
    assert not (tmp_path / "out").exists()
