"""The OAI-PMH client: the only module that talks HTTP to a provider and imports sickle.

Why not sickle's iterators: they parse each response leniently (``recover=True``, so a
truncated page silently loses its tail), retry only 503 with integer Retry-After, open a
new connection per request and build a dict per record. The harvester needs page-level
control (store a page with the token that follows it) and strict parsing, so HTTP goes
through one ``requests.Session`` per client (kept-alive connections), each page is parsed
ONCE with lxml and every record element is kept as serialized XML. sickle's models still
read the small verbs (Identify, ListMetadataFormats, ListSets) from the parsed elements.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from lxml import etree
from sickle.models import MetadataFormat, Set

from harvester.errors import (
    BadXMLError,
    CannotDisseminateFormat,
    HarvestError,
    NoSetHierarchy,
    NotOAIError,
    TransportError,
    oai_error,
)
from harvester.retry import (
    CONNECTION,
    DEFAULT_BACKOFF,
    INCOMPLETE,
    INVALID,
    TIMEOUT,
    Backoff,
    decide,
)
from harvester.store import RawRecord
from harvester.windows import normalise_granularity

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_O = "{" + OAI_NS + "}"
_HEADER, _METADATA, _LIST_RECORDS = _O + "header", _O + "metadata", _O + "ListRecords"
_IDENTIFIER, _DATESTAMP, _SETSPEC = _O + "identifier", _O + "datestamp", _O + "setSpec"
USER_AGENT = "Birlik-harvester/0.1 (union catalogue; OAI-PMH)"

# Characters XML 1.0 forbids, as raw bytes (never part of a UTF-8 multibyte sequence) and
# as character references; U+FFFE/U+FFFF as their UTF-8 bytes.
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_FORBIDDEN_REFS = re.compile(
    rb"&#(?:x0*(?:[0-8bcef]|1[0-9a-f]|fff[ef])|0*(?:[0-8]|1[124-9]|2\d|3[01]|6553[45]));",
    re.IGNORECASE,
)


class Interrupted(Exception):
    """The stop event was set while the client was waiting."""


@dataclass(frozen=True)
class Identity:
    """What Identify says about a repository (read once per run)."""

    repository_name: str
    base_url: str
    protocol_version: str
    granularity: str  # windows.DAY or windows.SECONDS
    earliest_datestamp: str
    deleted_record: str  # no | transient | persistent


@dataclass
class Page:
    """One ListRecords response: its records and where the list goes next."""

    url: str
    records: list[RawRecord] = field(default_factory=list)
    token: str | None = None  # next resumption token; None when the list is complete
    complete_list_size: int | None = None
    cursor: int | None = None
    response_date: str | None = None
    skipped: list[str] = field(default_factory=list)  # malformed records, with the reason


@dataclass
class Response:
    """A parsed ListRecords response whose records are not read yet (``root`` is None for
    noRecordsMatch). Reading the token is cheap, so the next request can go out first."""

    root: etree._Element | None
    url: str
    prefix: str

    @property
    def token(self) -> str | None:
        return None if self.root is None else _token(self.root.find(_LIST_RECORDS))[0]


def strip_forbidden(body: bytes) -> bytes:
    """``body`` without the characters XML 1.0 forbids (raw or as character references)."""
    return _FORBIDDEN_REFS.sub(b"", _FORBIDDEN_BYTES.sub(b"", body))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class OAIClient:
    """Requests to one provider with politeness delay, retries and strict parsing."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        timeout: float = 60,
        max_retries: int = 5,
        delay: float = 0.0,
        backoff: Backoff = DEFAULT_BACKOFF,
        stop: threading.Event | None = None,
        session: requests.Session | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.source = source
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.delay = delay
        self.backoff = backoff
        self.stop = stop or threading.Event()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # Read proxy settings from the environment once, not on every request (requests
        # would look them up per request: a millisecond each, a second per 100k records).
        self.session.proxies.update(requests.utils.get_environ_proxies(base_url))
        self.session.trust_env = False
        self.rng = rng
        self.requests = 0  # HTTP requests sent, retries included
        self._last = 0.0
        self._parser = etree.XMLParser(resolve_entities=False, no_network=True)

    def close(self) -> None:
        self.session.close()

    # -- the verbs -----------------------------------------------------------------------

    def identify(self) -> Identity:
        root, _url = self.fetch({"verb": "Identify"})
        el = root.find(_O + "Identify")
        if el is None:
            raise NotOAIError(
                "Identify response has no <Identify> element", source=self.source, url=_url
            )

        def text(name: str) -> str:
            return (el.findtext(_O + name) or "").strip()

        return Identity(
            repository_name=text("repositoryName"),
            base_url=text("baseURL"),
            protocol_version=text("protocolVersion"),
            granularity=normalise_granularity(text("granularity")),
            earliest_datestamp=text("earliestDatestamp"),
            deleted_record=text("deletedRecord") or "no",
        )

    def metadata_prefixes(self) -> list[str]:
        root, _url = self.fetch({"verb": "ListMetadataFormats"})
        container = root.find(_O + "ListMetadataFormats")
        elements = [] if container is None else container.findall(_O + "metadataFormat")
        return [str(MetadataFormat(e).metadataPrefix).strip() for e in elements]

    def check_prefix(self, prefix: str) -> None:
        offered = self.metadata_prefixes()
        if prefix not in offered:
            raise CannotDisseminateFormat(
                f"metadataPrefix {prefix!r} is not offered (offered: {', '.join(offered)})",
                source=self.source,
                url=self.base_url,
            )

    def set_specs(self) -> list[str]:
        """Every setSpec the provider lists (following resumption tokens)."""
        specs: list[str] = []
        params = {"verb": "ListSets"}
        seen: set[str] = set()
        while True:
            root, _url = self.fetch(params)
            container = root.find(_O + "ListSets")
            if container is None:
                break
            specs += [str(Set(e).setSpec).strip() for e in container.findall(_O + "set")]
            token = (container.findtext(_O + "resumptionToken") or "").strip()
            if not token or token in seen:
                break
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}
        return specs

    def check_sets(self, sets: tuple[str, ...] | list[str]) -> None:
        try:
            offered = set(self.set_specs())
        except NoSetHierarchy as e:
            raise NoSetHierarchy(
                f"sets {', '.join(sets)} configured but the provider has no sets",
                source=self.source,
                url=e.url,
            ) from None
        missing = [s for s in sets if s not in offered]
        if missing:
            raise NoSetHierarchy(
                f"set(s) {', '.join(missing)} not offered by the provider",
                source=self.source,
                url=self.base_url,
            )

    def list_records(
        self,
        prefix: str,
        *,
        set_spec: str | None = None,
        from_: str | None = None,
        until: str | None = None,
    ) -> Page:
        """The first page of a list; ``noRecordsMatch`` is an empty, complete page."""
        return self.read(self.start_list(prefix, set_spec=set_spec, from_=from_, until=until))

    def resume(self, token: str, prefix: str) -> Page:
        return self.read(self.continue_list(token, prefix))

    def start_list(
        self,
        prefix: str,
        *,
        set_spec: str | None = None,
        from_: str | None = None,
        until: str | None = None,
    ) -> Response:
        """The first response of a list, parsed but with its records not yet read."""
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        if set_spec:
            params["set"] = set_spec
        if from_:
            params["from"] = from_
        if until:
            params["until"] = until
        return self._response(params, prefix)

    def continue_list(self, token: str, prefix: str) -> Response:
        return self._response({"verb": "ListRecords", "resumptionToken": token}, prefix)

    def read(self, response: Response) -> Page:
        """The records of a response (the harvester does this while the next one loads)."""
        if response.root is None:
            return Page(url=response.url)
        return parse_page(response.root, response.url, self.source, response.prefix)

    def _response(self, params: dict[str, str], prefix: str) -> Response:
        try:
            root, url = self.fetch(params)
        except HarvestError as e:
            if getattr(e, "code", "") == "noRecordsMatch":
                return Response(None, e.url, prefix)
            raise
        if root.find(_LIST_RECORDS) is None:
            raise NotOAIError("response has no <ListRecords> element", source=self.source, url=url)
        return Response(root, url, prefix)

    # -- transport -----------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Interrupted(f"source {self.source!r}: stopped")

    def fetch(self, params: dict[str, str]) -> tuple[etree._Element, str]:
        """GET with retries; the parsed OAI-PMH root element and the request URL.

        Raises ``TransportError``, ``NotOAIError``, ``BadXMLError`` after the last retry,
        or the ``OAIError`` subclass for an OAI-PMH error element (never retried)."""
        request = self.session.prepare_request(
            requests.Request("GET", self.base_url, params=params)
        )
        url = request.url or ""
        attempt = 0
        while True:
            attempt += 1
            self._sleep(self._last + self.delay - time.monotonic())
            status: int | None = None
            kind: str | None = None
            retry_after: str | None = None
            problem: HarvestError
            try:
                self.requests += 1
                resp = self.session.send(request, timeout=self.timeout)
                body = resp.content
                status = resp.status_code
                retry_after = resp.headers.get("Retry-After")
                if status == 200:
                    return self._parse(body, url), url
                problem = TransportError(
                    f"HTTP {status} {resp.reason}", source=self.source, url=url
                )
            except requests.Timeout as e:
                kind, problem = (
                    TIMEOUT,
                    TransportError(f"timed out: {e}", source=self.source, url=url),
                )
            except requests.exceptions.ChunkedEncodingError as e:
                kind, problem = (
                    INCOMPLETE,
                    TransportError(
                        f"response cut off mid-transfer: {e}", source=self.source, url=url
                    ),
                )
            except requests.ConnectionError as e:
                kind, problem = (
                    CONNECTION,
                    TransportError(f"connection failed: {e}", source=self.source, url=url),
                )
            except (NotOAIError, BadXMLError) as e:
                kind, problem = INVALID, e
            finally:
                self._last = time.monotonic()
            decision = decide(
                attempt,
                self.max_retries,
                status=None if kind else status,
                retry_after=retry_after,
                error=kind,
                jitter=self.rng(),
                now=datetime.now(UTC),
                backoff=self.backoff,
            )
            if not decision.retry:
                if attempt > 1:
                    problem.args = (f"{problem.args[0]} (after {attempt} attempts)",)
                raise problem
            self._sleep(decision.wait)

    def _parse(self, body: bytes, url: str) -> etree._Element:
        head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if not head.startswith(b"<"):
            raise NotOAIError(
                f"response is not XML (starts {body[:40]!r})", source=self.source, url=url
            )
        if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
            title = re.search(rb"<title>(.*?)</title>", body[:2048], re.I | re.S)
            what = title.group(1).decode("utf-8", "replace").strip() if title else "no title"
            raise NotOAIError(f"an HTML page, not OAI-PMH ({what})", source=self.source, url=url)
        try:
            root = etree.fromstring(body, self._parser)
        except etree.XMLSyntaxError:
            try:
                root = etree.fromstring(strip_forbidden(body), self._parser)
            except etree.XMLSyntaxError as e:
                raise BadXMLError(f"XML does not parse: {e}", source=self.source, url=url) from None
        if root.tag != _O + "OAI-PMH":
            raise NotOAIError(
                f"root element is {root.tag}, not OAI-PMH", source=self.source, url=url
            )
        error = root.find(_O + "error")
        if error is not None:
            raise oai_error(
                error.get("code", ""), (error.text or "").strip(), source=self.source, url=url
            )
        return root


