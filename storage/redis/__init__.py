"""Redis backends: the LangGraph checkpointer, its upkeep and Lua scripts, and the reply cache."""
