"""Whole conversations through the real graph on the embedded default."""

from __future__ import annotations

import random
import re
from datetime import UTC
from pathlib import Path

from agent.inbound import Inbound
from agent.state import Stage
from demo.bill_specs import random_bill_spec
from demo.sample_bills import encrypted_pdf, image_only_pdf, not_a_bill_pdf, render_bill_pdf
from tests.conftest import MARIA, make_settings
from wiring import Silvia, open_silvia


def bill_pdf(
    name: str = "Maria Oliveira",
    total: float = 412.37,
    distributor: str = "Neoenergia Pernambuco",
    city: str = "Recife",
    seed: int = 1,
) -> bytes:
    spec = random_bill_spec(
        random.Random(seed),
        distributor=distributor,
        customer_name=name,
        city=city,
        total_amount=total,
        consumer_class="residencial",
    )
    return render_bill_pdf(spec)


async def send_file(
    silvia: Silvia, phone: str, data: bytes, mime: str = "application/pdf", filename: str = "conta.pdf"
):
    media_id = silvia.receive_media(data, mime, filename)
    kind = "image" if mime.startswith("image/") else "document"
    return await silvia.handle(
        Inbound(phone=phone, kind=kind, media_id=media_id, mime_type=mime, filename=filename)
    )


async def reach_plans(silvia: Silvia, phone: str = MARIA.phone) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
    await silvia.say(phone, "oi")
    result = await silvia.say(phone, "sim")
    assert result.stage == Stage.PLANS_PRESENTED


async def test_full_funnel_registers_and_hands_off(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    greeting = await silvia.say(MARIA.phone, "Oi! Vi o anúncio de vocês")
    assert greeting.stage == Stage.GREETED
    assert "Maria" in greeting.texts[0] and "820,80" in greeting.texts[0]  # 380 x 18 % x 12

    plans = await silvia.say(MARIA.phone, "sim")
    assert plans.stage == Stage.PLANS_PRESENTED
    assert [b["id"] for b in plans.replies[0]["buttons"]] == ["plan:essencial", "plan:plus", "plan:premium"]

    by_text = await silvia.say(MARIA.phone, "quero o primeiro")
    assert by_text.stage == Stage.DOCUMENT_REQUESTED and "Plano Essencial" in by_text.texts[0]
    by_button = await silvia.handle(
        Inbound(phone=MARIA.phone, kind="interactive", button_id="plan:plus", text="Plano Plus")
    )
    assert by_button.stage == Stage.DOCUMENT_REQUESTED and "Plano Plus" in by_button.texts[0]

    result = await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    assert result.stage == Stage.HANDED_OFF
    text = result.texts[0]
    assert "412,37" in text and "Ana" in text  # the bill wins; PE specialist named
    state = await silvia.state(MARIA.phone)
    assert state["serena_lead_id"].startswith("SRN-")
    assert state["selected_plan"]["id"] == "plus"

    registration = await silvia.registrations.get(state["serena_lead_id"])
    assert registration is not None and registration["payload"]["monthlyBill"] == 412.37
    status = await silvia.leads.get_status(MARIA.phone)
    assert status["lead_stage"] == "handed_off"
    assert await silvia.leads.count_interactions(MARIA.phone) == 5
    sent = silvia.sandbox.sent(MARIA.phone)
    assert len(sent) == 6  # five answers, then the 1–5 satisfaction question as a list
    assert sent[-1]["kind"] == "list" and sent[-1]["rows"][0]["id"] == "rating:5"


async def test_unserved_state_ends_politely_as_not_qualified(silvia: Silvia) -> None:
    phone = "+5511999990002"
    await silvia.leads.upsert_lead(
        MARIA.model_copy(update={"phone": phone, "name": "Ricardo Souza", "city": "São Paulo", "state": "SP"})
    )
    result = await silvia.say(phone, "olá")
    assert result.stage == Stage.NOT_QUALIFIED
    text = result.texts[0]
    assert "Ricardo" in text and "ainda não atende" in text
    assert "R$" not in text  # no savings promised where Serena does not operate
    later = await silvia.say(phone, "sim, pode mostrar")
    assert later.replies and later.stage == Stage.NOT_QUALIFIED


async def test_unknown_lead_from_unserved_state_is_told_once_the_state_is_known(silvia: Silvia) -> None:
    phone = "+5521977776666"
    await silvia.handle(Inbound(phone=phone, kind="text", text="oi", name="Bia"))
    result = await silvia.say(phone, "moro no rio de janeiro, conta de 300 reais")
    assert result.stage == Stage.NOT_QUALIFIED and "ainda não atende" in result.texts[0]


async def test_question_opening_the_conversation_is_answered(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    result = await silvia.say(MARIA.phone, "oi! quais dados vocês têm sobre mim? LGPD")
    assert result.stage == Stage.GREETED and len(result.replies) == 2
    assert "LGPD" in result.texts[1]


async def test_reopening_after_opt_out_with_a_question_answers_it(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "sair")
    back = await silvia.say(MARIA.phone, "quanto custa?")
    assert back.stage == Stage.GREETED and len(back.replies) == 2
    assert "desconto" in back.texts[1]


async def test_unknown_lead_is_asked_for_city_and_bill(silvia: Silvia) -> None:
    phone = "+5571988887777"
    first = await silvia.handle(Inbound(phone=phone, kind="text", text="oi", name="Joana"))
    assert "cidade" in first.texts[0] and first.stage == Stage.GREETED
    estimate = await silvia.say(phone, "moro em salvador e pago uns 500 reais")
    assert "Joana" in estimate.texts[0] and "1.080,00" in estimate.texts[0]  # 500 x 18 % x 12
    state = await silvia.state(phone)
    assert state["profile"]["state"] == "BA"
    assert (await silvia.say(phone, "bora")).stage == Stage.PLANS_PRESENTED


async def test_question_mid_funnel_is_answered_and_brings_lead_back(silvia: Silvia) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "isso é golpe? a serena é confiavel?")
    assert result.intent == "ask_trust" and result.stage == Stage.PLANS_PRESENTED
    assert "ANEEL" in result.texts[0] and "qual dos planos" in result.texts[0]


async def test_opt_out_is_immediate_and_permanent(silvia: Silvia, clock) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "PARAR")
    assert result.stage == Stage.OPTED_OUT and "não vai mais receber" in result.texts[0]
    assert (await silvia.say(MARIA.phone, "ok")).replies == []
    tick = await silvia.handle(Inbound(phone=MARIA.phone, kind="followup_tick"))
    assert tick.replies == []
    state = await silvia.state(MARIA.phone)
    assert state["opt_out_words"] == "PARAR" and state["opted_out_at"]
    back = await silvia.say(MARIA.phone, "oi, quero saber dos planos de novo")
    assert back.stage == Stage.GREETED and back.replies


