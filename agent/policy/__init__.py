"""Business rules: savings, business hours, follow-ups, handoffs, privacy, the outbound channel,
the message guard and prompt versions."""
