"""The seed's alert criteria on synthetic measurements: each trips and clears; flapping is quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ops.alerts import AlertEngine, Notification, Snapshot, evaluate, status_of

T0 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # Tuesday 14:00 in Recife


def healthy(**changes: object) -> Snapshot:
    base = Snapshot(
        at=T0,
        mcp={"whatsapp": True, "serena": True},
        database=True,
        avg_response_ms=120.0,
        errors_1h=0,
        leads_1h=4,
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def run(engine: AlertEngine, snapshots: list[Snapshot]) -> list[Notification]:
    notes: list[Notification] = []
    for i, snapshot in enumerate(snapshots):
        notes += engine.update(evaluate(snapshot), T0 + timedelta(minutes=5 * i))
    return notes


# Each seed criterion (plus database, Redis and the model) with the snapshot that breaks it.
BROKEN = {
    "mcp_whatsapp": {"mcp": {"whatsapp": False, "serena": True}},
    "mcp_serena": {"mcp": {"whatsapp": True, "serena": False}},
    "database": {"database": False},
    "redis": {"redis": False},
    "model": {"model": False},
    "response_time": {"avg_response_ms": 2500.0},
    "errors": {"errors_1h": 11},
    "lead_flow": {"leads_1h": 0},
}


@pytest.mark.parametrize("check", sorted(BROKEN))
def test_each_criterion_trips_then_clears(check: str) -> None:
    engine = AlertEngine()
    fixed = {"redis": True, "model": True} if check in ("redis", "model") else {}
    broken = [healthy(**BROKEN[check]) for _ in range(3)]
    notes = run(engine, [healthy(**fixed), *broken])
    assert [n.kind for n in notes] == ["opened"]
    assert [f["name"] for f in notes[0].failing] == [check]
    assert notes[0].failing[0]["since"] == (T0 + timedelta(minutes=5)).isoformat(timespec="seconds")
    assert engine.status in ("degraded", "critical")

    recovery = run(engine, [healthy(**fixed), healthy(**fixed)])
    assert [n.kind for n in recovery] == ["recovered"]
    assert engine.status == "healthy" and engine.incident_id is None


def test_thresholds_are_the_seeds() -> None:
    assert all(r.ok for r in evaluate(healthy(avg_response_ms=2000.0, errors_1h=10)))
    failing = {r.name for r in evaluate(healthy(avg_response_ms=2000.1, errors_1h=11)) if not r.ok}
    assert failing == {"response_time", "errors"}


def test_no_leads_only_matters_in_business_hours() -> None:
    assert all(r.ok for r in evaluate(healthy(leads_1h=0, business_hours=False)))
    assert not next(r for r in evaluate(healthy(leads_1h=0)) if r.name == "lead_flow").ok


def test_unconfigured_redis_and_model_are_not_checked() -> None:
    names = {r.name for r in evaluate(healthy())}
    assert "redis" not in names and "model" not in names


def test_status_levels_follow_the_seed() -> None:
    assert status_of([]) == "healthy"
    assert status_of(["errors"]) == "degraded"
    assert status_of(["errors", "response_time"]) == "degraded"
    assert status_of(["errors", "response_time", "lead_flow"]) == "critical"
    assert status_of(["database"]) == "critical"  # nothing works without it


def test_a_flapping_check_opens_one_incident_and_no_storm() -> None:
    engine = AlertEngine()
    down, up = healthy(mcp={"whatsapp": True, "serena": False}), healthy()
    notes = run(engine, [down, up] * 12)  # two hours of flapping every five minutes
    assert [n.kind for n in notes] == ["opened"]
    assert run(engine, [up, up])[0].kind == "recovered"


def test_a_flapping_metric_never_pages() -> None:
    engine = AlertEngine()
    slow, fast = healthy(avg_response_ms=3000.0), healthy()
    assert run(engine, [slow, fast] * 12) == []
    assert engine.status == "healthy"


def test_escalation_to_critical_is_sent_once_within_the_incident() -> None:
    engine = AlertEngine()
    one = healthy(mcp={"whatsapp": True, "serena": False})
    three = healthy(mcp={"whatsapp": True, "serena": False}, errors_1h=50, avg_response_ms=5000.0)
    notes = run(engine, [one, three, three, three, one, three])
    assert [(n.kind, n.status) for n in notes] == [("opened", "degraded"), ("escalated", "critical")]
    assert len({n.incident_id for n in notes}) == 1


def test_state_survives_a_restart_without_realerting() -> None:
    engine = AlertEngine()
    run(engine, [healthy(database=False)])
    restored = AlertEngine.from_dict(engine.to_dict())
    assert restored.incident_id == engine.incident_id
    assert run(restored, [healthy(database=False)]) == []
    assert [n.kind for n in run(restored, [healthy(), healthy()])] == ["recovered"]
