"""Birlik's error hierarchy, rooted here because the harvester is the lowest stage.

::

    BirlikError
    ├── ConfigError                 bad or missing configuration (exit code 2)
    ├── StoreError                  the state database cannot be opened or written
    └── HarvestError                a harvest failed (names source, request URL, reason)
        ├── TransportError          HTTP status, timeout, connection reset after all retries
        ├── NotOAIError             the body is not an OAI-PMH response (an HTML error page …)
        ├── BadXMLError             the body does not parse, even after stripping forbidden chars
        ├── ProtocolError           the provider broke the protocol (repeated token …)
        └── OAIError                the provider answered an OAI-PMH <error code="…">
            ├── BadArgument         badArgument
            ├── BadResumptionToken  badResumptionToken
            ├── BadVerb             badVerb
            ├── CannotDisseminateFormat
            ├── IdDoesNotExist
            ├── NoRecordsMatch      (a successful empty harvest, not a failure)
            ├── NoMetadataFormats
            ├── NoSetHierarchy
            └── UnknownOAIError     any code the standard does not define

The indexer adds ``NormaliseError`` and ``BackendError`` under ``BirlikError``
(``indexer/errors.py``).
"""

from __future__ import annotations


class BirlikError(Exception):
    """Base of every error Birlik raises on purpose."""


class ConfigError(BirlikError):
    """Configuration is wrong: names the file, the key and what is wrong."""

    def __init__(self, path: object, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


class StoreError(BirlikError):
    """The state database cannot be opened or written."""


class HarvestError(BirlikError):
    """A harvest failed. ``source`` and ``url`` say where, the message says what."""

    def __init__(self, message: str, *, source: str = "", url: str = "") -> None:
        self.source = source
        self.url = url
        self.reason = message
        parts = [p for p in (f"source {source!r}" if source else "", url) if p]
        prefix = " ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class TransportError(HarvestError):
    """HTTP error status, timeout or connection failure that outlived every retry."""


class NotOAIError(HarvestError):
    """The response body is not an OAI-PMH document."""


class BadXMLError(HarvestError):
    """The response body is not well-formed XML, even after cleaning."""


class ProtocolError(HarvestError):
    """The provider broke the OAI-PMH protocol (repeated resumption token, …)."""


class OAIError(HarvestError):
    """The provider answered with an OAI-PMH error element."""

    code = ""


class BadArgument(OAIError):
    code = "badArgument"


class BadResumptionToken(OAIError):
    code = "badResumptionToken"


class BadVerb(OAIError):
    code = "badVerb"


class CannotDisseminateFormat(OAIError):
    code = "cannotDisseminateFormat"


class IdDoesNotExist(OAIError):
    code = "idDoesNotExist"


class NoRecordsMatch(OAIError):
    code = "noRecordsMatch"


class NoMetadataFormats(OAIError):
    code = "noMetadataFormats"


class NoSetHierarchy(OAIError):
    code = "noSetHierarchy"


class UnknownOAIError(OAIError):
    code = ""


OAI_ERRORS: dict[str, type[OAIError]] = {
    cls.code: cls
    for cls in (
        BadArgument,
        BadResumptionToken,
        BadVerb,
        CannotDisseminateFormat,
        IdDoesNotExist,
        NoRecordsMatch,
        NoMetadataFormats,
        NoSetHierarchy,
    )
}


def oai_error(code: str, message: str, *, source: str = "", url: str = "") -> OAIError:
    """The exception instance for an OAI-PMH error ``code``."""
    cls = OAI_ERRORS.get(code, UnknownOAIError)
    text = f"OAI-PMH error {code}: {message}".rstrip(": ") if message else f"OAI-PMH error {code}"
    err = cls(text, source=source, url=url)
    err.code = code
    return err