def parse_page(root: etree._Element, url: str, source: str, prefix: str) -> Page:
    """The records, token and list size of a parsed ListRecords response."""
    page = Page(url=url, response_date=(root.findtext(_O + "responseDate") or "").strip() or None)
    container = root.find(_O + "ListRecords")
    if container is None:
        raise NotOAIError("response has no <ListRecords> element", source=source, url=url)
    for rec in container.iterchildren(_O + "record"):
        got = _record(rec, source, prefix)
        if isinstance(got, str):
            page.skipped.append(got)
        else:
            page.records.append(got)
    page.token, page.complete_list_size, page.cursor = _token(container)
    return page


def _token(container: etree._Element | None) -> tuple[str | None, int | None, int | None]:
    """The next resumption token (None when the list is complete, empty tokens included),
    completeListSize and cursor of a list response."""
    tok = None if container is None else container.find(_O + "resumptionToken")
    if tok is None:
        return None, None, None
    text = (tok.text or "").strip() or None
    return text, _int(tok.get("completeListSize")), _int(tok.get("cursor"))


def _record(rec: etree._Element, source: str, prefix: str) -> RawRecord | str:
    """One ``<record>`` as a RawRecord, or the reason it cannot be one.

    Walks the children once instead of ``find``-ing each (half the cost per record)."""
    header = metadata = None
    for child in rec:
        tag = child.tag
        if tag == _HEADER:
            header = child
        elif tag == _METADATA:
            metadata = child
    if header is None:
        return f"record without <header> at line {rec.sourceline}"
    identifier = datestamp = ""
    sets: list[str] = []
    for field_ in header:
        tag = field_.tag
        if tag == _IDENTIFIER:
            identifier = (field_.text or "").strip()
        elif tag == _DATESTAMP:
            datestamp = (field_.text or "").strip()
        elif tag == _SETSPEC:
            sets.append((field_.text or "").strip())
    if not identifier or not datestamp:
        return f"header without identifier or datestamp at line {header.sourceline}"
    if header.get("status") == "deleted":
        return RawRecord(source, identifier, prefix, datestamp, tuple(sets), deleted=True)
    payload = None
    if metadata is not None and len(metadata):
        payload = metadata[0]
        if not isinstance(payload.tag, str):  # a comment first: find the element
            payload = next((e for e in metadata if isinstance(e.tag, str)), None)
    if payload is None:
        return f"{identifier}: record without metadata"
    xml = etree.tostring(payload, encoding="unicode", with_tail=False)
    return RawRecord(source, identifier, prefix, datestamp, tuple(sets), deleted=False, xml=xml)
