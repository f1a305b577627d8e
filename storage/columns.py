"""The lengths of the String columns, for the request schemas of the rooms above storage (they
may not import the table models): a field written to `leads.city` gets `max_length` 50 from here,
so a value the database cannot hold is a 422 naming the field, never a database error later
(tests/test_schema_lengths.py checks every request field against these and the migrated tables).
"""

from __future__ import annotations

from typing import Any

from storage.models import Base


def column_length(column: str) -> int:
    """The length of a String column named `table.column` (`"leads.city"` → 50)."""
    table, name = column.split(".")
    length = getattr(Base.metadata.tables[table].c[name].type, "length", None)
    if not length:
        raise ValueError(f"{column} is not a String column with a length")
    return int(length)


def stored_in(*columns: str) -> dict[str, Any]:
    """`pydantic.Field` arguments for a request field written to these columns: its max_length is
    the shortest of them, and the OpenAPI schema names them (`x-stored-in`)."""
    return {
        "max_length": min(column_length(c) for c in columns),
        "json_schema_extra": {"x-stored-in": list(columns)},
    }
