"""The UI's gettext catalogues: compile ``.po`` → ``.mo`` and refresh them from the sources.

The ``.po`` files under ``search_ui/translations/<lang>/LC_MESSAGES/`` are the source of
truth and the only ones committed. The package build compiles them (``setup.py`` loads this
file by path, so it needs nothing but Babel); a checkout that was never built compiles them
on first start of the app (``ensure_compiled``), and again whenever a ``.po`` is newer.

This module imports nothing from Flask or the rest of Birlik on purpose.

Run ``python -m search_ui.catalogues update`` after changing a user-visible string: it
extracts the messages into ``messages.pot`` and merges them into every language's ``.po``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
DOMAIN = "messages"
KEYWORDS = ("_l",)  # lazy_gettext's alias, besides Babel's default keywords


def po_files(root: Path = TRANSLATIONS) -> list[Path]:
    return sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile one catalogue; fuzzy entries are left out, as gettext does."""
    with po.open("rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo)


def compile_all(src: Path = TRANSLATIONS, dest: Path | None = None, *, force: bool = False) -> int:
    """Compile every ``.po`` under ``src`` into ``dest`` (default: beside it); return how many.

    Without ``force`` a ``.mo`` newer than its ``.po`` is kept.
    """
    done = 0
    for po in po_files(src):
        mo = (dest or src) / po.relative_to(src).with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        compile_catalogue(po, mo)
        done += 1
    return done


def ensure_compiled() -> None:
    """Compile missing or stale catalogues in place (a source checkout that was never built)."""
    try:
        compile_all()
    except OSError as e:
        raise RuntimeError(
            f"cannot compile the UI translations in {TRANSLATIONS}: {e}; "
            "build the package (pip install .) so they are compiled at build time"
        ) from e


def update() -> None:
    """Extract the messages of the templates and code, then merge them into every ``.po``."""
    from babel.messages.frontend import CommandLineInterface

    pot = TRANSLATIONS / f"{DOMAIN}.pot"
    cli = CommandLineInterface()
    extract = ["pybabel", "extract", "-F", str(HERE / "babel.cfg"), "-o", str(pot)]
    for k in KEYWORDS:
        extract += ["-k", k]
    cli.run([*extract, "--no-location", "--sort-output", "--project", "Birlik", str(HERE)])
    cli.run(
        [
            "pybabel",
            "update",
            "-i",
            str(pot),
            "-d",
            str(TRANSLATIONS),
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ]
    )


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["update"]:
        update()
    elif sys.argv[1:] in ([], ["compile"]):
        print(f"compiled {compile_all(force=True)} catalogues")
    else:
        sys.exit("usage: python -m search_ui.catalogues [compile|update]")
