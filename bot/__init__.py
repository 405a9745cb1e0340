"""paperbot: answers questions about research papers from a curated YAML catalog."""

__version__ = "0.1.0"
