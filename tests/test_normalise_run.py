"""normalise_changed over a real state database: incremental, rebuild, deletions, quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.store import RawRecord, StateDB
from indexer import normalise_run
from indexer.normalise.iso2709 import iter_iso2709
from indexer.normalise.marc import MarcRecord
from indexer.normalise_run import normalise_changed
from indexer.state import (
    changed_record_ids,
    current_rev,
    get_record,
    iter_records,
    quarantine_counts,
    quarantined,
    record_counts,
)
from tests.support.normalise import realdata

GOOD = (
    "<record xmlns='http://www.loc.gov/MARC21/slim'><leader>00000nam a2200000 a 4500</leader>"
    "<datafield tag='245' ind1='0' ind2='0'><subfield code='a'>{title}</subfield></datafield>"
    "</record>"
)


def _raw(ident: str, xml: str | None, *, deleted: bool = False, stamp: str = "2024-01-01"):
    return RawRecord("anl", ident, "marc21", stamp, deleted=deleted, xml=xml)


def test_first_run_normalises_and_quarantines_without_stopping(state_db: StateDB) -> None:
    state_db.store_page(
        [
            _raw("1", GOOD.format(title="Абай жолы /")),
            _raw("2", "<record><leader>"),  # not well-formed
            _raw("3", GOOD.format(title="Qan men ter")),
            _raw("4", "<mods/>"),
        ]
    )
    s = normalise_changed(state_db, detect_language=False)
    assert (s.normalised, s.quarantined, s.deleted, s.seen) == (2, 2, 0, 4)
    assert s.last_seq == 4
    assert record_counts(state_db) == {"anl": 2}
    assert quarantine_counts(state_db) == {"anl": 2}
    q = {e.identifier: e for e in quarantined(state_db)}
    assert q["2"].step == "parse_xml" and "not well-formed" in q["2"].reason
    assert q["4"].step == "read_marcxml"
    rec = get_record(state_db, "anl:1")
    assert rec is not None and rec.title == "Абай жолы"
    assert [r.id for r in iter_records(state_db)] == ["anl:1", "anl:3"]


def test_incremental_update_delete_and_release(state_db: StateDB) -> None:
    state_db.store_page([_raw("1", GOOD.format(title="One")), _raw("2", "<bad")])
    normalise_changed(state_db, detect_language=False)
    rev = current_rev(state_db)
    assert normalise_changed(state_db).seen == 0  # nothing changed
    state_db.store_page(
        [
            _raw("1", None, deleted=True, stamp="2024-02-01"),
            _raw("2", GOOD.format(title="Two, fixed"), stamp="2024-02-01"),
        ]
    )
    s = normalise_changed(state_db, detect_language=False)
    assert (s.deleted, s.normalised, s.released, s.quarantined) == (1, 1, 1, 0)
    assert quarantined(state_db) == []
    changes = {c.id: c for c in changed_record_ids(state_db, rev)}
    assert changes["anl:1"].deleted and changes["anl:1"].record is None
    assert changes["anl:2"].record is not None
    assert changes["anl:2"].record.title == "Two, fixed"
    assert get_record(state_db, "anl:1") is None


def test_a_broken_update_keeps_the_previous_record(state_db: StateDB) -> None:
    state_db.store_page([_raw("1", GOOD.format(title="Kept"))])
    normalise_changed(state_db, detect_language=False)
    state_db.store_page([_raw("1", "<broken", stamp="2024-03-01")])
    s = normalise_changed(state_db, detect_language=False)
    assert s.quarantined == 1
    rec = get_record(state_db, "anl:1")
    assert rec is not None and rec.title == "Kept"


def test_rebuild_renormalises_everything_and_changes_nothing(state_db: StateDB) -> None:
    state_db.store_page([_raw(str(i), GOOD.format(title=f"T{i}")) for i in range(30)])
    first = normalise_changed(state_db, detect_language=False)
    assert first.normalised == 30
    rev = current_rev(state_db)
    again = normalise_changed(state_db, rebuild=True, detect_language=False)
    assert (again.seen, again.unchanged, again.normalised) == (30, 30, 0)
    assert current_rev(state_db) == rev


def test_real_rusmarc_file_with_a_broken_unimarc_tail(state_db: StateDB) -> None:
    pages = []
    for name in ("rusmarc_TEST1.ISO", "pymarc_testunimarc.dat"):
        for i, item in enumerate(iter_iso2709(realdata(name).read_bytes())):
            xml = item.to_marcxml() if isinstance(item, MarcRecord) else "<unreadable/>"
            pages.append(RawRecord("nlr", f"{name}#{i}", "unimarc", "2024-01-01", xml=xml))
    state_db.store_page(pages)
    seen: list[int] = []
    s = normalise_changed(state_db, detect_language=False, progress=seen.append)
    assert (s.normalised, s.quarantined) == (82, 1)
    assert seen[-1] == 83
    assert record_counts(state_db) == {"nlr": 82}


def test_progress_and_summary_line(state_db: StateDB) -> None:
    state_db.store_page([_raw("1", GOOD.format(title="x"))])
    s = normalise_changed(state_db, detect_language=False)
    assert "normalised 1, deleted 0, quarantined 0" in s.line()
    assert s.rate > 0


def test_marc_wins_over_oai_dc_for_the_same_item(state_db: StateDB) -> None:
    dc = (
        "<oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/'"
        " xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:title>Short</dc:title></oai_dc:dc>"
    )
    state_db.store_page(
        [
            _raw("1", GOOD.format(title="Full MARC title")),
            RawRecord("anl", "1", "oai_dc", "2024-01-01", xml=dc),
            RawRecord("anl", "2", "oai_dc", "2024-01-01", xml=dc),
        ]
    )
    normalise_changed(state_db, detect_language=False)
    one = get_record(state_db, "anl:1")
    two = get_record(state_db, "anl:2")
    assert one is not None and (one.format, one.title) == ("marc21", "Full MARC title")
    assert two is not None and two.format == "oai_dc"


def test_readers_before_the_first_run_see_nothing(state_db: StateDB) -> None:
    assert list(iter_records(state_db)) == []
    assert quarantined(state_db) == [] and quarantine_counts(state_db) == {}
    assert record_counts(state_db) == {} and current_rev(state_db) == 0
    assert get_record(state_db, "anl:1") is None
    assert list(changed_record_ids(state_db)) == []


def test_worker_processes_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large run normalised by worker processes writes exactly what one process writes."""
    monkeypatch.setattr(normalise_run, "POOL_MIN", 10)
    raws = [_raw(str(i), GOOD.format(title=f"Абай жолы {i} /")) for i in range(1200)]
    raws[7] = _raw("7", "<record><leader>")  # quarantined in either way
    raws[9] = _raw("9", None, deleted=True)
    results = {}
    for workers in (1, 2):
        with StateDB(tmp_path / f"w{workers}.sqlite3") as db:
            db.store_page(raws)
            s = normalise_changed(db, detect_language=False, workers=workers)
            assert (s.normalised, s.quarantined, s.unchanged) == (1198, 1, 1)
            rows = db.conn.execute("SELECT id, seq, rev, deleted, json FROM records ORDER BY id")
            results[workers] = [tuple(r) for r in rows]
            assert quarantine_counts(db) == {"anl": 1}
    assert results[1] == results[2]
