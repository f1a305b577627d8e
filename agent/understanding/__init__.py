"""What the lead means: local intent rules and their word tables (the fast path), a
sentence-embedding matcher over the knowledge base, the reading of the whole message, and the
model's reading when both are unsure."""
