"""What language-model calls cost: a price table per model, in US dollars per million tokens.

Prices are OpenAI's list prices for the models Sílvia is configured with; a model that is not
in the table (a local OpenAI-compatible server) costs 0. Longest prefix wins, so dated
snapshots (`gpt-4o-mini-2024-07-18`) find their family.
"""

from __future__ import annotations

# model prefix -> (input, output) USD per 1M tokens
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_of(model: str) -> tuple[float, float]:
    matches = [prefix for prefix in PRICES_PER_MILLION if model.startswith(prefix)]
    return PRICES_PER_MILLION[max(matches, key=len)] if matches else (0.0, 0.0)


def cost_usd(model: str, tokens_in: int, tokens_out: int) -> float:
    price_in, price_out = price_of(model)
    return (tokens_in * price_in + tokens_out * price_out) / 1_000_000
