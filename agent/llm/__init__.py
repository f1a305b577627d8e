"""The language model: the OpenAI-compatible client, its circuit breaker, the prompts and what
the model composes."""
