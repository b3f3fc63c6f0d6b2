"""The provider's parts without HTTP: date bounds, tokens, the SQLite collection, loading."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from harvester.provider import Collection, CollectionError, dates, tokens
from tests.support.provider import marc, sample_items, write_collection
from tests.support.provider_xml import NS

# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_", "until", "granularity", "expected"),
    [
        (None, None, "seconds", ("", None)),
        ("2024-01-02", None, "seconds", ("2024-01-02T00:00:00Z", None)),
        (None, "2024-01-02", "day", ("", "2024-01-02T23:59:59Z")),
        (
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05Z",
            "seconds",
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
        ),
        ("2024-01-02", "2024-01-02", "day", ("2024-01-02T00:00:00Z", "2024-01-02T23:59:59Z")),
    ],
)
def test_bounds(from_, until, granularity, expected):
    assert dates.bounds(from_, until, granularity) == expected


@pytest.mark.parametrize(
    ("from_", "until", "granularity", "problem"),
    [
        ("2024-01-02T00:00:00Z", None, "day", "day granularity only"),
        ("2024-01-02", "2024-01-03T00:00:00Z", "seconds", "different granularities"),
        ("2024-01-03", "2024-01-02", "seconds", "later than until"),
        ("2024-02-30", None, "seconds", "not a real date"),
        ("2024-01-02T24:00:00Z", None, "seconds", "not a real date"),
        ("2024-1-2", None, "seconds", "is not YYYY-MM-DD"),
        ("2024-01-02T00:00:00", None, "seconds", "is not YYYY-MM-DD"),
        ("2024-01-02T00:00:00+01:00", None, "seconds", "is not YYYY-MM-DD"),
    ],
)
def test_bad_bounds(from_, until, granularity, problem):
    with pytest.raises(dates.BadDate, match=problem):
        dates.bounds(from_, until, granularity)


def test_show_and_after():
    assert dates.show("2024-01-02T03:04:05Z", "day") == "2024-01-02"
    assert dates.show("2024-01-02T03:04:05Z", "seconds") == "2024-01-02T03:04:05Z"
    assert dates.after("2024-12-31T23:59:59Z") == "2025-01-01T00:00:00Z"


# -- tokens -----------------------------------------------------------------------------------


def test_token_round_trip_and_refusals():
    state = tokens.ListState(
        "ListRecords",
        "marc21",
        "lang:kaz",
        "",
        None,
        "2024-01-01T00:00:00Z",
        "oai:x:1",
        7,
        25,
        3,
        int(time.time()) + 60,
    )
    token = tokens.encode(state, b"secret")
    assert tokens.decode(token, b"secret", "ListRecords") == state
    with pytest.raises(tokens.BadToken, match="not one this repository issued"):
        tokens.decode(token, b"other secret", "ListRecords")
    with pytest.raises(tokens.BadToken, match="belongs to a ListRecords list"):
        tokens.decode(token, b"secret", "ListIdentifiers")
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.decode(token, b"secret", "ListRecords", clock=time.time() + 120)
    for garbage in ("", ".", "abc", "a.b.c", "é." + token.split(".")[1]):
        with pytest.raises(tokens.BadToken):
            tokens.decode(garbage, b"secret", "ListRecords")


# -- the collection ---------------------------------------------------------------------------


@pytest.fixture
def collection(tmp_path):
    with Collection.from_directory(write_collection(tmp_path / "c", sample_items(12))) as c:
        yield c


def test_loaded_collection(collection):
    assert collection.repository.name == "Test Library"
    assert [p for p, _, _ in collection.formats()] == ["marc21", "oai_dc"]
    assert [p for p, _, _ in collection.formats("oai:anl.az:000002")] == ["marc21"]
    assert collection.formats("oai:anl.az:000010") == []
    assert collection.count("marc21", None, "", None) == 12
    assert collection.count("oai_dc", "lang:kaz", "", None) == 6
    assert collection.count("marc21", "lang", "2024-01-11T00:00:00Z", None) == 2
    assert collection.sample_identifier() == "oai:anl.az:000001"
    row = collection.get("oai:anl.az:000001", "marc21")
    assert row[:4] == ("oai:anl.az:000001", "2024-01-01T10:00:00Z", 0, "books lang:kaz")
    assert row[4].startswith('<record xmlns="http://www.loc.gov/MARC21/slim">')


def test_put_and_delete_bump_datestamps_and_version(collection):
    version = collection.version
    before = collection.get("oai:anl.az:000003", "marc21")[1]
    stamp = collection.put(
        "oai:anl.az:000003",
        {"marc21": '<?xml version="1.0"?>\n' + marc("3", "New")},
        sets=["books"],
    )
    assert stamp > before and collection.version == version + 1
    row = collection.get("oai:anl.az:000003", "marc21")
    assert row[3] == "books" and row[4].startswith("<record") and "New" in row[4]
    assert collection.get("oai:anl.az:000003", "oai_dc")[4] is None
    again = collection.put("oai:anl.az:000003", {"marc21": marc("3", "Newer")})
    assert again > stamp  # same second: still later than before
    gone = collection.delete("oai:anl.az:000003")
    assert gone > again
    assert collection.get("oai:anl.az:000003", "marc21")[2:] == (1, "", None)
    collection.put(
        "oai:anl.az:000100",
        {"mods": "<mods xmlns='http://www.loc.gov/mods/v3'/>"},
        datestamp="2020-05-05",
    )
    assert "mods" in [p for p, _, _ in collection.formats()]
    assert collection.earliest_datestamp() == "2020-05-05T00:00:00Z"


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda c: c.put("has space", {"marc21": marc("1", "x")}), "empty or has spaces"),
        (lambda c: c.put("oai:x:1", {}), "needs metadata"),
        (lambda c: c.put("oai:x:1", {"marc21": "<unclosed>"}), "metadata 'marc21'"),
        (lambda c: c.put("oai:x:1", {"m": "<a/>"}, deleted=True), "carries no metadata"),
        (lambda c: c.put("oai:x:1", {"m": "<a/>"}, sets=["bad set"]), "not a valid setSpec"),
        (lambda c: c.put("oai:x:1", {"m": "<a/>"}, datestamp="now"), "datestamp"),
        (lambda c: c.delete("oai:x:nope"), "no such item"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(collection, call, problem):
    version = collection.version
    with pytest.raises(CollectionError, match=problem):
        call(collection)
    assert collection.version == version
    assert collection.count("marc21", None, "", None) == 12


def test_temporary_database_is_removed_on_close(tmp_path):
    c = Collection.from_directory(write_collection(tmp_path / "c", sample_items(3)))
    path = c.db_path
    assert path.exists()
    c.close()
    assert not path.exists()


def test_kept_database_is_reused_while_files_are_unchanged(tmp_path):
    directory = write_collection(tmp_path / "c", sample_items(5))
    db = tmp_path / "kept.sqlite3"
    with Collection.from_directory(directory, db_path=db) as c:
        c.put("oai:anl.az:000777", {"marc21": marc("777", "Added")})
    with Collection.from_directory(directory, db_path=db) as c:
        assert c.exists("oai:anl.az:000777")  # reused as it was
        repository = c.repository
    with Collection(db_path=str(db)) as c:  # reopened without the directory
        assert c.repository == repository and c.exists("oai:anl.az:000777")
    part = directory / "records" / "part-0000.xml"
    os.utime(part, ns=(time.time_ns(), time.time_ns() + 10**9))
    with Collection.from_directory(directory, db_path=db) as c:
        assert not c.exists("oai:anl.az:000777")  # rebuilt from the files
        assert db.exists()
    assert db.exists()


# -- loading errors name the file, the place and the problem ---------------------------------


def _dir_with(tmp_path: Path, records: str, toml: str | None = None) -> Path:
    directory = write_collection(tmp_path / "c", sample_items(2))
    (directory / "records" / "zz-bad.xml").write_text(records, encoding="utf-8")
    if toml is not None:
        (directory / "repository.toml").write_text(toml, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        (
            '<items>\n<item identifier="oai:x:9" datestamp="2024-99-01"><metadata prefix="m">'
            "<a/></metadata></item></items>",
            r"zz-bad.xml:2 \(item oai:x:9\): datestamp: ",
        ),
        (
            '<items><item identifier="oai:anl.az:000001" datestamp="2024-01-01"><metadata '
            'prefix="m"><a/></metadata></item></items>',
            "'oai:anl.az:000001' appears more than",
        ),
        (
            '<items><item identifier="oai:x:9" datestamp="2024-01-01" deleted="true">'
            '<metadata prefix="m"><a/></metadata></item></items>',
            "carries no metadata",
        ),
        ('<items><item identifier="oai:x:9" datestamp="2024-01-01"/></items>', "needs <metadata>"),
        (
            '<items><item identifier="oai:x:9" datestamp="2024-01-01" sets="a::b"><metadata '
            'prefix="m"><a/></metadata></item></items>',
            "'a::b' is not a valid setSpec",
        ),
        (
            '<items><item identifier="oai:x:9" datestamp="2024-01-01"><metadata>'
            "<a/></metadata></item></items>",
            "without a prefix",
        ),
        (
            '<items><item identifier="oai:x:9" datestamp="2024-01-01"><metadata prefix="m">'
            "<a/><b/></metadata></item></items>",
            "needs one element",
        ),
        ('<items><item identifier="" datestamp="2024-01-01"/></items>', "empty or has spaces"),
        ("<items><item identifier=", r"zz-bad.xml: not well-formed XML"),
    ],
)
def test_bad_records_are_named(tmp_path, records, problem):
    with pytest.raises(CollectionError, match=problem):
        Collection.from_directory(_dir_with(tmp_path, records))


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('granularity = "minutes"', r"repository.toml: granularity: 'minutes' is not"),
        ('deleted_record = "sometimes"', "deleted_record: 'sometimes' is not one of"),
        ('earliest_datestamp = "long ago"', "earliest_datestamp: 'long ago' is not"),
        ("colour = 1", "colour: unknown key"),
        ("admin_email = 5", "admin_email: must be a string"),
        ('[[sets]]\nspec = "a b"', r"sets\[0\].spec: 'a b' is not a valid setSpec"),
        ("granularity = ", "not valid TOML"),
    ],
)
def test_bad_repository_toml_is_named(tmp_path, toml, problem):
    with pytest.raises(CollectionError, match=problem):
        Collection.from_directory(_dir_with(tmp_path, "<items/>", toml))


def test_missing_parts_are_named(tmp_path):
    with pytest.raises(CollectionError, match=r"repository\.toml: cannot read"):
        Collection.from_directory(tmp_path)
    (tmp_path / "repository.toml").write_text("", encoding="utf-8")
    with pytest.raises(CollectionError, match="no records/ directory"):
        Collection.from_directory(tmp_path)


# -- paging, as a property ----------------------------------------------------------------

DAYS = [f"2024-01-0{d}T0{h}:00:00Z" for d in range(1, 4) for h in range(3)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stamps=st.lists(st.sampled_from(DAYS), min_size=1, max_size=25),
    deleted=st.sets(st.integers(0, 24)),
    page_size=st.integers(1, 6),
    bounds=st.tuples(st.sampled_from([None, *DAYS]), st.sampled_from([None, *DAYS])),
    set_spec=st.sampled_from([None, "a", "a:x"]),
)
def test_token_paging_lists_exactly_the_selection(stamps, deleted, page_size, bounds, set_spec):
    """Whatever the page size, ties in datestamps and bounds: each item once, in order."""
    from urllib.parse import urlencode

    from harvester.provider import make_app

    lo, hi = bounds
    with Collection() as c:
        for n, stamp in enumerate(stamps):
            spec = ["a:x"] if n % 2 else ["a:y"]
            if n in deleted:
                c.put(f"oai:t:{n}", {}, stamp, spec, deleted=True)
            else:
                c.put(f"oai:t:{n}", {"m": "<r xmlns='urn:r'/>"}, stamp, spec)
        app = make_app(c, page_size=page_size)
        args = {"verb": "ListIdentifiers", "metadataPrefix": "m"}
        args.update({k: v for k, v in (("from", lo), ("until", hi), ("set", set_spec)) if v})
        seen: list[str] = []
        while True:
            environ = {"QUERY_STRING": urlencode(args), "HTTP_HOST": "h"}
            doc = etree.fromstring(b"".join(app(environ, lambda *a: None)))
            seen += [e.text for e in doc.iterfind(".//o:header/o:identifier", NS)]
            token = doc.findtext(".//o:resumptionToken", namespaces=NS)
            if not token:
                break
            args = {"verb": "ListIdentifiers", "resumptionToken": token}
        expected = sorted(
            (stamp, f"oai:t:{n}")
            for n, stamp in enumerate(stamps)
            if (lo is None or stamp >= lo)
            and (hi is None or stamp <= hi)
            and (set_spec != "a:x" or n % 2)
        )
        if set(range(len(stamps))) <= deleted:  # no item has metadata in any format
            assert doc.find("o:error", NS).get("code") == "cannotDisseminateFormat"
        elif lo and hi and lo > hi:
            assert doc.find("o:error", NS).get("code") == "badArgument"
        else:
            assert seen == [ident for _, ident in expected]


@settings(max_examples=30, deadline=None)
@given(
    stamps=st.lists(st.sampled_from(DAYS), min_size=2, max_size=20),
    page_size=st.integers(1, 4),
    changes=st.lists(st.tuples(st.integers(0, 19), st.booleans()), max_size=4),
)
def test_changes_between_pages_skip_no_unchanged_item(stamps, page_size, changes):
    """Items put or deleted mid-list move behind the key; every other item is still listed."""
    from urllib.parse import urlencode

    from harvester.provider import make_app

    with Collection() as c:
        for n, stamp in enumerate(stamps):
            c.put(f"oai:t:{n}", {"m": "<r xmlns='urn:r'/>"}, stamp)
        app = make_app(c, page_size=page_size)
        args = {"verb": "ListIdentifiers", "metadataPrefix": "m"}
        seen: list[str] = []
        changed: set[str] = set()
        pending = list(changes)
        while True:
            environ = {"QUERY_STRING": urlencode(args), "HTTP_HOST": "h"}
            doc = etree.fromstring(b"".join(app(environ, lambda *a: None)))
            seen += [e.text for e in doc.iterfind(".//o:header/o:identifier", NS)]
            token = doc.findtext(".//o:resumptionToken", namespaces=NS)
            if not token:
                break
            if pending:
                n, delete = pending.pop()
                ident = f"oai:t:{n % len(stamps)}"
                changed.add(ident)
                if delete:
                    c.delete(ident)
                else:
                    c.put(ident, {"m": "<r xmlns='urn:r'>new</r>"})
            args = {"verb": "ListIdentifiers", "resumptionToken": token}
        unchanged = {f"oai:t:{n}" for n in range(len(stamps))} - changed
        assert unchanged <= set(seen)
        assert all(seen.count(i) == 1 for i in unchanged)
        assert changed <= set(seen)  # a changed item is listed again (or for the first time)
        size = doc.find(".//o:resumptionToken", NS)
        if size is not None:  # the last page's completeListSize counts what was listed
            assert int(size.get("completeListSize")) == len(seen)


def test_failed_bulk_load_leaves_a_working_collection():
    from harvester.provider.loader import Item

    def item(n: int) -> Item:
        return Item(
            f"oai:t:{n}",
            "2024-01-01T00:00:00Z",
            sets=("a:b",),
            metadata={"m": "<r xmlns='urn:r'/>"},
            namespaces={"m": "urn:r"},
        )

    with Collection() as c:
        assert c.load([item(1), item(2)], batch=1) == 2
        with Collection() as fresh:
            with pytest.raises(CollectionError, match="'oai:t:1' appears more than once"):
                fresh.load([item(1), item(2), item(1)], batch=2)
            assert fresh.count("m", "a", "", None) == 2  # the first batch stayed, indexed
            fresh.put("oai:t:3", {"m": "<r xmlns='urn:r'/>"}, sets=["a"])
            assert fresh.count("m", "a", "", None) == 3
        assert c.count("m", "a:b", "", None) == 2
        with c.connection() as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"items_by_date", "metadata_key"} <= names
