"""Normalisers: oai_dc, MARC21 (MARCXML, ISO 2709), UNIMARC/RUSMARC → ``Record``."""
