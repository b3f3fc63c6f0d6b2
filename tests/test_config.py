"""The config loader: valid files load; every kind of mistake is one message naming file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from birlik.cli import main
from harvester.config import LIBRARIAN_SETTINGS, SETTINGS, SOURCE_SETTINGS, load_config
from harvester.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
data_dir = "data"
[index]
backend = "sqlite"
[[sources]]
key = "anl"
url = "https://oai.example.org/oai"
metadata_prefix = "marc21"
[sources.name]
en = "Azerbaijan National Library"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "birlik.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_configs_load() -> None:
    for name in ("birlik.toml", "demo.toml"):
        cfg = load_config(ROOT / "config" / name)
        assert [s.key for s in cfg.sources] == ["anl", "nlrk"]
        for s in cfg.sources:
            assert set(s.name) == {"kk", "az", "ru", "en"}


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.data_dir == (tmp_path / "data").resolve()
    assert cfg.state_db == cfg.data_dir / "state.sqlite3"
    src = cfg.source("anl")
    assert (src.timeout, src.max_retries, src.delay, src.sets) == (60.0, 5, 0.0, ())
    assert src.display_name("kk") == "Azerbaijan National Library"
    assert cfg.ui.port == 5000 and cfg.index.name == "birlik"


def test_env_variable_points_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, GOOD)
    monkeypatch.setenv("BIRLIK_CONFIG", str(p))
    assert load_config().path == p


BAD = [
    ("", "", "file not found"),
    ("data_dir = ", "", "not valid TOML"),
    (
        GOOD.replace('backend = "sqlite"', 'backend = "solr"'),
        "index.backend",
        "must be one of sqlite, elasticsearch, opensearch, not 'solr'",
    ),
    (
        GOOD.replace('url = "https://oai.example.org/oai"', 'url = "ftp://x"'),
        "sources[0].url",
        "'ftp://x' is not an http(s) URL",
    ),
    (
        GOOD.replace('url = "https://oai.example.org/oai"\n', ""),
        "sources[0].url",
        "missing (required)",
    ),
    (
        GOOD.replace(
            'metadata_prefix = "marc21"', 'metadata_prefix = "marc21"\nschedule = "61 * * * *"'
        ),
        "sources[0].schedule",
        "bad cron expression '61 * * * *'",
    ),
    (
        GOOD.replace(
            'metadata_prefix = "marc21"', 'metadata_prefix = "marc21"\nschedule = "daily"'
        ),
        "sources[0].schedule",
        "cron expression 'daily' must have 5 fields",
    ),
    (GOOD + GOOD[GOOD.index("[[sources]]") :], "sources[1].key", "duplicate source key 'anl'"),
    (
        GOOD.replace('metadata_prefix = "marc21"', 'metadata_prefix = "marc21"\ntimeout = "60"'),
        "sources[0].timeout",
        "must be a number, not str",
    ),
    (
        GOOD.replace('metadata_prefix = "marc21"', 'metadata_prefix = "marc21"\nmax_retry = 3'),
        "sources[0].max_retry",
        "unknown setting",
    ),
    (
        GOOD.replace('key = "anl"', 'key = "ANL Baku"'),
        "sources[0].key",
        "'ANL Baku' must be lower-case letters",
    ),
    (GOOD.replace("en = ", "de = "), "sources[0].name", "unknown language 'de'"),
    (
        GOOD + '[[librarians]]\nname = "aygul"\npassword_hash = "secret"\n',
        "librarians[0].password_hash",
        "must be a password hash, not a password",
    ),
]


@pytest.mark.parametrize(("text", "key", "message"), BAD)
def test_bad_config_names_file_key_and_problem(
    tmp_path: Path, text: str, key: str, message: str
) -> None:
    path = tmp_path / "birlik.toml" if not text else write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.key == key
    assert str(err.value).startswith(f"{path}: {key + ': ' if key else ''}")
    assert message in str(err.value)


def test_bad_config_exits_2_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write(tmp_path, GOOD.replace('backend = "sqlite"', 'backend = "solr"'))
    assert main(["--config", str(p), "status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"birlik: configuration error: {p}: index.backend: must be one of sqlite, elasticsearch, "
        "opensearch, not 'solr'"
    ]


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)` \|", readme, flags=re.M))
    wanted = {s.key for s in SETTINGS}
    wanted |= {f"sources[].{s.key}" for s in SOURCE_SETTINGS}
    wanted |= {f"librarians[].{s.key}" for s in LIBRARIAN_SETTINGS}
    assert wanted <= documented, sorted(wanted - documented)
