"""Sticky A/B assignment of prompt versions to leads.

A new lead gets a version drawn from the weights in settings (SILVIA_PROMPT_WEIGHTS) by a hash
of their phone number: the same lead always lands in the same version, across restarts and
workers, without storing anything beyond `prompt_version` in the conversation state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def bucket(phone: str) -> float:
    """A stable number in [0, 1) for this phone."""
    digest = hashlib.sha256(f"silvia-ab:{phone}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_version(phone: str, weights: Mapping[str, float], default: str) -> str:
    total = sum(w for w in weights.values() if w > 0)
    if total <= 0:
        return default
    point, running = bucket(phone) * total, 0.0
    for version, weight in sorted(weights.items()):
        if weight <= 0:
            continue
        running += weight
        if point < running:
            return version
    return default


def check_weights(weights: Mapping[str, float], known: list[str]) -> dict[str, float]:
    """Weights naming a version no template has would silently fall back: refuse them at start."""
    unknown = sorted(set(weights) - set(known))
    if unknown:
        raise ValueError(f"SILVIA_PROMPT_WEIGHTS names unknown prompt versions {unknown}; known: {known}")
    return dict(weights)
