"""`birlik demo` (not implemented yet)."""

from __future__ import annotations

import argparse

from harvester.errors import BirlikError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise BirlikError("'birlik demo' is not implemented yet")
