"""The 1–5 satisfaction survey through the real graph (embedded SQLite, sandbox WhatsApp).

Asked once, only after a completed conversation (qualified, proposal made, handed to a
specialist), never after a not-served close or a handoff the lead asked for; answered by list,
typed number or emoji; a low score
invites a comment; never blocking; never twice; never to opted-out leads; outside the 24-hour
window only as the approved template.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from agent.inbound import Inbound
from agent.policy.satisfaction import parse_rating
from agent.state import Stage
from storage.models import LeadRating, SdrLog
from tests.conftest import MARIA
from wiring import Silvia, TurnResult

SAO_PAULO = "+5511999990002"


async def ratings(silvia: Silvia) -> list[LeadRating]:
    async with silvia.sessions() as session:
        return list((await session.scalars(sa.select(LeadRating).order_by(LeadRating.id))).all())


async def tap(silvia: Silvia, phone: str, button_id: str, title: str) -> TurnResult:
    return await silvia.handle(Inbound(phone=phone, kind="interactive", button_id=button_id, text=title))


def templates(result: TurnResult) -> list[str]:
    return [r["template_id"] for r in result.replies]


async def handed_off(silvia: Silvia) -> TurnResult:
    """Maria qualifies with a typed total and is handed to a specialist: the conversation is complete."""
    await silvia.leads.upsert_lead(MARIA)
    for text in ("oi", "sim", "plus"):
        await silvia.say(MARIA.phone, text)
    return await silvia.say(MARIA.phone, "não consigo mandar a foto, mas a conta é 380 reais")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", (5, "typed")),
        ("nota 4", (4, "typed")),
        ("dou 3!", (3, "typed")),
        ("minha nota é 2", (2, "typed")),
        ("quatro estrelas", (4, "typed")),
        ("3/5", (3, "typed")),
        ("⭐⭐⭐⭐", (4, "emoji")),
        ("⭐️⭐️⭐️⭐️⭐️", (5, "emoji")),
        ("😍", (5, "emoji")),
        ("😡", (1, "emoji")),
        ("👍🏽", (4, "emoji")),
        ("6", None),
        ("500", None),
        ("quanto custa?", None),
        ("1 dúvida: tem fidelidade?", None),
        ("😍 mas e o contrato?", None),
    ],
)
def test_what_counts_as_a_rating(text: str, expected: tuple[int, str] | None) -> None:
    assert parse_rating({"kind": "text", "text": text}) == expected


def test_list_rows_are_ratings_and_nothing_else() -> None:
    assert parse_rating({"kind": "interactive", "button_id": "rating:4", "text": "4 - Bom"}) == (4, "list")
    assert parse_rating({"kind": "interactive", "button_id": "rating:9", "text": "x"}) is None
    assert parse_rating({"kind": "interactive", "button_id": "plan:plus", "text": "Plus"}) is None


async def test_handoff_asks_once_and_a_list_answer_is_stored_with_the_version(silvia: Silvia) -> None:
    result = await handed_off(silvia)
    assert templates(result) == ["qualification_result.qualified_typed", "satisfaction.ask"]
    question = silvia.sandbox.sent(MARIA.phone)[-1]
    assert question["kind"] == "list" and question["button"] == "Dar nota"
    assert [row["id"] for row in question["rows"]] == [f"rating:{n}" for n in (5, 4, 3, 2, 1)]
    [asked] = await ratings(silvia)
    assert asked.reason == "handed_off" and asked.score is None and asked.asked_via == "list"

    answer = await tap(silvia, MARIA.phone, "rating:5", "5 - Excelente")
    assert templates(answer) == ["satisfaction.thanks_high"]
    [rating] = await ratings(silvia)
    assert (rating.score, rating.answer_channel, rating.prompt_version) == (5, "list", "v2.0_casual")

    again = await silvia.say(MARIA.phone, "quero falar com um especialista")  # already handed over
    later = await silvia.say(MARIA.phone, "obrigada!")
    assert "satisfaction.ask" not in templates(again) + templates(later)
    assert len(await ratings(silvia)) == 1


async def test_a_typed_low_score_invites_a_comment(silvia: Silvia) -> None:
    await handed_off(silvia)
    low = await silvia.say(MARIA.phone, "2")
    assert templates(low) == ["satisfaction.thanks_low"] and "o que poderia ter sido melhor" in low.texts[0]
    comment = await silvia.say(MARIA.phone, "queria mandar a foto, meu CPF é 123.456.789-09")
    assert templates(comment) == ["satisfaction.comment_thanks"]
    [rating] = await ratings(silvia)
    assert (rating.score, rating.answer_channel, rating.reason) == (2, "typed", "handed_off")
    assert "mandar a foto" in (rating.comment or "") and "123.456.789-09" not in (rating.comment or "")

    after = await silvia.say(MARIA.phone, "e quando a especialista me chama?")  # back to normal answers
    assert not any(t.startswith("satisfaction") for t in templates(after))


async def test_no_survey_after_a_not_served_close_or_a_requested_handoff(silvia: Silvia) -> None:
    """Neither ends a conversation: the unserved lead may come back with another place, the lead
    who asked for a person is still to be served (issue 14)."""
    await silvia.leads.upsert_lead(
        MARIA.model_copy(update={"phone": SAO_PAULO, "city": "São Paulo", "state": "SP"})
    )
    unserved = [
        await silvia.say(SAO_PAULO, text) for text in ("oi, quero economizar", "ah que pena, obrigado")
    ]
    assert unserved[0].stage == Stage.NOT_QUALIFIED
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    asked = [await silvia.say(MARIA.phone, text) for text in ("prefiro falar com uma pessoa", "ok, obrigada")]
    assert asked[0].stage == Stage.HANDED_OFF
    said = [t for result in (*unserved, *asked) for t in templates(result)]
    assert "satisfaction.ask" not in said and await ratings(silvia) == []


async def test_emoji_answer(silvia: Silvia) -> None:
    await handed_off(silvia)
    answer = await silvia.say(MARIA.phone, "😍")
    assert templates(answer) == ["satisfaction.thanks_high"]
    [rating] = await ratings(silvia)
    assert (rating.score, rating.answer_channel) == (5, "emoji")


async def test_ignored_survey_never_blocks_and_stops_waiting(silvia: Silvia) -> None:
    await handed_off(silvia)
    question = await silvia.say(MARIA.phone, "tem fidelidade?")
    assert templates(question) and templates(question)[0].startswith("faq.")  # answered, not re-asked
    late = await silvia.say(MARIA.phone, "4")  # still a rating: the second message after the question
    assert templates(late) == ["satisfaction.thanks_high"]

    other = MARIA.model_copy(update={"phone": SAO_PAULO, "name": "Joana Lima"})
    await silvia.leads.upsert_lead(other)
    for text in ("oi", "sim", "plus", "não consigo mandar a foto, mas a conta é 380 reais"):
        await silvia.say(SAO_PAULO, text)
    for text in ("obrigado", "ok", "entendi"):
        await silvia.say(SAO_PAULO, text)
    moved_on = await silvia.say(SAO_PAULO, "5")  # three other messages later: no longer a rating
    assert "satisfaction.thanks_high" not in templates(moved_on)
    scores = {r.lead_id: r.score for r in await ratings(silvia)}
    assert scores == {MARIA.phone: 4, SAO_PAULO: None}


async def test_never_asked_twice_even_when_the_conversation_state_is_lost(silvia: Silvia) -> None:
    await handed_off(silvia)
    await silvia.graph.checkpointer.adelete_thread(silvia.config(MARIA.phone)["configurable"]["thread_id"])
    for text in ("oi", "sim", "plus"):
        await silvia.say(MARIA.phone, text)
    again = await silvia.say(MARIA.phone, "não consigo mandar a foto, mas a conta é 380 reais")
    said = templates(again)
    assert "qualification_result.qualified_typed" in said and "satisfaction.ask" not in said
    assert [m["kind"] for m in silvia.sandbox.sent(MARIA.phone)].count("list") == 1


async def test_a_lead_who_opted_out_is_never_asked(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "PARAR")
    await silvia.say(MARIA.phone, "quero voltar")
    for text in ("sim", "plus"):
        await silvia.say(MARIA.phone, text)
    result = await silvia.say(MARIA.phone, "não consigo mandar a foto, mas a conta é 380 reais")
    assert result.stage == Stage.HANDED_OFF and "satisfaction.ask" not in templates(result)
    assert await ratings(silvia) == []


async def _handed_off_without_survey(silvia: Silvia) -> Any:
    survey = silvia.deps.satisfaction
    silvia.deps = replace(silvia.deps, satisfaction=None)  # handed off before the survey
    await handed_off(silvia)
    silvia.deps = replace(silvia.deps, satisfaction=survey)
    return survey


async def test_outside_the_window_only_the_approved_template(silvia: Silvia, clock: list) -> None:
    await _handed_off_without_survey(silvia)
    clock[0] += timedelta(hours=30)
    tick = Inbound(phone=MARIA.phone, kind="followup_tick", received_at=clock[0])
    result = await silvia.handle(tick)
    sent = silvia.sandbox.sent(MARIA.phone)[-1]
    assert sent["kind"] == "template" and sent["template"] == "silvia_satisfaction_survey"
    assert sent["parameters"] == {"first_name": "Maria"}
    assert result.replies[-1]["template_id"] == "satisfaction.ask"
    [asked] = await ratings(silvia)
    assert asked.asked_via == "template:silvia_satisfaction_survey"
    answer = await silvia.say(MARIA.phone, "5")
    assert templates(answer) == ["satisfaction.thanks_high"]


async def test_outside_the_window_without_an_approved_template_nothing_is_sent(
    silvia: Silvia, clock: list
) -> None:
    await _handed_off_without_survey(silvia)
    silvia.deps.whatsapp_templates.templates.pop("silvia_satisfaction_survey")
    before = len(silvia.sandbox.sent(MARIA.phone))
    clock[0] += timedelta(hours=30)
    await silvia.handle(Inbound(phone=MARIA.phone, kind="followup_tick", received_at=clock[0]))
    assert len(silvia.sandbox.sent(MARIA.phone)) == before and await ratings(silvia) == []
    async with silvia.sessions() as session:
        logged = await session.scalar(sa.select(SdrLog).where(SdrLog.message == "satisfaction_not_asked"))
    assert logged is not None and "24-hour" in logged.error_details["reason"]


async def test_survey_off(silvia: Silvia) -> None:
    silvia.deps = replace(silvia.deps, satisfaction=None)
    result = await handed_off(silvia)
    assert templates(result) == ["qualification_result.qualified_typed"]
