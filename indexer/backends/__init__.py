"""Search backends behind one contract (``base.SearchBackend``)."""
