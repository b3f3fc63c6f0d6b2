"""OAI-PMH 2.0 response envelopes as string templates (fast: a page is concatenation).

Record metadata is stored pre-serialized, so a ListRecords page is a few string joins per
record; lxml is only used by the tests to check the structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from harvester.provider import dates

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
    f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
    "<responseDate>{date}</responseDate>\n<request{attrs}>{url}</request>\n"
)
_TAIL = "</OAI-PMH>\n"
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def text(value: str) -> str:
    """``value`` escaped for element content."""
    return value.translate(_TEXT)


def attr(value: str) -> str:
    """``value`` escaped for a double-quoted attribute."""
    return value.translate(_ATTR)


def envelope(base_url: str, request_args: Mapping[str, str], body: str) -> str:
    """A complete OAI-PMH response: responseDate, the request echo, then ``body``."""
    attrs = "".join(f' {k}="{attr(v)}"' for k, v in request_args.items())
    head = _HEAD.format(date=dates.now(), attrs=attrs, url=text(base_url))
    return head + body + _TAIL


def error(code: str, message: str) -> str:
    """An ``<error>`` element."""
    return f'<error code="{code}">{text(message)}</error>\n'


@lru_cache(maxsize=1024)
def _set_specs(sets: str) -> str:
    return "".join(f"<setSpec>{text(s)}</setSpec>" for s in sets.split())


def header(identifier: str, datestamp: str, deleted: int, sets: str, granularity: str) -> str:
    """A record ``<header>``; ``sets`` is the item's space-separated setSpecs."""
    status = ' status="deleted"' if deleted else ""
    specs = _set_specs(sets) if sets else ""
    return (
        f"<header{status}><identifier>{text(identifier)}</identifier>"
        f"<datestamp>{dates.show(datestamp, granularity)}</datestamp>{specs}</header>"
    )


def record(row: tuple[str, str, int, str, str | None], granularity: str) -> str:
    """A ``<record>``: header, and metadata unless the item is deleted."""
    identifier, datestamp, deleted, sets, xml = row
    head = header(identifier, datestamp, deleted, sets, granularity)
    if deleted or xml is None:
        return f"<record>{head}</record>\n"
    return f"<record>{head}<metadata>{xml}</metadata></record>\n"


def resumption_token(token: str, total: int, cursor: int, expires: str | None) -> str:
    """A ``<resumptionToken>``; an empty ``token`` marks the last page of a list."""
    exp = f' expirationDate="{expires}"' if expires and token else ""
    return (
        f'<resumptionToken completeListSize="{total}" cursor="{cursor}"{exp}>'
        f"{text(token)}</resumptionToken>\n"
    )


def identify(
    name: str,
    base_url: str,
    admin_email: str,
    earliest: str,
    deleted_record: str,
    granularity: str,
    repository_identifier: str | None,
    sample_identifier: str,
) -> str:
    """The ``<Identify>`` body, with an oai-identifier description when there is one."""
    parts = [
        "<Identify>\n",
        f"<repositoryName>{text(name)}</repositoryName>\n",
        f"<baseURL>{text(base_url)}</baseURL>\n",
        "<protocolVersion>2.0</protocolVersion>\n",
        f"<adminEmail>{text(admin_email)}</adminEmail>\n",
        f"<earliestDatestamp>{dates.show(earliest, granularity)}</earliestDatestamp>\n",
        f"<deletedRecord>{deleted_record}</deletedRecord>\n",
        f"<granularity>{dates.GRANULARITIES[granularity]}</granularity>\n",
    ]
    if repository_identifier:
        parts.append(
            f'<description><oai-identifier xmlns="{ID_NS}" '
            f'xsi:schemaLocation="{ID_NS} {ID_SCHEMA}">'
            f"<scheme>oai</scheme><repositoryIdentifier>{repository_identifier}"
            "</repositoryIdentifier><delimiter>:</delimiter>"
            f"<sampleIdentifier>{text(sample_identifier)}</sampleIdentifier>"
            "</oai-identifier></description>\n"
        )
    parts.append("</Identify>\n")
    return "".join(parts)


def metadata_formats(formats: Iterable[tuple[str, str, str]]) -> str:
    """The ``<ListMetadataFormats>`` body."""
    items = "".join(
        f"<metadataFormat><metadataPrefix>{text(p)}</metadataPrefix>"
        f"<schema>{text(s)}</schema><metadataNamespace>{text(ns)}</metadataNamespace>"
        "</metadataFormat>\n"
        for p, s, ns in formats
    )
    return f"<ListMetadataFormats>\n{items}</ListMetadataFormats>\n"


def sets(specs: Iterable[tuple[str, str]]) -> str:
    """The ``<ListSets>`` body."""
    items = "".join(
        f"<set><setSpec>{text(s)}</setSpec><setName>{text(n)}</setName></set>\n" for s, n in specs
    )
    return f"<ListSets>\n{items}</ListSets>\n"
