"""A collection directory's ``repository.toml``: what Identify and ListSets say.

::

    repository_name = "Azerbaijan National Library"
    identifier_prefix = "oai:anl.az:"
    granularity = "seconds"            # or "day"
    earliest_datestamp = "2000-01-01T00:00:00Z"
    deleted_record = "persistent"      # or "transient", "no"
    admin_email = "oai@example.org"
    [[sets]]
    spec = "books"
    name = "Books"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import BirlikError
from harvester.provider import dates

DELETED_POLICIES = ("persistent", "transient", "no")
_REPO_ID_RE = re.compile(r"oai:([A-Za-z][A-Za-z0-9\-]*(\.[A-Za-z0-9\-]+)+):")
SET_SPEC_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


class CollectionError(BirlikError):
    """A collection directory or a record put into a collection is wrong (says where)."""


@dataclass(frozen=True)
class Repository:
    """The repository-level facts a provider announces."""

    name: str = "Birlik test repository"
    identifier_prefix: str = "oai:birlik.test:"
    granularity: str = dates.SECONDS
    earliest_datestamp: str | None = None
    deleted_record: str = "persistent"
    admin_email: str = "admin@birlik.invalid"
    sets: tuple[tuple[str, str], ...] = ()

    @property
    def repository_identifier(self) -> str | None:
        """The oai-identifier namespace part of ``identifier_prefix`` (``anl.az``), if any."""
        m = _REPO_ID_RE.fullmatch(self.identifier_prefix)
        return m.group(1) if m else None

    @classmethod
    def from_toml(cls, path: Path) -> Repository:
        """Read and validate ``path``; raises CollectionError naming the key."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CollectionError(f"{path}: cannot read: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise CollectionError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, where=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "repository") -> Repository:
        """Validate a parsed repository table; raises CollectionError naming the key."""

        def fail(key: str, problem: str) -> CollectionError:
            return CollectionError(f"{where}: {key}: {problem}")

        known = {
            "repository_name",
            "identifier_prefix",
            "granularity",
            "earliest_datestamp",
            "deleted_record",
            "admin_email",
            "sets",
        }
        for key in data:
            if key not in known:
                raise fail(key, f"unknown key (expected one of {', '.join(sorted(known))})")
        strings: dict[str, str] = {}
        for key in known - {"sets"}:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise fail(key, f"must be a string, not {type(value).__name__}")
            if value is not None:
                strings[key] = value
        granularity = strings.get("granularity", dates.SECONDS)
        if granularity not in dates.GRANULARITIES:
            raise fail("granularity", f"{granularity!r} is not 'seconds' or 'day'")
        deleted = strings.get("deleted_record", "persistent")
        if deleted not in DELETED_POLICIES:
            raise fail("deleted_record", f"{deleted!r} is not one of {DELETED_POLICIES}")
        earliest = strings.get("earliest_datestamp")
        if earliest is not None:
            try:
                earliest = dates.normalise(earliest)
            except dates.BadDate as exc:
                raise fail("earliest_datestamp", str(exc)) from None
        sets: list[tuple[str, str]] = []
        raw_sets = data.get("sets", [])
        if not isinstance(raw_sets, list):
            raise fail("sets", "must be an array of tables ([[sets]])")
        for n, entry in enumerate(raw_sets):
            spec = entry.get("spec") if isinstance(entry, dict) else None
            if not isinstance(spec, str) or not SET_SPEC_RE.fullmatch(spec):
                raise fail(f"sets[{n}].spec", f"{spec!r} is not a valid setSpec")
            name = entry.get("name", spec)
            if not isinstance(name, str):
                raise fail(f"sets[{n}].name", "must be a string")
            sets.append((spec, name))
        return cls(
            name=strings.get("repository_name", cls.name),
            identifier_prefix=strings.get("identifier_prefix", cls.identifier_prefix),
            granularity=granularity,
            earliest_datestamp=earliest,
            deleted_record=deleted,
            admin_email=strings.get("admin_email", cls.admin_email),
            sets=tuple(sets),
        )
