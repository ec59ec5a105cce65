"""Alembic's environment and revisions for the store (run by `pdbot db upgrade`)."""
