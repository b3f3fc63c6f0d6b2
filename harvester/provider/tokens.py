"""Opaque, stateless resumption tokens for the provider's list verbs.

A token carries the whole query (verb, metadataPrefix, set, from/until bounds), the key of
the last item sent (datestamp, identifier), the cursor, the completeListSize it reported,
the collection version it was counted at, and its expiry. Paging continues *after* that key
(keyset paging over the (datestamp, identifier) index), so items changed during a list move
behind it instead of shifting offsets: nothing unchanged is skipped. A changed collection
version only means the complete list size is counted again. Tokens are signed with the
collection's secret, so a garbled, forged or foreign token is refused as badResumptionToken.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass, replace


class BadToken(ValueError):
    """The token is unknown, garbled, expired or belongs to another list."""


@dataclass(frozen=True)
class ListState:
    """Where a list is: the query, the last key sent, and the bookkeeping for the token."""

    verb: str
    prefix: str
    set_spec: str | None
    lo: str
    hi: str | None
    after_ds: str = ""
    after_id: str = ""
    cursor: int = 0
    total: int = 0
    version: int = 0
    expires: int = 0

    def advanced(
        self, last: tuple[str, str], sent: int, total: int, version: int, expires: int
    ) -> ListState:
        """The state after a page of ``sent`` items ending at key ``last`` (datestamp, id)."""
        return replace(
            self,
            after_ds=last[0],
            after_id=last[1],
            cursor=self.cursor + sent,
            total=total,
            version=version,
            expires=expires,
        )


_FIELDS = tuple(ListState.__dataclass_fields__)


def _sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()[:20]


def encode(state: ListState, secret: bytes) -> str:
    """The token for ``state``: base64url(JSON) + '.' + signature."""
    body = json.dumps(list(asdict(state).values()), separators=(",", ":")).encode()
    b64 = base64.urlsafe_b64encode(body).rstrip(b"=")
    return b64.decode() + "." + _sign(secret, b64)


def decode(token: str, secret: bytes, verb: str, clock: float | None = None) -> ListState:
    """The state in ``token`` for a ``verb`` request; raises BadToken."""
    b64, _, sig = token.partition(".")
    raw = b64.encode("ascii", "replace")
    if not sig or not hmac.compare_digest(sig, _sign(secret, raw)):
        raise BadToken("the resumptionToken is not one this repository issued")
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
        state = ListState(**dict(zip(_FIELDS, values, strict=True)))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadToken(f"the resumptionToken is garbled ({exc})") from None
    if state.verb != verb:
        raise BadToken(f"the resumptionToken belongs to a {state.verb} list, not {verb}")
    if state.expires and (time.time() if clock is None else clock) > state.expires:
        raise BadToken("the resumptionToken has expired; start the list again")
    return state
