"""bench/generate.py: same seed → same bytes, valid ISBNs, parseable MARCXML, true duplicates."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pymarc
import pytest
from lxml import etree
from stdnum import isbn

from bench import generate
from harvester.provider import Collection

ROOT = Path(__file__).resolve().parent.parent
MARC = "{http://www.loc.gov/MARC21/slim}"


def digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "both"
    opts = generate.Options(
        records=600,
        seed=7,
        dup_share=0.2,
        deleted_share=0.05,
        formats=("marc21", "oai_dc"),
        per_file=250,
    )
    generate.generate(out, "both", opts)
    return out


def items(directory: Path) -> dict[str, etree._Element]:
    found = {}
    for path in sorted((directory / "records").glob("*.xml")):
        for item in etree.parse(str(path)).getroot():
            found[item.get("identifier")] = item
    return found


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    opts = generate.Options(records=300, seed=3, per_file=100)
    generate.generate(tmp_path / "a", "anl", opts)
    generate.generate(tmp_path / "b", "anl", opts)
    generate.generate(tmp_path / "c", "anl", generate.Options(records=300, seed=4, per_file=100))
    a, b, c = (digest(tmp_path / x) for x in "abc")
    assert a == b
    assert sorted(a) == [
        "duplicates.tsv",
        "records/part-00000.xml",
        "records/part-00001.xml",
        "records/part-00002.xml",
        "repository.toml",
    ]
    assert a["records/part-00000.xml"] != c["records/part-00000.xml"]


def test_one_source_alone_matches_the_same_source_of_both(tmp_path, both):
    opts = generate.Options(
        records=600,
        seed=7,
        dup_share=0.2,
        deleted_share=0.05,
        formats=("marc21", "oai_dc"),
        per_file=250,
    )
    generate.generate(tmp_path / "nlrk", "nlrk", opts)
    assert digest(tmp_path / "nlrk") == {
        **digest(both / "nlrk"),
        "duplicates.tsv": digest(both)["duplicates.tsv"],
    }


def test_isbns_are_valid_and_hyphenated_correctly(both):
    seen = 0
    for source in ("anl", "nlrk"):
        for item in items(both / source).values():
            for sub in item.iter(f"{MARC}subfield"):
                if sub.getparent().get("tag") == "020":
                    value = sub.text
                    assert isbn.is_valid(value), value
                    assert "-" not in value or isbn.format(value) == value
                    assert value.replace("-", "").startswith("978")
                    seen += 1
    assert seen > 900  # about 85 % of 1200 records, minus deletions


def test_marcxml_parses_with_pymarc(both):
    records = linked = 0
    for item in items(both / "anl").values():
        md = item.find("metadata[@prefix='marc21']")
        if md is None:
            continue
        parsed = pymarc.parse_xml_to_array(io.BytesIO(etree.tostring(md[0])))
        assert len(parsed) == 1
        rec = parsed[0]
        assert len(str(rec.leader)) == 24
        assert len(rec["008"].data) == 40
        assert rec["008"].data[35:38] in generate.LANGS
        assert rec["245"]["a"] and rec["100"]["a"] and rec["264"]["c"]
        if rec.get_fields("880"):  # a romanised title keeps its Cyrillic original
            linked += 1
            assert rec["245"]["6"] == "880-01" and rec["880"]["6"] == "245-01/(N"
            assert re.search("[а-яәіңғүұқөһ]", rec["880"]["a"], re.I)
            assert not re.search("[а-я]", rec["245"]["a"], re.I)
        records += 1
    assert records > 550 and linked > 10


def test_deletions_links_languages_and_scripts(both):
    anl = items(both / "anl")
    deleted = [i for i in anl.values() if i.get("deleted") == "true"]
    assert 10 <= len(deleted) <= 50 and all(len(i) == 0 for i in deleted)
    links = [
        s.text
        for s in anl.values()
        for s in s.iter(f"{MARC}subfield")
        if s.getparent().get("tag") == "856" and s.get("code") == "u"
    ]
    assert 30 <= len(links) <= 100
    text = " ".join(s.text or "" for i in anl.values() for s in i.iter(f"{MARC}subfield"))
    for letters in ("ə", "ş", "қ", "ө", "ж", "я"):  # Azerbaijani Latin, Kazakh, Russian
        assert letters in text
    langs = {i.get("sets").split()[1] for i in anl.values() if i.get("sets")}
    assert langs == {"lang:kaz", "lang:aze", "lang:rus", "lang:eng"}


def test_planted_duplicates_are_the_same_work_in_both(both):
    with (both / "duplicates.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert 80 <= len(rows) <= 160  # dup_share 0.2 of 600
    anl, nlrk = items(both / "anl"), items(both / "nlrk")

    def facts(item: etree._Element) -> tuple[str, str]:
        f008 = item.find(f".//{MARC}controlfield[@tag='008']").text
        isbns = [
            s.text.replace("-", "")
            for s in item.iter(f"{MARC}subfield")
            if s.getparent().get("tag") == "020"
        ]
        return f008[7:11] + f008[35:38], ",".join(isbns)

    def title(item: etree._Element) -> str:
        return " ".join(
            s.text for s in item.iter(f"{MARC}subfield") if s.getparent().get("tag") == "245"
        )

    def isbn_as_written(item: etree._Element) -> str:
        return ",".join(
            s.text for s in item.iter(f"{MARC}subfield") if s.getparent().get("tag") == "020"
        )

    titles_differ = isbns_differ = 0
    for row in rows:
        a, n = anl[row["anl_id"]], nlrk[row["nlrk_id"]]
        assert a.get("deleted") is None and n.get("deleted") is None
        assert facts(a)[0] == facts(n)[0]  # same year and language
        if facts(a)[1] and facts(n)[1]:
            assert facts(a)[1] == facts(n)[1]  # same ISBN digits …
            isbns_differ += isbn_as_written(a) != isbn_as_written(n)  # … written apart
        titles_differ += title(a) != title(n)  # script, punctuation, missing subtitle
    assert titles_differ > len(rows) * 0.4
    assert isbns_differ > len(rows) * 0.2


def test_generated_collection_serves(both):
    with Collection.from_directory(both / "anl") as c:
        assert c.count("marc21", None, "", None) == 600
        assert c.count("oai_dc", "lang:aze", "", None) > 100


def test_command_line(tmp_path):
    cmd = [
        sys.executable,
        "bench/generate.py",
        "--records",
        "50",
        "--out",
        str(tmp_path / "o"),
        "--seed",
        "2",
        "--formats",
        "marc21,oai_dc",
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    assert "wrote 50 records" in done.stderr
    assert (tmp_path / "o" / "records" / "part-00000.xml").exists()
    bad = subprocess.run(
        [*cmd[:4], "--dup-share", "2", "--out", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--dup-share must be between 0 and 1" in bad.stderr
