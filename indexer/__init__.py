"""Stage 2: normalisation, text keys, deduplication and search backends."""
