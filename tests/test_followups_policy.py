"""The follow-up policy on a controlled clock: passes, holidays, boundaries, kinds, cap, lost."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.policy.followups import (
    FollowupKind,
    LeadFacts,
    decide,
    is_decline,
    next_pass,
    pass_slots,
    window_open,
)
from agent.policy.hours import is_business_day, is_business_hours
from agent.state import Stage

TZ = "America/Recife"
RECIFE = ZoneInfo(TZ)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=RECIFE)


def lead(last: datetime, stage: Stage = Stage.PLANS_PRESENTED, **kw: object) -> LeadFacts:
    return LeadFacts(phone="+5581999990001", stage=stage, last_inbound_at=last, **kw)  # type: ignore[arg-type]


def test_passes_run_three_times_on_business_days_only() -> None:
    # 16–23 Nov 2026: Mon 16 … Fri 20 (Black Awareness Day, national), Sat 21, Sun 22, Mon 23.
    slots = list(pass_slots(date(2026, 11, 16), 8, TZ))
    days = sorted({s.date() for s in slots})
    assert days == [date(2026, 11, d) for d in (16, 17, 18, 19, 23)]
    assert [s.hour for s in slots[:3]] == [9, 14, 18] and len(slots) == 15
    assert not is_business_day(date(2026, 11, 20)) and not is_business_day(date(2026, 11, 21))
    assert not is_business_day(date(2026, 4, 3))  # Good Friday moves every year
    assert not is_business_day(date(2027, 3, 26)) and is_business_day(date(2026, 3, 27))


def test_next_pass_crosses_evenings_weekends_and_holidays() -> None:
    assert next_pass(at(17, 9, 0, 1), TZ) == at(17, 14)
    assert next_pass(at(17, 18, 30), TZ) == at(18, 9)
    assert next_pass(at(19, 18, 0, 1), TZ) == at(23, 9)  # Fri 20 holiday, then the weekend
    assert next_pass(at(24, 23, 0), TZ) == at(25, 9)


def test_due_only_after_more_than_two_hours_of_silence() -> None:
    now = at(24, 14)
    assert decide(lead(now - timedelta(hours=2)), now, TZ).action == "skip"
    due = decide(lead(now - timedelta(hours=2, seconds=1)), now, TZ)
    assert due.sends and due.kind == FollowupKind.GENTLE_NUDGE and due.channel == "text"


def test_the_24_hour_window_decides_template_or_free_form() -> None:
    now = at(24, 14)
    assert window_open(now - timedelta(hours=23, minutes=59, seconds=59), now)
    assert not window_open(now - timedelta(hours=24), now)
    assert decide(lead(now - timedelta(hours=23, minutes=59)), now, TZ).channel == "text"
    assert decide(lead(now - timedelta(hours=24)), now, TZ).channel == "template"


def test_document_reminder_comes_one_hour_after_the_bill_was_asked_for() -> None:
    now = at(24, 11)
    asked = Stage.DOCUMENT_REQUESTED
    assert decide(lead(now - timedelta(minutes=59), asked), now, TZ).action == "skip"
    due = decide(lead(now - timedelta(hours=1), asked), now, TZ)
    assert due.kind == FollowupKind.DOCUMENT_REMINDER
    # The sweep between passes sends bill reminders only.
    sweep = frozenset({FollowupKind.DOCUMENT_REMINDER})
    assert decide(lead(now - timedelta(hours=1), asked), now, TZ, only=sweep).sends
    assert not decide(lead(now - timedelta(hours=3)), now, TZ, only=sweep).sends


def test_kind_follows_stage_and_count_and_the_cap_leads_to_lost() -> None:
    last = at(23, 10)
    first = decide(lead(last), at(23, 14), TZ)
    second = decide(lead(last, followup_count=1, last_followup_at=at(23, 14)), at(24, 9), TZ)
    third = decide(lead(last, followup_count=2, last_followup_at=at(24, 9)), at(25, 9), TZ)
    assert [first.kind, second.kind, third.kind] == [
        FollowupKind.GENTLE_NUDGE,
        FollowupKind.VALUE_REINFORCEMENT,
        FollowupKind.LAST_CHANCE,
    ]
    assert third.channel == "template"  # 47 h after the lead's last message
    capped = lead(last, followup_count=3, last_followup_at=at(25, 9))
    assert decide(capped, at(25, 18), TZ).action == "skip"  # give the last one a day
    assert decide(capped, at(26, 9), TZ).action == "close"
    answered = lead(at(25, 10), followup_count=3, last_followup_at=at(25, 9))
    assert decide(answered, at(26, 14), TZ).action == "skip"  # they answered: not lost


@pytest.mark.parametrize(
    "stage", [Stage.OPTED_OUT, Stage.LOST, Stage.HANDED_OFF, Stage.REGISTERED, Stage.NOT_QUALIFIED]
)
def test_closed_stages_never_get_follow_ups(stage: Stage) -> None:
    now = at(24, 14)
    decision = decide(lead(now - timedelta(days=1), stage), now, TZ)
    assert decision.action == "skip" and stage.value in decision.reason


def test_hours_days_and_once_a_day() -> None:
    last = at(23, 8)
    assert decide(lead(last), at(24, 18, 0), TZ).sends  # the 18:00 pass
    assert "outside business hours" in decide(lead(last), at(24, 18, 1), TZ).reason
    assert "holiday" in decide(lead(last), at(20, 9), TZ).reason
    assert decide(lead(last), at(21, 9), TZ).reason == "weekend"
    today = lead(last, followup_count=1, last_followup_at=at(24, 9))
    assert decide(today, at(24, 14), TZ).reason == "already got a follow-up today"
    assert is_business_hours(at(24, 9), TZ) and not is_business_hours(at(20, 10), TZ)


@pytest.mark.parametrize(
    "text", ["tchau, não tenho interesse", "não quero", "tô fora", "dispenso", "já tenho placa solar"]
)
def test_a_clear_decline_is_not_a_bare_no(text: str) -> None:
    assert is_decline(text)


@pytest.mark.parametrize("text", ["não", "Não, obrigado", "agora não", "nao por enquanto", "n"])
def test_a_bare_no_answers_the_question_only(text: str) -> None:
    assert not is_decline(text)


def test_a_bare_no_gets_one_gentle_nudge_then_is_closed() -> None:
    said_no = at(24, 10)
    # Even after a nudge before the "não", the next one is gentle, never value or last chance.
    first = decide(lead(said_no, said_no=True, followup_count=1, last_followup_at=at(23, 14)), at(24, 14), TZ)
    assert first.sends and first.kind == FollowupKind.GENTLE_NUDGE
    nudged = lead(said_no, said_no=True, followup_count=2, last_followup_at=at(24, 14))
    assert decide(nudged, at(25, 9), TZ).action == "skip"  # one follow-up per "não"
    assert decide(nudged, at(25, 14), TZ).action == "close"  # 24 h of silence after it
    assert decide(nudged, at(25, 14), TZ, only=frozenset(FollowupKind)).action == "skip"