async def test_unsupported_media_gets_a_polite_reply(silvia: Silvia) -> None:
    await reach_plans(silvia)
    for kind in ("audio", "sticker", "location", "unsupported"):
        result = await silvia.handle(Inbound(phone=MARIA.phone, kind=kind, media_id="m1"))
        assert result.replies and result.stage == Stage.PLANS_PRESENTED
        assert "problema técnico" not in result.texts[0]


async def test_memory_survives_a_restart(tmp_path: Path, clock) -> None:
    settings = make_settings(tmp_path)
    async with open_silvia(settings, clock=lambda: clock[0]) as first:
        await reach_plans(first)
    async with open_silvia(settings, clock=lambda: clock[0]) as second:
        result = await second.say(MARIA.phone, "vou de premium")
        assert result.stage == Stage.DOCUMENT_REQUESTED and "Plano Premium" in result.texts[0]
        assert len((await second.state(MARIA.phone))["messages"]) >= 6


async def test_two_leads_interleaved_keep_separate_state(silvia: Silvia) -> None:
    other = "+5585977776666"
    await silvia.leads.upsert_lead(MARIA)
    await silvia.leads.upsert_lead(
        MARIA.model_copy(update={"phone": other, "name": "Pedro Lima", "city": "Fortaleza", "state": "CE"})
    )
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(other, "oi")
    await silvia.say(MARIA.phone, "sim")
    pedro = await silvia.say(other, "quero saber como funciona")
    assert pedro.stage == Stage.GREETED and "Pedro" in pedro.texts[0] and "Maria" not in pedro.texts[0]
    maria = await silvia.say(MARIA.phone, "o plus")
    assert maria.stage == Stage.DOCUMENT_REQUESTED and "Maria" in maria.texts[0]


async def test_repeated_question_is_served_from_cache_for_another_lead(silvia: Silvia) -> None:
    await reach_plans(silvia)
    first = await silvia.say(MARIA.phone, "como funciona?")
    assert first.replies[0]["layer"] == "L3"
    other = "+5581911112222"
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": other, "name": "Lucas Melo"}))
    await silvia.say(other, "oi")
    await silvia.say(other, "sim")
    second = await silvia.say(other, "como funciona?")
    assert second.replies[0]["layer"] == "L1"
    # The cache keeps template ids, never a finished message: the nudge names the new lead.
    assert "Lucas" in second.texts[0] and "Maria" not in second.texts[0]
    assert second.texts[0].replace("Lucas", "Maria") == first.texts[0]
    assert second.intent == "ask_how_it_works"


