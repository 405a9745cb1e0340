"""The catalog: schema, YAML with line numbers, the compiled store, keyword rules, digests, importer, arXiv, curation, bundle."""
