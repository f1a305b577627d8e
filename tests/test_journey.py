"""The lead's journey off the happy path (docs/conversation.md), one test per rule, through the
real graph on the embedded default. Phrasings are new: typos, voice-typed run-ons, cold leads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from agent.nodes.followup import facts_from_state
from agent.policy.followups import decide
from agent.ports import LeadRecord
from agent.state import Stage
from demo.sample_bills import image_only_pdf
from storage.followups import FollowupStore
from storage.lead_admin import LeadAdmin
from storage.models import DataRequest, Lead
from tests.conftest import MARIA, make_settings
from tests.test_conversations import bill_pdf, reach_plans, send_file
from wiring import Silvia

COLD = "+5584999990042"  # a walk-in lead: nothing known before the first message
ANA = "+5581988880001"  # the PE specialist on duty (tools/data/specialists.yml)


async def seeded(silvia: Silvia, **fields: object) -> str:
    lead = MARIA.model_copy(update=fields)
    await silvia.leads.upsert_lead(lead)
    return lead.phone


# --- 1. not qualified is not a dead end ------------------------------------------------------


async def test_an_unserved_lead_asks_then_reopens_for_a_relatives_house(silvia: Silvia) -> None:
    phone = await seeded(silvia, name="Otávio Reis", city="Manaus", state="AM", bill_amount=520.0)
    assert (await silvia.say(phone, "e ai")).stage == Stage.NOT_QUALIFIED
    question = await silvia.say(phone, "mas o desconto vem como na conta?")
    assert question.stage == Stage.NOT_QUALIFIED and "não consigo seguir" not in question.texts[0]
    reopened = await silvia.say(phone, "meu pai tem uma casa em petrolina a conta de la e uns 350")
    assert reopened.stage == Stage.GREETED
    assert "Petrolina" in reopened.texts[0] and "350,00" in reopened.texts[0]
    assert "no nome de quem" in reopened.texts[-1]
    state = await silvia.state(phone)
    assert state["profile"]["state"] == "PE" and not state.get("qualification")
    holder = await silvia.say(phone, "no nome do meu pai")
    assert "titular" in holder.texts[0] and holder.stage == Stage.GREETED


async def test_a_company_after_a_low_household_bill_reruns_the_check(silvia: Silvia) -> None:
    phone = await seeded(silvia, bill_amount=120.0)
    await silvia.say(phone, "oi")
    await silvia.say(phone, "bora ver")
    await silvia.say(phone, "vou de essencial")
    low = await send_file(silvia, phone, bill_pdf(total=101.4, seed=7), filename="conta.pdf")
    assert low.stage == Stage.NOT_QUALIFIED
    again = await silvia.say(phone, "tenho tbm a conta do meu comercio que da uns 1800")
    assert again.stage == Stage.GREETED and "1.800,00" in again.texts[0]


# --- 2. questions about places are answered, not stored --------------------------------------


async def test_coverage_questions_are_answered_and_never_become_the_city(silvia: Silvia) -> None:
    await silvia.say(COLD, "ola boa tarde")
    served = await silvia.say(COLD, "voces funcionam em feira de santana?")
    assert served.stage == Stage.GREETED and "Coelba" in served.texts[0]
    assert not (await silvia.state(COLD))["profile"].get("city")
    await silvia.say(COLD, "sou de maracanau e pago 290")
    unserved = await silvia.say(COLD, "e pra goiania ja chegou?")
    assert "ainda não chegou" in unserved.texts[0] and "te conto" in unserved.texts[0]
    profile = (await silvia.state(COLD))["profile"]
    assert (profile["city"], profile["state"]) == ("Maracanaú", "CE")


# --- 3. asking for a person hands the lead over ----------------------------------------------


async def test_asking_for_a_person_hands_over_with_the_transcript(silvia: Silvia) -> None:
    await reach_plans(silvia)
    handed = await silvia.say(MARIA.phone, "vc pode pedir pra uma atendente me ligar? prefiro assim")
    assert handed.stage == Stage.HANDED_OFF and "*Ana*" in handed.texts[0] and "hoje" in handed.texts[0]
    to_ana = silvia.sandbox.sent(ANA)
    assert to_ana[0]["kind"] == "template"
    assert "Conversa com o lead" in to_ana[1]["body"] and "atendente me ligar" in to_ana[1]["body"]
    [row] = await silvia.deps.specialists.log.recent(5)
    assert row["reason"] == "requested" and "Plano Plus" in row["transcript"]  # the plans she saw
    later = await silvia.say(MARIA.phone, "blz, qual plano vc acha melhor?")
    assert later.stage == Stage.HANDED_OFF
    assert "Nova mensagem" in silvia.sandbox.sent(ANA)[-1]["body"]  # the specialist sees it too
    sim = await silvia.say(MARIA.phone, "sim")
    assert "Ana" in sim.texts[0] and "Qual opção" not in sim.texts[0]  # no re-pitch
    candidates = await FollowupStore(silvia.sessions).candidates(datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert MARIA.phone not in [c.phone for c in candidates]  # no nudge for a lead with a person


# --- 4. cannot, later and no are different ---------------------------------------------------


async def test_cannot_and_later_keep_the_stage_and_only_a_refusal_is_lost(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "o premium")
    cannot = await silvia.say(MARIA.phone, "nao consigo mandar foto meu celular e antigo")
    assert cannot.stage == Stage.DOCUMENT_REQUESTED and "2ª via" in cannot.texts[0]
    assert "Neoenergia Pernambuco" in cannot.texts[0]
    not_here = await silvia.say(MARIA.phone, "perdi a conta, nao sei onde botei")
    assert not_here.stage == Stage.DOCUMENT_REQUESTED and "lembrar" in not_here.texts[0]
    later = await silvia.say(MARIA.phone, "te mando amanha")
    assert later.stage == Stage.DOCUMENT_REQUESTED
    refusal = await silvia.say(MARIA.phone, "desisti, não tenho interesse")
    assert refusal.stage == Stage.LOST


# --- 5. a returning lead continues where they stopped ----------------------------------------


async def test_a_lead_back_after_declining_resumes_and_is_not_greeted_twice(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "prefiro o do meio")
    assert (await silvia.say(MARIA.phone, "nao tenho interesse")).stage == Stage.LOST
    back = await silvia.say(MARIA.phone, "oiee to de volta")
    assert back.stage == Stage.DOCUMENT_REQUESTED and "Plano Plus" in back.texts[0]
    greetings = [m for m in (await silvia.state(MARIA.phone))["messages"] if "Sou a Sílvia" in m["text"]]
    assert len(greetings) == 1


# --- 6. amounts are checked when said ---------------------------------------------------------


async def test_an_amount_below_the_minimum_is_said_and_confirmed(silvia: Silvia) -> None:
    await silvia.say(COLD, "oi")
    tiny = await silvia.say(COLD, "moro em parnamirim minha luz da 7 reais pq quase nao fico em casa")
    assert tiny.stage == Stage.GREETED and "7,00" in tiny.texts[0] and "150,00" in tiny.texts[0]
    unsure = await silvia.say(COLD, "hmm")
    assert "7,00" in unsure.texts[0]  # asked again, not dropped
    confirmed = await silvia.say(COLD, "sim")
    assert confirmed.stage == Stage.NOT_QUALIFIED
    assert (await silvia.state(COLD))["qualification"]["reason_code"] == "bill_below_minimum"


async def test_a_very_high_home_amount_is_confirmed_before_the_estimate(silvia: Silvia) -> None:
    await silvia.say(COLD, "moro em natal, a conta de casa veio 25 mil")
    assert "empresa" in (await silvia.state(COLD))["messages"][-1]["text"]
    estimate = await silvia.say(COLD, "isso mesmo")
    assert estimate.stage == Stage.GREETED and "por ano" in estimate.texts[0]


# --- 7. a plan named early is kept ------------------------------------------------------------


async def test_a_plan_named_before_the_plans_is_registered(silvia: Silvia) -> None:
    phone = await seeded(silvia)
    await silvia.say(phone, "oii queria o plano sem fidelidade")
    shown = await silvia.say(phone, "sim")
    assert shown.stage == Stage.DOCUMENT_REQUESTED and "Plano Essencial" in shown.texts[0]
    done = await send_file(silvia, phone, bill_pdf(total=390.0, seed=9))
    assert done.stage == Stage.HANDED_OFF and "Plano Essencial" in done.texts[0]
    state = await silvia.state(phone)
    registration = await silvia.registrations.get(state["serena_lead_id"])
    assert registration is not None and registration["payload"]["plan"] == "essencial"


# --- 8. the numbers agree ----------------------------------------------------------------------


async def test_the_proposal_shows_one_figure_for_the_chosen_plan(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "premium")
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=395.0, seed=3))
    text = result.texts[0]
    assert "79,00" in text  # 20 % of 395 (Plano Premium)
    assert "71,10" not in text and "investimento" not in text  # no 18 % average, no panel price
    assert not result.state["turn"]["guard_violations"]


# --- 9. honest and humane ----------------------------------------------------------------------


async def test_where_the_contact_came_from_is_stored(silvia: Silvia) -> None:
    await silvia.say(COLD, "oi vi o anuncio de vcs no face")
    await silvia.leads.upsert_lead(LeadRecord(phone=MARIA.phone, name="Maria", source="crm_import"))
    await silvia.say(MARIA.phone, "oi vi o anuncio")
    async with silvia.sessions() as session:
        sources = dict((await session.execute(sa.select(Lead.phone_number, Lead.source))).all())
    assert sources == {COLD: "ad", MARIA.phone: "crm_import"}  # the first known source wins


async def test_an_erasure_request_opts_out_and_queues_the_erasure(silvia: Silvia, tmp_path: Path) -> None:
    await reach_plans(silvia)
    erase = await silvia.say(MARIA.phone, "por favor excluam meu cadastro de vcs")
    assert erase.stage == Stage.OPTED_OUT and "exclusão" in erase.texts[0]
    assert (await silvia.say(MARIA.phone, "ok")).texts == []  # opted out: recorded, not answered
    admin = LeadAdmin(make_settings(tmp_path), silvia.sessions, silvia.graph.checkpointer, None)
    [pending] = await admin.pending_requests()
    assert (pending["kind"], pending["requester_phone"]) == ("erase", MARIA.phone)
    removed = await admin.forget(MARIA.phone)
    assert removed["data requests closed"] == 1 and await admin.pending_requests() == []
    async with silvia.sessions() as session:
        [audit] = (await session.scalars(sa.select(DataRequest))).all()
    assert audit.status == "done" and audit.requester_phone is None and audit.done_at is not None


async def test_someone_elses_data_is_refused_and_an_angry_lead_gets_no_pitch(silvia: Silvia) -> None:
    await reach_plans(silvia)
    other = await silvia.say(MARIA.phone, "consegue me passar o endereco do meu cunhado? ele é cliente")
    assert "não posso passar dados de outra pessoa" in other.texts[0]
    angry = await silvia.say(MARIA.phone, "to de saco cheio dessas mensagens, pessimo atendimento")
    assert angry.stage == Stage.PLANS_PRESENTED and "Sinto muito" in angry.texts[0]
    assert "R$" not in angry.texts[0] and "planos" not in angry.texts[0]


# --- 10. names and Portuguese --------------------------------------------------------------------


async def test_names_honorifics_and_no_artefacts(silvia: Silvia) -> None:
    phone = await seeded(silvia, name="dona Maria do Carmo", city="Campinas", state="SP")
    text = (await silvia.say(phone, "bom dia")).texts[0]
    assert text.startswith("Oi, Dona Maria!") and "Oi Dona!" not in text
    await silvia.say(COLD, "oi")
    unserved = await silvia.say(COLD, "moro em porto alegre pago 600")
    assert ",  " not in unserved.texts[0] and ", 😕" not in unserved.texts[0]


async def test_a_lead_without_a_name_is_asked_before_registration(silvia: Silvia) -> None:
    await silvia.say(COLD, "oi moro em natal pago 330")
    await silvia.say(COLD, "sim")
    await silvia.say(COLD, "plus")
    await send_file(silvia, COLD, image_only_pdf())  # nothing legible: the lead types the total
    asked = await silvia.say(COLD, "a conta deu 330,50")
    assert asked.stage == Stage.DOCUMENT_RECEIVED and "nome completo" in asked.texts[0]
    named = await silvia.say(COLD, "me chamo joana d'arc lima")
    assert named.stage == Stage.HANDED_OFF and "Joana" in named.texts[0]
    registration = await silvia.registrations.get((await silvia.state(COLD))["serena_lead_id"])
    assert registration is not None and registration["payload"]["fullName"] == "Joana D'arc Lima"


# --- 11. follow-ups agree with the conversation -------------------------------------------------


async def test_the_planner_reads_a_bare_no_like_the_node(silvia: Silvia, clock: list[datetime]) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "nao")  # to "quer que eu mostre as opções?": a refusal, the lead is lost
    later = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 18:00 in Recife, 4 h later
    assert await FollowupStore(silvia.sessions).candidates(later) == []  # never planned
    in_node = facts_from_state(await silvia.state(MARIA.phone))  # type: ignore[arg-type]
    assert decide(in_node, later, "America/Recife").action == "skip"  # nor sent by the node


async def test_how_the_number_was_got_names_the_source_and_how_to_stop(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(LeadRecord(phone=MARIA.phone, name="Maria", source="crm_import"))
    crm = await silvia.say(MARIA.phone, "bom dia, quem passou meu contato pra vcs??")
    assert "cadastro de interessados" in crm.texts[0] and "parar" in crm.texts[0]
    assert crm.stage == Stage.NEW  # answered, not pitched
    await silvia.say(COLD, "oi")
    walk_in = await silvia.say(COLD, "pera, como vc conseguiu meu numero?")
    assert "primeira mensagem" in walk_in.texts[0] and "Desculpe" in walk_in.texts[0]


async def test_an_amount_said_while_the_bill_is_awaited_is_checked(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "plus")
    low = await silvia.say(MARIA.phone, "ah esqueci de falar, minha conta na verdade é 60 reais")
    assert "60,00" in low.texts[0] and "150,00" in low.texts[0]
    fixed = await silvia.say(MARIA.phone, "nao, errei, é 600")
    # The stage and the chosen plan are kept; the plan's figure is re-run (third pass, class 1).
    assert "600,00" in fixed.texts[0] and fixed.stage == Stage.DOCUMENT_REQUESTED
    assert "Plano Plus" in fixed.texts[0] and "90,00" in fixed.texts[0]
