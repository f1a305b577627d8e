"""A small circuit breaker for the language model: after repeated failures, no-LLM mode for a while.

Closed → (N consecutive failures) → open for `cooldown_seconds` → half-open: one trial call;
success closes it, failure opens it again. Sílvia keeps answering from templates meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self, failures: int = 5, cooldown_seconds: float = 60.0, clock: Callable[[], float] = monotonic
    ) -> None:
        self.threshold = failures
        self.cooldown = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.cooldown else "open"

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def allow(self) -> bool:
        """May a call go to the model now? In half-open state only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> bool:
        """Returns True when this success closed an open breaker."""
        was_open = self._opened_at is not None
        self._failures, self._opened_at, self._trial_running = 0, None, False
        return was_open

    def record_failure(self) -> bool:
        """Returns True when this failure opened the breaker (the moment to raise an alert)."""
        self._failures += 1
        if self._trial_running:  # the half-open trial failed: another full cool-down
            self._trial_running = False
            self._opened_at = self._clock()
            return True
        if self._opened_at is None and self._failures >= self.threshold:
            self._opened_at = self._clock()
            return True
        return False
