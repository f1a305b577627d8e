"""Follow-ups through the real graph (embedded Sílvia, sandbox WhatsApp) on a controlled clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.inbound import Inbound
from agent.policy.outbound import plan_outbound
from agent.state import Stage
from api.followups import FollowupRunner
from storage.followups import FollowupStore
from storage.locks import InProcessDeduplicator, InProcessLeadLocks
from tests.conftest import MARIA
from wiring import Silvia

TZ = "America/Recife"
RECIFE = ZoneInfo(TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=RECIFE)


def runner(silvia: Silvia) -> FollowupRunner:
    store = FollowupStore(silvia.sessions)
    return FollowupRunner(silvia, store, InProcessDeduplicator(), InProcessLeadLocks(), TZ)


async def reach_plans(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    assert (await silvia.say(MARIA.phone, "sim")).stage == Stage.PLANS_PRESENTED


async def pass_at(silvia: Silvia, clock: list[datetime], moment: datetime) -> list[str]:
    clock[0] = moment
    report = await runner(silvia).run_pass(moment)
    return [f"{o.action}:{o.kind}" for o in report.outcomes]


async def test_three_follow_ups_then_lost_free_form_then_template(silvia: Silvia, clock) -> None:
    clock[0] = at(24, 14)  # Tuesday
    await reach_plans(silvia)
    assert await pass_at(silvia, clock, at(24, 14)) == []  # just talked: not even a candidate
    assert await pass_at(silvia, clock, at(24, 18)) == ["sent:gentle_nudge"]
    assert await pass_at(silvia, clock, at(25, 9)) == ["sent:value_reinforcement"]
    assert await pass_at(silvia, clock, at(25, 14)) == ["skip:"]  # one a day
    assert await pass_at(silvia, clock, at(26, 9)) == ["sent:last_chance"]
    sent = silvia.sandbox.sent(MARIA.phone)[-3:]
    assert [m["kind"] for m in sent] == ["text", "text", "template"]
    assert "Maria" in sent[0]["body"] and "820,80" in sent[1]["body"]  # her own yearly saving
    assert sent[2]["template"] == "silvia_last_chance" and sent[2]["parameters"] == {"first_name": "Maria"}
    assert await pass_at(silvia, clock, at(26, 18)) == ["skip:"]  # the last one gets a day
    assert await pass_at(silvia, clock, at(27, 9)) == ["closed:"]
    assert (await silvia.state(MARIA.phone))["stage"] == Stage.LOST
    status = await silvia.leads.get_status(MARIA.phone)
    assert status["lead_stage"] == "lost" and status["followup_count"] == 3
    assert status["last_followup_type"] == "last_chance"
    assert await pass_at(silvia, clock, at(30, 9)) == []  # lost leads are left alone
    stats = await FollowupStore(silvia.sessions).report(at(1, 0))
    sent_by_kind = {k: v.sent for k, v in stats.items()}
    assert sent_by_kind == {"gentle_nudge": 1, "value_reinforcement": 1, "last_chance": 1}


async def test_a_lead_who_answers_is_not_lost_and_the_report_counts_it(silvia: Silvia, clock) -> None:
    clock[0] = at(24, 10)
    await reach_plans(silvia)
    assert await pass_at(silvia, clock, at(24, 14)) == ["sent:gentle_nudge"]
    clock[0] = at(24, 15)
    assert (await silvia.say(MARIA.phone, "quero o plano plus")).stage == Stage.DOCUMENT_REQUESTED
    # One follow-up a day: the 1-hour bill reminder waits for the next day's first pass.
    assert await pass_at(silvia, clock, at(24, 18)) == ["skip:"]
    assert await pass_at(silvia, clock, at(25, 9)) == ["sent:document_reminder"]
    assert "conta de luz" in silvia.sandbox.sent(MARIA.phone)[-1]["body"]
    stats = await FollowupStore(silvia.sessions).report(at(1, 0))
    nudge = stats["gentle_nudge"]
    assert (nudge.sent, nudge.answered_24h, nudge.advanced) == (1, 1, 1)


async def test_opt_out_between_scheduling_and_sending(silvia: Silvia, clock) -> None:
    clock[0] = at(24, 10)
    await reach_plans(silvia)
    follow = runner(silvia)
    plan = await follow.plan(at(24, 14))
    assert [d.action for _, d in plan] == ["send"]
    clock[0] = at(24, 13, 59)
    assert (await silvia.say(MARIA.phone, "PARAR")).stage == Stage.OPTED_OUT
    before = len(silvia.sandbox.sent(MARIA.phone))
    clock[0] = at(24, 14)
    outcomes = await follow.execute(plan, at(24, 14))
    assert outcomes[0].action == "not sent" and "opted_out" in outcomes[0].reason
    assert len(silvia.sandbox.sent(MARIA.phone)) == before
    status = await silvia.leads.get_status(MARIA.phone)
    assert status["opt_out_words"] == "PARAR" and status["opted_out_at"] == at(24, 13, 59)
    # Permanent: "ok" does not re-open, and no pass ever picks her up again …
    clock[0] = at(25, 10)
    assert (await silvia.say(MARIA.phone, "ok")).replies == []
    assert await pass_at(silvia, clock, at(26, 14)) == []
    # … until she explicitly comes back.
    clock[0] = at(26, 15)
    assert (await silvia.say(MARIA.phone, "quero voltar, me mostra os planos")).stage != Stage.OPTED_OUT
    assert await pass_at(silvia, clock, at(27, 9)) == ["sent:gentle_nudge"]


async def test_a_lead_who_writes_just_before_the_pass_gets_nothing(silvia: Silvia, clock) -> None:
    clock[0] = at(24, 10)
    await reach_plans(silvia)
    follow = runner(silvia)
    plan = await follow.plan(at(24, 14))
    clock[0] = at(24, 13, 58)
    await silvia.say(MARIA.phone, "ainda estou pensando")
    before = len(silvia.sandbox.sent(MARIA.phone))
    clock[0] = at(24, 14)
    outcomes = await follow.execute(plan, at(24, 14))
    assert outcomes[0].action == "not sent" and "ago" in outcomes[0].reason
    assert len(silvia.sandbox.sent(MARIA.phone)) == before
    assert await pass_at(silvia, clock, at(24, 18)) == ["sent:gentle_nudge"]  # 4 h later, yes


async def test_proactive_messages_never_reach_an_opted_out_lead(silvia: Silvia, clock) -> None:
    state = {
        "phone": MARIA.phone,
        "stage": Stage.OPTED_OUT.value,
        "inbound": Inbound(phone=MARIA.phone, kind="followup_tick").model_dump(mode="json"),
        "last_inbound_at": clock[0].isoformat(),
        "profile": {"name": "Maria"},
    }
    blocked = plan_outbound({"template_id": "handoff.qualified", "text": "x"}, state, silvia.deps)  # type: ignore[arg-type]
    assert blocked.blocked and "opted out" in blocked.reason
    # A reply to the lead's own message (the opt-out confirmation) does go out.
    state["inbound"] = Inbound(phone=MARIA.phone, text="PARAR").model_dump(mode="json")
    assert not plan_outbound({"template_id": "opt_out.confirmed", "text": "x"}, state, silvia.deps).blocked  # type: ignore[arg-type]


async def test_outside_the_window_without_an_approved_template_nothing_is_sent(silvia: Silvia, clock) -> None:
    state = {
        "phone": MARIA.phone,
        "stage": Stage.GREETED.value,
        "inbound": Inbound(phone=MARIA.phone, kind="followup_tick").model_dump(mode="json"),
        "last_inbound_at": at(20, 10).isoformat(),
        "profile": {"name": "Maria"},
    }
    outbound = plan_outbound({"template_id": "plan_presentation", "text": "x"}, state, silvia.deps)  # type: ignore[arg-type]
    assert outbound.blocked and "no approved template" in outbound.reason


@pytest.mark.parametrize("moment", [at(21, 10), at(20, 10), at(24, 19)])  # Saturday, holiday, evening
async def test_no_proactive_message_outside_business_time(silvia: Silvia, clock, moment: datetime) -> None:
    clock[0] = at(19, 10)
    await reach_plans(silvia)
    before = len(silvia.sandbox.sent(MARIA.phone))
    outcomes = await pass_at(silvia, clock, moment)
    assert outcomes == ["skip:"] and len(silvia.sandbox.sent(MARIA.phone)) == before
    # A lead who writes at that hour is answered at once.
    assert (await silvia.say(MARIA.phone, "quanto custa?")).replies


async def test_a_lead_who_declines_is_closed_and_never_chased(silvia: Silvia, clock) -> None:
    clock[0] = at(24, 10)
    await reach_plans(silvia)
    declined = await silvia.say(MARIA.phone, "tchau, não tenho interesse")
    assert declined.stage == Stage.LOST
    assert await pass_at(silvia, clock, at(24, 14)) == []  # no nudge, value or last chance
    assert await pass_at(silvia, clock, at(25, 9)) == []
    ok = await silvia.say(MARIA.phone, "ok")  # no new pitch, still lost
    assert ok.stage == Stage.LOST and not ok.replies[0].get("buttons")
    assert "R$" not in ok.texts[0]


async def test_a_bare_no_to_the_offer_closes_the_lead_and_nothing_is_sent(silvia: Silvia, clock) -> None:
    # Issue 14 (rules 4, 5 and 11): a bare "não" to Sílvia's offer ("quer ver os planos?") is a
    # clear refusal. It used to get one gentle nudge and close 24 h later; a nudge after a "não"
    # is exactly the pressure rule 11 forbids, so the lead is closed at once with one kind line.
    clock[0] = at(24, 10)
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    closed = await silvia.say(MARIA.phone, "não")
    assert closed.stage == Stage.LOST and "é só me chamar" in closed.texts[0]
    sent_before = len(silvia.sandbox.sent(MARIA.phone))
    for moment in (at(24, 14), at(25, 9), at(25, 14)):
        assert await pass_at(silvia, clock, moment) == []  # never planned, never sent
    assert len(silvia.sandbox.sent(MARIA.phone)) == sent_before
    back = await silvia.say(MARIA.phone, "boa tarde, quero ver os planos agora")
    assert back.stage in (Stage.GREETED, Stage.PLANS_PRESENTED)  # the door stayed open (rule 5)
