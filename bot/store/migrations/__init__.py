"""Alembic migrations for the bot's tables (SQLite and PostgreSQL)."""
