"""The seed's business KPIs, each defined once, with the seed's target beside it.

Lead KPIs are computed over a cohort (`storage.kpis.LeadFacts`: leads whose first contact is
in the period), so every lead counts once, in the period and prompt version it started with.
Each rate carries its n (the denominator) and a 95 % Wilson interval; averages a t interval.

| key | definition | seed target |
| --- | --- | --- |
| response_rate | leads who wrote again after Sílvia's first message / leads she answered | 25–35 % |
| qualification_rate | leads qualified (Serena's rules passed) / leads | ≥ 35 % |
| lead_to_meeting | leads with a meeting held (or a signed contract) / leads the sales team got | ≥ 45 % |
| conversion_rate | leads who signed / leads qualified (a signer counts as qualified) | ≥ 15 % |
| satisfaction | mean 1–5 rating of the leads who answered the survey (+ distribution) | ≥ 4.5 |
| time_to_first_reply | median ms Sílvia took to answer a lead's first message | < 500 ms |
| availability | health runs with every MCP server, database and Redis up / runs | > 99.5 % |
| error_rate | turns that failed to deliver or fell back to the generic error / turns | < 1 % |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from ops.stats import Interval, mean_interval, median_or_none, wilson
from storage.kpis import LeadFacts, TurnFacts

Direction = Literal["min", "max"]  # "min": the value must be at least the target


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str  # pt-BR, what the sales team reads
    target: float
    direction: Direction
    seed: str  # the seed's wording of the target
    unit: Literal["rate", "score", "ms"]


KPIS: tuple[Kpi, ...] = (
    Kpi("response_rate", "Taxa de resposta", 0.25, "min", "25-35%", "rate"),
    Kpi("qualification_rate", "Taxa de qualificação", 0.35, "min", "35%+", "rate"),
    Kpi("lead_to_meeting", "Lead → reunião", 0.45, "min", "45%+", "rate"),
    Kpi("conversion_rate", "Conversão", 0.15, "min", "15%+", "rate"),
    Kpi("satisfaction", "Satisfação do lead", 4.5, "min", "4.5/5", "score"),
    Kpi("time_to_first_reply", "Tempo até a 1ª resposta", 500.0, "max", "< 500ms", "ms"),
    Kpi("availability", "Disponibilidade", 0.995, "min", "> 99.5%", "rate"),
    Kpi("error_rate", "Taxa de erro", 0.01, "max", "< 1%", "rate"),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}
MEETING_OUTCOMES = frozenset({"meeting_held", "contract_signed"})


@dataclass
class KpiValue:
    key: str
    value: float | None  # None: nothing to measure yet (n = 0)
    n: int  # leads, ratings, turns or health runs behind the value
    successes: int | None = None  # for rates
    interval: Interval | None = None  # 95 %
    meets_target: bool | None = None  # None when there is no value
    distribution: dict[int, int] = field(default_factory=dict)  # satisfaction only: score → count

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["interval"] = list(self.interval) if self.interval else None
        kpi = BY_KEY[self.key]
        data |= {"label": kpi.label, "target": kpi.target, "direction": kpi.direction, "seed": kpi.seed}
        return data


def _judge(key: str, value: float | None) -> bool | None:
    if value is None:
        return None
    kpi = BY_KEY[key]
    return value >= kpi.target if kpi.direction == "min" else value < kpi.target


def rate(key: str, successes: int, n: int) -> KpiValue:
    value = successes / n if n else None
    return KpiValue(key, value, n, successes, wilson(successes, n), _judge(key, value))


def response_rate(leads: list[LeadFacts]) -> KpiValue:
    answered = [lead for lead in leads if lead.first_reply_ms is not None]
    return rate("response_rate", sum(lead.answered_first_reply for lead in answered), len(answered))


def qualification_rate(leads: list[LeadFacts]) -> KpiValue:
    return rate("qualification_rate", sum(lead.qualified for lead in leads), len(leads))


def lead_to_meeting(leads: list[LeadFacts]) -> KpiValue:
    with_sales = [lead for lead in leads if lead.handed_off or lead.outcomes]
    met = sum(bool(lead.outcomes & MEETING_OUTCOMES) for lead in with_sales)
    return rate("lead_to_meeting", met, len(with_sales))


def conversion_rate(leads: list[LeadFacts]) -> KpiValue:
    qualified = [lead for lead in leads if lead.qualified or "contract_signed" in lead.outcomes]
    return rate(
        "conversion_rate", sum("contract_signed" in lead.outcomes for lead in qualified), len(qualified)
    )


def satisfaction(leads: list[LeadFacts]) -> KpiValue:
    scores = [lead.rating for lead in leads if lead.rating is not None]
    value = sum(scores) / len(scores) if scores else None
    distribution = {score: scores.count(score) for score in range(1, 6)}
    interval = mean_interval([float(s) for s in scores])
    return KpiValue(
        "satisfaction", value, len(scores), None, interval, _judge("satisfaction", value), distribution
    )


def time_to_first_reply(leads: list[LeadFacts]) -> KpiValue:
    times = [float(lead.first_reply_ms) for lead in leads if lead.first_reply_ms is not None]
    value = median_or_none(times)
    return KpiValue(
        "time_to_first_reply", value, len(times), meets_target=_judge("time_to_first_reply", value)
    )


def availability(runs: list[tuple[datetime, bool]]) -> KpiValue:
    return rate("availability", sum(up for _, up in runs), len(runs))


def error_rate(turns: list[TurnFacts]) -> KpiValue:
    return rate("error_rate", sum(turn.failed for turn in turns), len(turns))


LEAD_KPIS: tuple[Callable[[list[LeadFacts]], KpiValue], ...] = (
    response_rate,
    qualification_rate,
    lead_to_meeting,
    conversion_rate,
    satisfaction,
    time_to_first_reply,
)


def compute(
    leads: list[LeadFacts], turns: list[TurnFacts] | None, runs: list[tuple[datetime, bool]] | None
) -> dict[str, KpiValue]:
    """Every KPI for one group; availability/error rate only when their facts are given."""
    values = {value.key: value for value in (fn(leads) for fn in LEAD_KPIS)}
    if runs is not None:
        values["availability"] = availability(runs)
    if turns is not None:
        values["error_rate"] = error_rate(turns)
    return values


T = TypeVar("T")


def grouped(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Items by key, keys in first-seen order."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
