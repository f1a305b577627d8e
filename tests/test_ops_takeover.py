"""Human takeover through the real graph: a paused lead is recorded, never answered."""

from __future__ import annotations

import pytest

from storage.takeover import LeadNotFoundError, TakeoverRepository
from tests.conftest import MARIA
from wiring import Silvia


async def test_paused_lead_gets_no_reply_and_is_recorded(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    first = await silvia.say(MARIA.phone, "oi")
    assert first.texts, "Sílvia answers before the takeover"
    store = TakeoverRepository(silvia.sessions)
    await store.pause(MARIA.phone, by="Ana (especialista)", reason="cliente pediu ligação")
    assert await store.is_paused(MARIA.phone)

    assert silvia.sandbox is not None
    sent_before = len(silvia.sandbox.sent(MARIA.phone))
    paused = await silvia.say(MARIA.phone, "quanto custa o plano?")
    assert paused.texts == []
    assert len(silvia.sandbox.sent(MARIA.phone)) == sent_before
    last = (await silvia.leads.recent_interactions(MARIA.phone, 1))[0]
    assert last["message_received"] == "quanto custa o plano?"
    assert last["message_sent"] is None and last["metadata"]["paused"] is True

    await store.resume(MARIA.phone, by="Ana (especialista)")
    back = await silvia.say(MARIA.phone, "quanto custa o plano?")
    assert back.texts, "after hand-back Sílvia answers again"
    assert (await store.get(MARIA.phone) or {})["paused"] is False


async def test_paused_lead_gets_no_followup(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await TakeoverRepository(silvia.sessions).pause(MARIA.phone, by="Ana")
    before = await silvia.leads.count_interactions(MARIA.phone)
    from agent.inbound import Inbound

    tick = await silvia.handle(Inbound(phone=MARIA.phone, kind="followup_tick"))
    assert tick.texts == []
    assert await silvia.leads.count_interactions(MARIA.phone) == before  # a tick leaves no row


async def test_unknown_lead_cannot_be_paused(silvia: Silvia) -> None:
    with pytest.raises(LeadNotFoundError):
        await TakeoverRepository(silvia.sessions).pause("+5511000000000", by="Ana")
