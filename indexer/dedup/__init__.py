"""Deduplication across libraries: blocking keys → scored pairs → clusters.

``features`` projects a Record onto what matching needs, ``match`` scores a pair (pure,
table-tested), ``cluster`` turns pairs and librarians' decisions into clusters with stable
ids, ``store`` keeps keys, pairs, clusters and decisions in the state database and
``update_clusters`` re-clusters only the neighbourhood of what changed.
"""
