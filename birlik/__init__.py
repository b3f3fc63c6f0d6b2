"""Birlik's composition root: the ``birlik`` command wires harvester → indexer → search_ui."""

__all__ = ["__version__"]
__version__ = "0.1.0"
