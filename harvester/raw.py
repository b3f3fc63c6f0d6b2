"""The values the harvester stores: a raw record as harvested, as stored (with its
``seq``), a list's checkpoint, and the counts of a stored page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawRecord:
    """One harvested record as the provider sent it (``xml`` is None for deletions)."""

    source: str
    identifier: str
    prefix: str
    datestamp: str
    set_specs: tuple[str, ...] = ()
    deleted: bool = False
    xml: str | None = None


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    record: RawRecord
    first_seen: float
    last_seen: float


@dataclass(frozen=True)
class Checkpoint:
    source: str
    set_spec: str
    prefix: str
    watermark: str | None = None
    token: str | None = None
    token_from: str | None = None
    token_until: str | None = None
    list_started: str | None = None  # provider time (responseDate) the list in progress began


@dataclass
class PageCounts:
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def add(self, other: PageCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
