"""Normalisation as a sequence of small named steps over a context (traject's ``to_field``).

A mapping is a tuple of ``Step``s. Each step reads the parsed source (``ctx.source``) and
writes record fields into ``ctx.out``. ``run_steps`` runs them in order and builds the
``Record``; any exception inside a step becomes a ``NormaliseError`` naming that step and
the record, so a bad record is quarantined with a reason a person can act on, and the run
goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from harvester.store import RawRecord
from indexer.errors import NormaliseError
from indexer.record import Record, record_id


@dataclass(slots=True)
class Context:
    """What steps share: the raw record, its parsed form, and the fields mapped so far."""

    raw: RawRecord
    format: str
    source: Any = None  # the parsed record: MarcRecord, or a DC element list
    tags: Any = None  # a MarcRecord's fields by tag (MarcRecord.index()), for MARC steps
    out: dict[str, Any] = field(default_factory=dict)
    detected: list[str] = field(default_factory=list)

    @property
    def record_id(self) -> str:
        return record_id(self.raw.source, self.raw.identifier)

    def set(self, name: str, value: Any) -> None:
        """Set a record field unless ``value`` is empty (fields the source lacks stay empty)."""
        if value or (value == 0 and isinstance(value, int) and not isinstance(value, bool)):
            self.out[name] = tuple(value) if isinstance(value, list) else value


_REQUIRED = {"id", "source", "oai_id", "datestamp", "format"}
_FIELD_NAMES = {f.name for f in fields(Record)}

StepFn = Callable[[Context], None]


@dataclass(frozen=True)
class Step:
    name: str
    fn: StepFn


def step(name: str) -> Callable[[StepFn], Step]:
    """Decorator: ``@step("title")`` turns a function of the context into a named step."""

    def wrap(fn: StepFn) -> Step:
        return Step(name, fn)

    return wrap


def run_steps(ctx: Context, steps: Iterable[Step]) -> Record:
    """Run ``steps`` over ``ctx`` and build the record; failures name their step."""
    for s in steps:
        try:
            s.fn(ctx)
        except NormaliseError as e:
            raise NormaliseError(e.reason, step=e.step or s.name, record_id=ctx.record_id) from None
        except Exception as e:
            raise NormaliseError(
                f"{type(e).__name__}: {e}", step=s.name, record_id=ctx.record_id
            ) from e
    return build_record(ctx)


# Record is a frozen dataclass: its generated __init__ sets each of its ~40 fields through
# object.__setattr__, which costs more than some whole mapping steps. When the model has no
# __post_init__ to run, a record is made by filling its __dict__ directly (same result).
_DEFAULTS = {f.name: f.default for f in fields(Record) if f.default is not MISSING}
_FAST = not hasattr(Record, "__post_init__") and all(
    f.default is not MISSING or f.name in _REQUIRED for f in fields(Record)
)


def build_record(ctx: Context) -> Record:
    raw = ctx.raw
    if _FAST and _FIELD_NAMES.issuperset(ctx.out):
        rec = object.__new__(Record)
        d = rec.__dict__
        d.update(_DEFAULTS)
        d.update(ctx.out)
        d["id"] = ctx.record_id
        d["source"] = raw.source
        d["oai_id"] = raw.identifier
        d["datestamp"] = raw.datestamp
        d["format"] = ctx.format
        d["raw_xml"] = raw.xml or ""
        d["detected"] = tuple(ctx.detected)
        return rec
    try:
        return Record(
            id=ctx.record_id,
            source=raw.source,
            oai_id=raw.identifier,
            datestamp=raw.datestamp,
            format=ctx.format,
            raw_xml=raw.xml or "",
            detected=tuple(ctx.detected),
            **ctx.out,
        )
    except TypeError as e:  # a step wrote a field the model does not have
        raise NormaliseError(str(e), step="build_record", record_id=ctx.record_id) from e
