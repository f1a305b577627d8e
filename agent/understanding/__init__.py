"""What the lead means: local intent rules and their word tables, and the model's reading when
the rules are unsure."""