async def _lead_at_plans(silvia: Silvia, phone: str, name: str, bill: float) -> None:
    await silvia.leads.upsert_lead(
        MARIA.model_copy(update={"phone": phone, "name": name, "bill_amount": bill})
    )
    await silvia.say(phone, "oi")
    assert (await silvia.say(phone, "sim")).stage == Stage.PLANS_PRESENTED


async def test_knowledge_answer_with_a_lead_estimate_is_never_replayed_to_another_lead(
    silvia: Silvia,
) -> None:
    maria, joao = MARIA.phone, "+5581933334444"
    await _lead_at_plans(silvia, maria, "Maria Oliveira", 380)
    await _lead_at_plans(silvia, joao, "João Lima", 910)
    # The plans compared with Maria's own monthly saving: a figure stored in the answer, so the
    # answer is not cached and João gets his own comparison, not Maria's.
    first = await silvia.say(maria, "qual a diferença dos planos?")
    second = await silvia.say(joao, "qual a diferença dos planos?")
    assert (
        first.replies[0]["template_id"]
        == second.replies[0]["template_id"]
        == "kb.plans_difference.with_estimate"
    )
    assert [r["layer"] for r in (*first.replies, *second.replies)] == ["L3", "L3"]
    assert second.texts[0] != first.texts[0].replace("Maria", "João")
    maria_figures = set(re.findall(r"\d+,\d\d", first.texts[0]))
    assert maria_figures and not maria_figures & set(re.findall(r"\d+,\d\d", second.texts[0]))
    # The lead's bill, saving and investment as placeholders: replayed from the cache, filled
    # with the asking lead's own estimate and name, never the first lead's.
    first = await silvia.say(maria, "não é melhor instalar placa própria?")
    second = await silvia.say(joao, "não é melhor instalar placa própria?")
    assert (
        first.replies[0]["template_id"] == second.replies[0]["template_id"] == "kb.own_panels.with_estimate"
    )
    assert (first.replies[0]["layer"], second.replies[0]["layer"]) == ("L3", "L1")
    assert "380,00" in first.texts[0] and "910,00" in second.texts[0]
    assert "380,00" not in second.texts[0] and "Maria" not in "\n".join(second.texts)
    assert second.state["topic"] == "own_panels"


async def test_bill_problems_get_their_own_answers(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "plus")
    assert "senha" in (await send_file(silvia, MARIA.phone, encrypted_pdf())).texts[0]
    assert "boleto de outra cobrança" in (await send_file(silvia, MARIA.phone, not_a_bill_pdf())).texts[0]
    letter = await send_file(silvia, MARIA.phone, not_a_bill_pdf("letter"))
    assert "não é uma conta de luz" in letter.texts[0]
    assert "abrir" in (await send_file(silvia, MARIA.phone, b"%PDF-1.4 garbage")).texts[0]
    # Only weak reads count as tries: a scan nobody can read, twice.
    scan = await send_file(silvia, MARIA.phone, image_only_pdf())
    assert "valor total" in scan.texts[0] and scan.stage == Stage.DOCUMENT_REQUESTED
    again = await send_file(silvia, MARIA.phone, image_only_pdf())
    assert "especialista" in again.texts[0]
    accepted = await silvia.say(MARIA.phone, "sim")
    assert "especialista" in accepted.texts[0] and (await silvia.state(MARIA.phone))["human_requested"]
    good = await send_file(silvia, MARIA.phone, bill_pdf())
    assert good.stage == Stage.HANDED_OFF


async def test_bill_from_unserved_state_is_not_qualified(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "essencial")
    result = await send_file(silvia, MARIA.phone, bill_pdf(distributor="Enel SP", city="São Paulo"))
    assert result.stage == Stage.NOT_QUALIFIED and result.replies


async def test_ask_human_hands_over_with_a_name(silvia: Silvia) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "quero falar com um atendente humano")
    assert result.intent == "ask_human" and "especialista" in result.texts[0]
    assert (await silvia.state(MARIA.phone))["human_requested"] is True


async def test_followup_tick_only_in_business_hours(silvia: Silvia, clock) -> None:
    from datetime import datetime

    await reach_plans(silvia)
    clock[0] = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 20:30 in Recife
    assert (await silvia.handle(Inbound(phone=MARIA.phone, kind="followup_tick"))).replies == []
    clock[0] = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 10:00 in Recife
    nudge = await silvia.handle(Inbound(phone=MARIA.phone, kind="followup_tick"))
    assert nudge.replies and "Maria" in nudge.texts[0]
