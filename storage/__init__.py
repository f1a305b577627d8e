"""Every SQL statement and stored byte: SQLAlchemy models, Alembic migrations, the repositories
the other rooms call, the webhook inbox, the reply cache, locks and the LangGraph checkpointers.
No other room imports SQLAlchemy (an import-linter contract in pyproject.toml)."""
