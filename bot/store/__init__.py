"""Readers' state: the async store over SQLite or PostgreSQL, the plain values it keeps, and search analytics."""
