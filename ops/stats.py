"""Small-sample statistics for the KPIs: how sure is a rate or an average over n leads?

A rate gets the Wilson score interval (well-behaved at 0 %, 100 % and small n, where the
textbook p ± 1.96·√(p(1−p)/n) collapses to a point); a mean gets Student's t interval.
Both at 95 %. Two versions are only called different when their intervals do not overlap —
conservative on purpose: a three-lead difference must not pick a winner.
"""

from __future__ import annotations

from math import sqrt
from statistics import mean, median, stdev

Z95 = 1.959964
# Two-sided 95 % Student t critical values by degrees of freedom (beyond 30 the normal's 1.96).
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
    18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060,
    26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip

Interval = tuple[float, float]


def wilson(successes: int, n: int, z: float = Z95) -> Interval | None:
    """95 % Wilson score interval of successes/n (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..{n}, got {successes}")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(values: list[float]) -> Interval | None:
    """95 % t interval of the mean (None below two values: one rating says nothing about spread)."""
    if len(values) < 2:
        return None
    t = _T95.get(len(values) - 1, Z95)
    centre, half = mean(values), t * stdev(values) / sqrt(len(values))
    return centre - half, centre + half


def median_or_none(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def overlaps(a: Interval | None, b: Interval | None) -> bool:
    """Unknown intervals overlap everything: no evidence of a difference."""
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]
