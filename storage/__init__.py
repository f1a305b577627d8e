"""Business data (SQLAlchemy + Alembic), the reply cache and the LangGraph checkpointer."""
