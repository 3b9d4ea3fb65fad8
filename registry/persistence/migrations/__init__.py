"""Alembic's scripts for the store's schema: the one way its tables are made and changed."""
