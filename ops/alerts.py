"""Alert rules: the seed's health criteria, a status per run, and incidents with hysteresis.

`evaluate(snapshot)` turns one set of measurements into pass/fail per check (pure, so the
rules are tested on synthetic numbers). `AlertEngine.update` remembers each check across runs:
a check *fires* after `trip_after` failures in a row and *clears* only after `clear_after`
passes in a row, so a flapping check keeps one incident open instead of alerting every five
minutes. One incident = one "opened" message, at most one "escalated" (to critical), and one
"recovered" when every check has cleared.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["healthy", "degraded", "critical"]
RANK: dict[str, int] = {"healthy": 0, "degraded": 1, "critical": 2}

# The seed's thresholds (Workflow 6).
MAX_AVG_RESPONSE_MS = 2000
MAX_ERRORS_PER_HOUR = 10
# Availability checks fire at the first failure (the MCP client already retries); measured
# ones need two runs in a row, so one slow burst does not page anyone.
TRIP_AFTER = {"response_time": 2, "errors": 2, "lead_flow": 2}
DEFAULT_TRIP_AFTER = 1
CLEAR_AFTER = 2
# Without these nothing works, whatever else is fine.
VITAL = frozenset({"database", "mcp_whatsapp"})


@dataclass
class Snapshot:
    """One run's measurements. None = not configured (the check is skipped)."""

    at: datetime
    mcp: dict[str, bool] = field(default_factory=dict)
    mcp_errors: dict[str, str] = field(default_factory=dict)
    database: bool = True
    redis: bool | None = None
    model: bool | None = None
    avg_response_ms: float | None = None
    errors_1h: int = 0
    leads_1h: int = 0
    business_hours: bool = True
    inbox_parked: int | None = None  # messages the worker gave up on: a person must answer them


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


def evaluate(s: Snapshot) -> list[CheckResult]:
    """The seed's criteria plus database, Redis and the model, as named checks."""
    results = [
        CheckResult(f"mcp_{name}", up, f"MCP {name} " + ("ok" if up else "indisponível"))
        for name, up in sorted(s.mcp.items())
    ]
    results.append(
        CheckResult("database", s.database, "Banco de dados " + ("ok" if s.database else "inacessível"))
    )
    if s.redis is not None:
        results.append(CheckResult("redis", s.redis, "Redis " + ("ok" if s.redis else "inacessível")))
    if s.model is not None:
        results.append(
            CheckResult("model", s.model, "Modelo de linguagem " + ("ok" if s.model else "sem resposta"))
        )
    if s.inbox_parked is not None:
        results.append(
            CheckResult(
                "inbox_parked",
                s.inbox_parked == 0,
                f"Mensagens paradas na fila: {s.inbox_parked} (silvia inbox list)",
            )
        )
    avg = s.avg_response_ms
    slow = avg is not None and avg > MAX_AVG_RESPONSE_MS
    results.append(
        CheckResult(
            "response_time",
            not slow,
            f"Tempo médio de resposta: {avg or 0:.0f} ms (limite {MAX_AVG_RESPONSE_MS})",
        )
    )
    results.append(
        CheckResult(
            "errors",
            s.errors_1h <= MAX_ERRORS_PER_HOUR,
            f"Erros na última hora: {s.errors_1h} (limite {MAX_ERRORS_PER_HOUR})",
        )
    )
    quiet = s.business_hours and s.leads_1h == 0
    results.append(
        CheckResult(
            "lead_flow",
            not quiet,
            f"Leads na última hora: {s.leads_1h}" + (" em horário comercial" if quiet else ""),
        )
    )
    return results


def status_of(failing: list[str]) -> Status:
    """Seed: no issue = healthy, up to two = degraded, more = critical; vital checks are critical."""
    if not failing:
        return "healthy"
    if len(failing) > 2 or VITAL.intersection(failing):
        return "critical"
    return "degraded"


@dataclass
class CheckState:
    fails: int = 0
    passes: int = 0
    firing: bool = False
    since: str | None = None  # ISO time of the first failure of the current streak/incident
    detail: str = ""


@dataclass
class Notification:
    kind: Literal["opened", "escalated", "recovered"]
    status: Status
    incident_id: str
    opened_at: str
    failing: list[dict[str, str]]  # {name, detail, since}
    at: str


@dataclass
class AlertEngine:
    checks: dict[str, CheckState] = field(default_factory=dict)
    status: Status = "healthy"
    incident_id: str | None = None
    incident_opened_at: str | None = None
    notified_status: Status = "healthy"
    last_run: str | None = None

    def update(self, results: list[CheckResult], at: datetime) -> list[Notification]:
        """Fold one run into the state; return the messages to send (usually none)."""
        now = at.isoformat(timespec="seconds")
        for result in results:
            self._step(self.checks.setdefault(result.name, CheckState()), result, now)
        self.status = status_of(self.firing())
        self.last_run = now
        return self._incident_changes(now)

    def firing(self) -> list[str]:
        return sorted(name for name, c in self.checks.items() if c.firing)

    @staticmethod
    def _step(state: CheckState, result: CheckResult, now: str) -> None:
        state.detail = result.detail
        if not result.ok:
            state.fails, state.passes = state.fails + 1, 0
            state.since = state.since or now
            if state.fails >= TRIP_AFTER.get(result.name, DEFAULT_TRIP_AFTER):
                state.firing = True
            return
        state.passes, state.fails = state.passes + 1, 0
        if state.firing and state.passes >= CLEAR_AFTER:
            state.firing = False
        if not state.firing:
            state.since = None

    def _incident_changes(self, now: str) -> list[Notification]:
        if self.incident_id is None and self.status != "healthy":
            self.incident_id, self.incident_opened_at = uuid.uuid4().hex[:8], now
            self.notified_status = self.status
            return [self._note("opened", now)]
        if self.incident_id is not None and self.status == "healthy":
            note = self._note("recovered", now)
            self.incident_id = self.incident_opened_at = None
            self.notified_status = "healthy"
            return [note]
        if self.incident_id is not None and RANK[self.status] > RANK[self.notified_status]:
            self.notified_status = self.status
            return [self._note("escalated", now)]
        return []

    def _note(self, kind: Literal["opened", "escalated", "recovered"], now: str) -> Notification:
        failing = [
            {"name": name, "detail": self.checks[name].detail, "since": self.checks[name].since or now}
            for name in self.firing()
        ]
        return Notification(
            kind, self.status, self.incident_id or "", self.incident_opened_at or now, failing, now
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlertEngine:
        engine = cls(**{k: v for k, v in data.items() if k != "checks"})
        engine.checks = {k: CheckState(**v) for k, v in (data.get("checks") or {}).items()}
        return engine
