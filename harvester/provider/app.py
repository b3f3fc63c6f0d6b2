"""The provider's WSGI application: the six OAI-PMH 2.0 verbs over GET and POST.

``make_app(collection)`` answers at any path. Arguments are checked the way the standard
says (badVerb, badArgument, an exclusive resumptionToken); list verbs page with signed,
stateless resumption tokens (see ``tokens``) carrying completeListSize, cursor and
expirationDate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from harvester.provider import dates, tokens, xml
from harvester.provider.collection import Collection

StartResponse = Callable[..., Any]

# verb -> (required arguments, optional arguments, exclusive argument)
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}
MAX_BODY = 64 * 1024


class Problem(Exception):
    """An OAI-PMH error condition to answer with ``<error code=…>``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class OAIApp:
    """A WSGI OAI-PMH 2.0 repository over a ``Collection``."""

    def __init__(
        self,
        collection: Collection,
        page_size: int = 100,
        base_url: str | None = None,
        token_ttl: float = 3600.0,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.collection = collection
        self.page_size = page_size
        self.base_url = base_url
        self.token_ttl = token_ttl

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, POST")])
            return [b""]
        base_url = self.base_url or _request_url(environ)
        raw = environ.get("QUERY_STRING", "")
        if method == "POST":
            raw = _read_form(environ)
        args = parse_qs(raw, keep_blank_values=True)
        echo: dict[str, str] = {}
        try:
            verb, single = self._check(args)
            echo = {"verb": verb, **single}
            body = getattr(self, verb)(base_url, **single)
        except Problem as exc:
            body = xml.error(exc.code, exc.message)
            if exc.code in ("badVerb", "badArgument"):  # the standard: echo the URL only
                echo = {}
        payload = xml.envelope(base_url, echo, body).encode("utf-8")
        start_response(
            "200 OK",
            [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(payload)))],
        )
        return [b""] if method == "HEAD" else [payload]

    # -- argument checking ---------------------------------------------------------------

    @staticmethod
    def _check(args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
        """The verb and its single-valued arguments, or a badVerb/badArgument Problem."""
        verbs = args.pop("verb", [])
        if len(verbs) != 1:
            raise Problem(
                "badVerb",
                "the verb argument is missing" if not verbs else "the verb argument is repeated",
            )
        verb = verbs[0]
        if verb not in VERBS:
            raise Problem("badVerb", f"{verb!r} is not an OAI-PMH verb")
        required, optional, exclusive = VERBS[verb]
        allowed = {*required, *optional, *([exclusive] if exclusive else [])}
        for name, values in args.items():
            if name not in allowed:
                raise Problem("badArgument", f"{name!r} is not an argument of {verb}")
            if len(values) > 1:
                raise Problem("badArgument", f"the argument {name!r} is repeated")
            if values[0] == "":
                raise Problem("badArgument", f"the argument {name!r} is empty")
        single = {name: values[0] for name, values in args.items()}
        if exclusive and exclusive in single:
            if len(single) > 1:
                others = ", ".join(sorted(set(single) - {exclusive}))
                raise Problem("badArgument", f"{exclusive} is exclusive; also given: {others}")
            return verb, {"resumptionToken": single[exclusive]}
        missing = [name for name in required if name not in single]
        if missing:
            raise Problem("badArgument", f"{verb} needs {', '.join(missing)}")
        return verb, single

    # -- verbs ---------------------------------------------------------------------------

    def Identify(self, base_url: str) -> str:
        repo = self.collection.repository
        return xml.identify(
            repo.name,
            base_url,
            repo.admin_email,
            self.collection.earliest_datestamp(),
            repo.deleted_record,
            repo.granularity,
            repo.repository_identifier,
            self.collection.sample_identifier(),
        )

    def ListMetadataFormats(self, base_url: str, identifier: str | None = None) -> str:
        formats = self.collection.formats(identifier)
        if identifier is not None and not formats:
            if not self.collection.exists(identifier):
                raise Problem("idDoesNotExist", f"no item has the identifier {identifier!r}")
            raise Problem("noMetadataFormats", f"the item {identifier!r} has no metadata")
        if not formats:
            raise Problem("noMetadataFormats", "the repository holds no metadata")
        return xml.metadata_formats(formats)

    def ListSets(self, base_url: str, resumptionToken: str | None = None) -> str:
        if resumptionToken is not None:
            raise Problem("badResumptionToken", "ListSets is never split; no token is valid")
        specs = self.collection.sets()
        if not specs:
            raise Problem("noSetHierarchy", "this repository does not support sets")
        return xml.sets(specs)

    def GetRecord(self, base_url: str, identifier: str, metadataPrefix: str) -> str:
        self._check_prefix(metadataPrefix)
        row = self.collection.get(identifier, metadataPrefix)
        if row is None or (row[2] and self.collection.repository.deleted_record == "no"):
            raise Problem("idDoesNotExist", f"no item has the identifier {identifier!r}")
        if row[4] is None and not row[2]:
            raise Problem(
                "cannotDisseminateFormat",
                f"the item {identifier!r} is not available as {metadataPrefix!r}",
            )
        granularity = self.collection.repository.granularity
        return f"<GetRecord>\n{xml.record(row, granularity)}</GetRecord>\n"

    def ListIdentifiers(self, base_url: str, **args: str) -> str:
        return self._list("ListIdentifiers", args)

    def ListRecords(self, base_url: str, **args: str) -> str:
        return self._list("ListRecords", args)

    # -- lists ---------------------------------------------------------------------------

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in {p for p, _, _ in self.collection.formats()}:
            raise Problem("cannotDisseminateFormat", f"{prefix!r} is not offered here")

    def _start(self, verb: str, args: dict[str, str]) -> tokens.ListState:
        prefix = args["metadataPrefix"]
        self._check_prefix(prefix)
        set_spec = args.get("set")
        if set_spec is not None and not self.collection.sets():
            raise Problem("noSetHierarchy", "this repository does not support sets")
        try:
            lo, hi = dates.bounds(
                args.get("from"), args.get("until"), self.collection.repository.granularity
            )
        except dates.BadDate as exc:
            raise Problem("badArgument", str(exc)) from None
        return tokens.ListState(verb, prefix, set_spec, lo, hi)

    def _resume(self, verb: str, token: str) -> tokens.ListState:
        try:
            return tokens.decode(token, self.collection.secret, verb)
        except tokens.BadToken as exc:
            raise Problem("badResumptionToken", str(exc)) from None

    def _list(self, verb: str, args: dict[str, str]) -> str:
        token = args.get("resumptionToken")
        first = token is None
        state = self._start(verb, args) if token is None else self._resume(verb, token)
        c = self.collection
        version = c.version
        total = state.total
        if first or version != state.version:  # items changed: count what is left
            key = (state.after_ds, state.after_id)
            total = state.cursor + c.count(state.prefix, state.set_spec, state.lo, state.hi, key)
        rows = c.page(
            state.prefix,
            state.set_spec,
            state.lo,
            state.hi,
            (state.after_ds, state.after_id),
            self.page_size + 1,
            with_metadata=verb == "ListRecords",
        )
        if not rows:
            if first:
                raise Problem("noRecordsMatch", "no items match these arguments")
            end = xml.resumption_token("", total, state.cursor, None)
            return f"<{verb}>\n{end}</{verb}>\n"
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        granularity = c.repository.granularity
        if verb == "ListRecords":
            parts = [xml.record(row, granularity) for row in rows]
        else:
            parts = [xml.header(r[0], r[1], r[2], r[3], granularity) + "\n" for r in rows]
        if more:
            expires = time.time() + self.token_ttl
            nxt = state.advanced(
                (rows[-1][1], rows[-1][0]), len(rows), total, version, int(expires) + 1
            )
            parts.append(
                xml.resumption_token(
                    tokens.encode(nxt, c.secret), total, state.cursor, dates.from_epoch(expires)
                )
            )
        elif not first:
            parts.append(
                xml.resumption_token("", max(total, state.cursor + len(rows)), state.cursor, None)
            )
        return f"<{verb}>\n" + "".join(parts) + f"</{verb}>\n"


def make_app(
    collection: Collection,
    page_size: int = 100,
    base_url: str | None = None,
    token_ttl: float = 3600.0,
) -> OAIApp:
    """A WSGI OAI-PMH repository serving ``collection`` at any path."""
    return OAIApp(collection, page_size=page_size, base_url=base_url, token_ttl=token_ttl)


def _request_url(environ: dict[str, Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{scheme}://{host}{path or '/'}"


def _read_form(environ: dict[str, Any]) -> str:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
    except ValueError:
        length = 0
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return body.decode("utf-8", "replace")
