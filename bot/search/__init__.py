"""Search: BM25 over weighted fields, ranking with a verdict, and the index persisted beside the catalog."""
