"""The ``birlik`` command: ``birlik [--config PATH] VERB …``.

Exit codes: 0 success, 1 the work failed, 2 bad usage or bad configuration.
Each verb lives in ``birlik/commands/<verb>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``; configuration is loaded by the verb (``args.config`` holds the path)
so that ``demo`` can build its own.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from harvester.errors import BirlikError, ConfigError

VERBS: dict[str, str] = {
    "demo": "Run the bundled demo: two local providers, harvest, index, serve the UI.",
    "harvest": "Harvest sources over OAI-PMH into the raw store.",
    "index": "Normalise what changed, deduplicate, write the search index.",
    "serve": "Serve the web UI and JSON API.",
    "run": "Run the scheduler (harvest + index on each source's cron) and serve the UI.",
    "status": "Show per-source records, deletions and the last run.",
    "duplicates": "List duplicate clusters with their members and reasons.",
    "gaps": "List works one library holds and another lacks.",
    "user": "Manage librarian accounts in the config file.",
}

log = logging.getLogger("birlik")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="birlik", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $BIRLIK_CONFIG or config/birlik.toml)",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, help_text in VERBS.items():
        p = sub.add_parser(verb, help=help_text, description=help_text)
        _module(verb).add_arguments(p)
    return parser


def _module(verb: str) -> ModuleType:
    return importlib.import_module(f"birlik.commands.{verb}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(_module(args.verb).run(args) or 0)
    except ConfigError as e:
        print(f"birlik: configuration error: {e}", file=sys.stderr)
        return 2
    except BirlikError as e:
        log.error("%s", e)
        print(f"birlik: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("birlik: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
