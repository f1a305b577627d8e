"""Alembic environment for the business database (a package so it ships in the wheel)."""
