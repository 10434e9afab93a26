"""Persistence: SQLModel tables and the async queries the desk needs."""
