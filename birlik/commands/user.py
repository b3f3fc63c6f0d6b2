"""`birlik user add|remove|list`: librarian accounts in the config file.

``add NAME`` asks for the password twice on a terminal, or reads one line from standard
input otherwise (for scripts: ``printf '%s\\n' "$PW" | birlik user add NAME``), and writes a
``[[librarians]]`` entry with a werkzeug password hash. The file is edited with tomlkit, so
its comments and layout stay as they were; the result is validated before it replaces the
file, so a mistake never leaves a broken config behind.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import tempfile
import tomllib
from pathlib import Path

import tomlkit
from tomlkit.items import AoT
from werkzeug.security import generate_password_hash

from harvester.config import config_path, load_config, parse_config
from harvester.errors import BirlikError, ConfigError

MIN_PASSWORD = 8
_NAME_RE = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a librarian (asks for the password)")
    add.add_argument("name", metavar="NAME", help="login name")
    add.add_argument(
        "--replace", action="store_true", help="set a new password for an existing librarian"
    )
    rm = sub.add_parser("remove", help="remove a librarian")
    rm.add_argument("name", metavar="NAME")
    sub.add_parser("list", help="list the librarians' names")


def run(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    if args.action == "list":
        for lib in load_config(path).librarians:
            print(lib.name)
        return 0
    if args.action == "remove":
        remove_librarian(path, args.name)
        print(f"birlik: removed librarian {args.name!r} from {path}", file=sys.stderr)
        return 0
    check_name(path, args.name)
    password = read_password()
    replaced = add_librarian(path, args.name, password, replace=args.replace)
    verb = "changed the password of" if replaced else "added"
    print(f"birlik: {verb} librarian {args.name!r} in {path}", file=sys.stderr)
    return 0


def check_name(path: Path, name: str) -> None:
    if not _NAME_RE.match(name):
        raise ConfigError(path, "librarians.name", f"{name!r}: use 1-64 characters, no spaces")


def read_password() -> str:
    """Twice from the terminal, or one line from standard input when it is not a terminal."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise BirlikError("the two passwords differ; nothing was written")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise BirlikError(
            f"the password must have at least {MIN_PASSWORD} characters; nothing was written"
        )
    return password


def _read(path: Path) -> tomlkit.TOMLDocument:
    load_config(path)  # a broken file is reported as it is, before any change
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def add_librarian(path: Path, name: str, password: str, *, replace: bool = False) -> bool:
    """Write (or with ``replace`` update) ``name``'s hash; True when an entry was replaced."""
    check_name(path, name)
    doc = _read(path)
    pw_hash = generate_password_hash(password)
    libs = doc.get("librarians")
    if libs is None:
        libs = tomlkit.aot()
        doc.append("librarians", libs)
    if not isinstance(libs, AoT):
        raise ConfigError(path, "librarians", "must be an array of tables ([[librarians]])")
    for entry in libs:
        if entry.get("name") == name:
            if not replace:
                raise BirlikError(
                    f"librarian {name!r} already exists in {path};"
                    " use `birlik user add --replace NAME` to set a new password"
                )
            entry["password_hash"] = pw_hash
            _write(path, doc)
            return True
    table = tomlkit.table()
    table.add("name", name)
    table.add("password_hash", pw_hash)
    libs.append(table)
    _write(path, doc)
    return False


def remove_librarian(path: Path, name: str) -> None:
    doc = _read(path)
    libs = doc.get("librarians")
    if not isinstance(libs, AoT) or not any(e.get("name") == name for e in libs):
        raise BirlikError(f"no librarian {name!r} in {path}")
    for i in reversed(range(len(libs))):
        if libs[i].get("name") == name:
            del libs[i]
    if not len(libs):
        del doc["librarians"]
    _write(path, doc)


def _write(path: Path, doc: tomlkit.TOMLDocument) -> None:
    """Validate, then replace the file atomically, keeping its permissions."""
    text = tomlkit.dumps(doc)
    parse_config(tomllib.loads(text), path)
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
