"""Build hook: compile the UI's gettext catalogues (``.po`` → ``.mo``) into the package.

Everything else about packaging is in pyproject.toml. The ``.mo`` files are not committed;
this hook writes them into the build directory, or beside the ``.po`` files for an
editable install. ``search_ui/catalogues.py`` is loaded by path: it needs only Babel
(a build requirement), not the package's own dependencies.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _catalogues():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "_birlik_catalogues", HERE / "search_ui" / "catalogues.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogues(build_py):
    """``build_py`` that also compiles the translations."""

    def run(self) -> None:
        super().run()
        cat = _catalogues()
        if getattr(self, "editable_mode", False):
            cat.compile_all(cat.TRANSLATIONS, force=True)
        else:
            dest = Path(self.build_lib) / "search_ui" / "translations"
            cat.compile_all(cat.TRANSLATIONS, dest, force=True)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
