"""The indexer's errors, under the shared ``BirlikError`` (see ``harvester/errors.py``).

::

    BirlikError
    ├── NormaliseError      a record cannot be normalised (step name + reason; quarantined)
    └── BackendError        the search backend failed
        ├── QueryError      the reader's query cannot be read (shown to the reader, 400)
        ├── UnsupportedError a feature this backend lacks
        └── EngineUnavailable the engine cannot be reached or its version does not match
"""

from __future__ import annotations

from harvester.errors import BirlikError


class NormaliseError(BirlikError):
    """A record could not be normalised; ``step`` names the failing step."""

    def __init__(self, reason: str, *, step: str = "", record_id: str = "") -> None:
        self.step = step
        self.reason = reason
        self.record_id = record_id
        where = " ".join(p for p in (record_id, f"step {step!r}" if step else "") if p)
        super().__init__(f"{where}: {reason}" if where else reason)


class BackendError(BirlikError):
    """The search backend failed."""


class QueryError(BackendError):
    """The query cannot be parsed; the message is fit to show to a reader."""


class UnsupportedError(BackendError):
    """The backend does not offer this feature."""


class EngineUnavailable(BackendError):
    """The search engine cannot be reached, or speaks an incompatible version."""


class StaleIndexError(BackendError):
    """The index was built by an older Birlik with another layout: it must be rebuilt
    (``birlik index`` does that by itself)."""
