"""Stage 1: OAI-PMH harvesting into the raw record store (the state database)."""
