"""The lead's journey off the happy path, second pass (issue 14): the classes a held-out set found
(place questions at later stages, a cold lead opening with a place, decisions inside longer
messages, data beside "não consigo", other people's data, complaints and erasure), through the real
graph on the embedded default, in phrasings of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.nodes.followup import facts_from_state
from agent.policy.followups import decide
from agent.state import Stage
from storage.followups import FollowupStore
from storage.lead_admin import LeadAdmin
from tests.conftest import MARIA, make_settings
from tests.test_conversations import reach_plans
from wiring import Silvia

COLD = "+5583999990077"


async def _choose(silvia: Silvia, plan: str = "plus") -> None:
    await reach_plans(silvia)
    chosen = await silvia.say(MARIA.phone, plan)
    assert chosen.stage == Stage.DOCUMENT_REQUESTED


# --- place questions are answered at every stage, never stored -------------------------------


async def test_a_relatives_town_asked_while_the_bill_is_awaited_is_answered(silvia: Silvia) -> None:
    await _choose(silvia)
    unserved = await silvia.say(MARIA.phone, "meu sogro mora em teresina, voces tem la?")
    assert unserved.stage == Stage.DOCUMENT_REQUESTED
    assert "Teresina" in unserved.texts[0] and "ainda não chegou" in unserved.texts[0]
    assert "conta de luz" in unserved.texts[0]  # then the pending step
    served = await silvia.say(MARIA.phone, "e a minha tia que mora em sobral, la atende?")
    assert "Enel CE" in served.texts[0] and "aguardo" not in served.texts[0]
    profile = (await silvia.state(MARIA.phone))["profile"]
    assert (profile["city"], profile["state"]) == ("Recife", "PE")


async def test_a_town_no_table_knows_gets_the_served_states(silvia: Silvia) -> None:
    await reach_plans(silvia)
    asked = await silvia.say(MARIA.phone, "voces chegam em sertania tambem?")
    assert asked.stage == Stage.PLANS_PRESENTED
    assert "Sertania" in asked.texts[0] and "Pernambuco" in asked.texts[0]
    assert "não entendi" not in asked.texts[0]
    assert (await silvia.state(MARIA.phone))["profile"].get("city") == "Recife"


async def test_after_the_handover_a_place_question_is_still_answered(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    handed = await silvia.say(MARIA.phone, "quero falar com um especialista por favor")
    assert handed.stage == Stage.HANDED_OFF
    asked = await silvia.say(MARIA.phone, "vcs atendem em lauro de freitas?")
    assert asked.stage == Stage.HANDED_OFF and "Coelba" in asked.texts[0]


async def test_a_not_qualified_lead_reopens_for_a_relatives_served_town(silvia: Silvia) -> None:
    lead = MARIA.model_copy(update={"city": "Belém", "state": "PA", "bill_amount": 480.0})
    await silvia.leads.upsert_lead(lead)
    assert (await silvia.say(lead.phone, "boa tarde")).stage == Stage.NOT_QUALIFIED
    elsewhere = await silvia.say(lead.phone, "e em curitiba, tem?")
    assert elsewhere.stage == Stage.NOT_QUALIFIED and "Curitiba" in elsewhere.texts[0]
    reopened = await silvia.say(lead.phone, "meu irmao mora em parnamirim, la vcs atendem?")
    assert reopened.stage == Stage.GREETED and "Parnamirim" in reopened.texts[0]
    assert "no nome de quem" in reopened.texts[-1]


# --- a cold lead opening with a place question is greeted once --------------------------------


async def test_a_first_message_about_a_place_greets_once_and_moves_on(silvia: Silvia) -> None:
    first = await silvia.say(COLD, "bom dia vcs atendem em garanhuns?")
    assert first.stage == Stage.GREETED
    assert "Sou a Sílvia" in first.texts[0] and "Neoenergia Pernambuco" in first.texts[-1]
    assert not (await silvia.state(COLD))["profile"].get("city")
    data = await silvia.say(COLD, "moro em garanhuns mesmo e pago 310")
    assert data.stage == Stage.GREETED and "310,00" in data.texts[0]
    assert all("Sou a Sílvia" not in t for t in data.texts)


# --- decisions in a statement outrank a keyword's topic ---------------------------------------


async def test_a_refusal_inside_a_longer_message_closes_the_lead(silvia: Silvia) -> None:
    await reach_plans(silvia)
    refused = await silvia.say(MARIA.phone, "pensando bem eu desisti, nao quero mais nao")
    assert refused.stage == Stage.LOST
    assert "fidelidade" not in refused.texts[0] and "Tudo bem" in refused.texts[0]


async def test_a_question_about_leaving_is_still_answered(silvia: Silvia) -> None:
    await reach_plans(silvia)
    asked = await silvia.say(MARIA.phone, "e se eu desistir depois, pago multa?")
    assert asked.stage == Stage.PLANS_PRESENTED and "fidelidade" in asked.texts[0]


async def test_a_plan_named_with_a_reason_is_the_choice_through_the_proposal(silvia: Silvia) -> None:
    await reach_plans(silvia)
    chosen = await silvia.say(MARIA.phone, "a gente prefere o essencial pq o premium prende 24 meses")
    assert chosen.stage == Stage.DOCUMENT_REQUESTED and "Plano Essencial" in chosen.texts[0]
    assert (await silvia.state(MARIA.phone))["selected_plan"]["id"] == "essencial"


# --- data said beside "não consigo" is taken -------------------------------------------------


async def test_a_total_typed_beside_cannot_is_taken_and_checked(silvia: Silvia) -> None:
    await _choose(silvia, "essencial")
    taken = await silvia.say(MARIA.phone, "meu celular ta sem camera, mas a fatura veio 455 reais")
    assert taken.stage == Stage.HANDED_OFF and "455,00" in taken.texts[0] and "2ª via" not in taken.texts[0]
    state = await silvia.state(MARIA.phone)
    assert state["bill"]["source"] == "typed" and state["selected_plan"]["id"] == "essencial"


async def test_a_low_total_typed_beside_cannot_is_checked_not_dropped(silvia: Silvia) -> None:
    await _choose(silvia)
    low = await silvia.say(MARIA.phone, "nao tenho a conta aqui comigo, mas deu uns 70 reais")
    assert "70,00" in low.texts[0] and "150,00" in low.texts[0]


# --- other people's data, complaints and erasure ---------------------------------------------


async def test_another_persons_bill_or_contact_is_refused_plainly(silvia: Silvia) -> None:
    await reach_plans(silvia)
    for ask in ("quanto o meu cunhado economiza com vcs?", "me passa o zap da moça que assinou aqui do lado"):
        refused = await silvia.say(MARIA.phone, ask)
        assert "não posso passar dados de outra pessoa" in refused.texts[0]
        assert refused.stage == Stage.PLANS_PRESENTED
    legit = await silvia.say(MARIA.phone, "posso mandar a conta da minha mae?")
    assert "não posso passar dados" not in legit.texts[0]


async def test_a_complaint_gets_no_pitch_and_no_nudge(silvia: Silvia) -> None:
    await reach_plans(silvia)
    angry = await silvia.say(MARIA.phone, "vcs tao me incomodando demais, que chatice")
    assert angry.stage == Stage.PLANS_PRESENTED and "Sinto muito" in angry.texts[0]
    assert "R$" not in angry.texts[0] and "planos" not in angry.texts[0]
    later = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 18:00 in Recife, 4 h later
    planned = [f for f in await FollowupStore(silvia.sessions).candidates(later) if f.phone == MARIA.phone]
    in_node = facts_from_state(await silvia.state(MARIA.phone))  # type: ignore[arg-type]
    assert planned and planned[0].complained and in_node.complained
    assert decide(planned[0], later, "America/Recife").action == "skip"
    assert decide(in_node, later, "America/Recife") == decide(planned[0], later, "America/Recife")
    calm = await silvia.say(MARIA.phone, "ta bom, quero o plus")  # writing calmly again ends it
    assert calm.stage == Stage.DOCUMENT_REQUESTED
    assert not facts_from_state(await silvia.state(MARIA.phone)).complained  # type: ignore[arg-type]


async def test_a_stop_said_in_anger_opts_out_with_an_apology(silvia: Silvia) -> None:
    await reach_plans(silvia)
    stop = await silvia.say(MARIA.phone, "para de me mandar mensagem, que falta de respeito")
    assert stop.stage == Stage.OPTED_OUT and "Desculpe" in stop.texts[0] and "R$" not in stop.texts[0]


async def test_an_erasure_in_new_words_is_queued_and_opts_out(silvia: Silvia, tmp_path: Path) -> None:
    await _choose(silvia)
    erase = await silvia.say(MARIA.phone, "desculpa mas remove meu contato da base de voces")
    assert erase.stage == Stage.OPTED_OUT and "exclusão" in erase.texts[0]
    admin = LeadAdmin(make_settings(tmp_path), silvia.sessions, silvia.graph.checkpointer, None)
    [pending] = await admin.pending_requests()
    assert (pending["kind"], pending["requester_phone"]) == ("erase", MARIA.phone)


async def test_more_phrasings_of_each_class(silvia: Silvia) -> None:
    """'Deixar pra outra hora' is later, not a refusal; a town asked as 'e em X?'; a stop with an
    erasure said after the data; a complaint without a swear word; no ', :' without a name."""
    await reach_plans(silvia)
    later = await silvia.say(MARIA.phone, "nao obrigada, vou deixar pra outra hora")
    assert later.stage == Stage.PLANS_PRESENTED and "com calma" in later.texts[0]
    town = await silvia.say(MARIA.phone, "e em timbauba?")
    assert "Timbauba" in town.texts[0] and "não entendi" not in town.texts[0]
    angry = await silvia.say(MARIA.phone, "que atendimento porcaria, ninguem resolve nada")
    assert "Sinto muito" in angry.texts[0]
    await silvia.say(COLD, "oi")
    how = await silvia.say(COLD, "como vcs conseguiram meu numero?")
    assert ", :" not in how.texts[0] and "Boa pergunta:" in how.texts[0]
    gone = await silvia.say(COLD, "nao quero mais receber nada e quero meus dados apagados")
    assert gone.stage == Stage.OPTED_OUT and "exclusão" in gone.texts[0]


async def test_refusals_and_choices_in_other_words(silvia: Silvia) -> None:
    await reach_plans(silvia)
    chosen = await silvia.say(MARIA.phone, "fechado entao, o essencial, nao gosto de fidelidade")
    assert chosen.stage == Stage.DOCUMENT_REQUESTED and "Plano Essencial" in chosen.texts[0]
    refused = await silvia.say(MARIA.phone, "obrigada mas nao rola pra mim nao")
    assert refused.stage == Stage.LOST and "Tudo bem" in refused.texts[0]


async def test_a_neighbours_figures_are_refused_and_a_blurry_photo_with_a_total_goes_on(
    silvia: Silvia,
) -> None:
    await reach_plans(silvia)
    refused = await silvia.say(MARIA.phone, "a conta da minha vizinha é quanto?")
    assert "não posso passar dados de outra pessoa" in refused.texts[0]
    await silvia.say(MARIA.phone, "plus")
    taken = await silvia.say(MARIA.phone, "a foto nao sai boa nao, mas o valor ta 388,90")
    assert taken.stage == Stage.HANDED_OFF and "388,90" in taken.texts[0]


async def test_a_plan_only_set_aside_is_not_chosen(silvia: Silvia) -> None:
    await reach_plans(silvia)
    aside = await silvia.say(MARIA.phone, "nao quero o premium, 24 meses é demais")
    assert aside.stage == Stage.PLANS_PRESENTED and not (await silvia.state(MARIA.phone)).get("selected_plan")
    chosen = await silvia.say(MARIA.phone, "quero o plus")
    assert chosen.stage == Stage.DOCUMENT_REQUESTED and "Plano Plus" in chosen.texts[0]


async def test_asking_for_the_plans_after_a_side_question_shows_them(silvia: Silvia) -> None:
    # After the honest bot answer (which offers a person as a "sim"), "mostra os planos" is the
    # plans, not a yes to the person.
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "vc é um robô?")
    shown = await silvia.say(MARIA.phone, "ah entendi. entao me mostra as opções")
    assert shown.stage == Stage.PLANS_PRESENTED
    assert "Plano Essencial" in " ".join(shown.texts)


async def test_a_household_no_after_consulting_closes_politely(silvia: Silvia) -> None:
    await reach_plans(silvia)
    closed = await silvia.say(MARIA.phone, "conversei com meu esposo e a gente não quer não, obrigada")
    assert closed.stage == Stage.LOST
    assert "qual dos planos" not in " ".join(closed.texts).lower()


async def test_a_lead_waiting_for_the_specialist_is_told_who_calls_and_when(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    handed = await silvia.say(MARIA.phone, "quero falar com uma pessoa")
    assert handed.stage == Stage.HANDED_OFF
    for text in ("e quando vão me chamar?", "que dia o especialista fala comigo?"):
        waiting = await silvia.say(MARIA.phone, text)
        said = " ".join(waiting.texts)
        assert waiting.stage == Stage.HANDED_OFF
        assert "especialista" in said and "não entendi" not in said and "dúvida é sobre" not in said
