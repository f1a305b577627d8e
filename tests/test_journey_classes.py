"""The lead's journey off the happy path, third pass (issue 14): the classes a fresh set failed,
through the real graph on the embedded default, in phrasings of their own (not the dataset's):
amounts said after the plans (rule 6), returning leads (rule 5), honorifics (rule 10), one
savings figure (rule 8), a CRM bill below the minimum, the city never asked twice, and the
cannot/later/someone-else/refusal detectors read by sentence shape.
"""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.decisions import refuses
from agent.understanding.hesitations import hesitation
from agent.understanding.reading import read_message
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia, TurnResult

COLD = "+5584999990123"


def templates(result: TurnResult) -> list[str]:
    return [r["template_id"] for r in result.replies]


async def _choose(silvia: Silvia, plan: str = "plus") -> None:
    await reach_plans(silvia)
    chosen = await silvia.say(MARIA.phone, plan)
    assert chosen.stage == Stage.DOCUMENT_REQUESTED


# --- rule 6: an amount said after the plans is checked at once, stage and plan kept -----------


async def test_a_corrected_amount_after_choosing_keeps_the_plan_and_gives_its_new_figure(
    silvia: Silvia,
) -> None:
    await _choose(silvia, "plus")  # Maria, R$ 380 in Recife
    corrected = await silvia.say(MARIA.phone, "opa, digitei errado: é 450")
    assert corrected.stage == Stage.DOCUMENT_REQUESTED
    text = corrected.texts[0]
    assert "450,00" in text and "Plano Plus" in text and "67,50" in text  # 15 % of R$ 450
    assert "média" not in text and "Sou a Sílvia" not in text
    state = await silvia.state(MARIA.phone)
    assert state["selected_plan"]["id"] == "plus" and state["profile"]["bill_amount"] == 450


async def test_an_amount_below_the_minimum_after_choosing_is_confirmed_without_leaving_the_step(
    silvia: Silvia,
) -> None:
    await _choose(silvia, "premium")
    low = await silvia.say(MARIA.phone, "pensando bem a conta mesmo fica em uns 70")
    assert low.stage == Stage.DOCUMENT_REQUESTED  # never back to `greeted`
    assert "70,00" in low.texts[0] and "150,00" in low.texts[0]
    assert (await silvia.state(MARIA.phone))["selected_plan"]["id"] == "premium"
    confirmed = await silvia.say(MARIA.phone, "é isso aí mesmo")
    assert confirmed.stage == Stage.NOT_QUALIFIED and "satisfaction.ask" not in templates(confirmed)


async def test_a_corrected_amount_at_the_plans_shows_the_same_plans_with_new_figures(silvia: Silvia) -> None:
    await reach_plans(silvia)
    corrected = await silvia.say(MARIA.phone, "corrige ai: a conta é 900")
    assert corrected.stage == Stage.PLANS_PRESENTED
    assert "900,00" in corrected.texts[0] and "180,00" in corrected.texts[0]  # Premium, 20 %
    assert corrected.replies[0].get("buttons")


async def test_a_companys_corrected_amount_is_checked_against_the_company_minimum(silvia: Silvia) -> None:
    company = MARIA.model_copy(update={"phone": COLD, "name": "Mercadinho Sol", "bill_amount": 900.0,
                                       "client_type": "business"})  # fmt: skip
    await silvia.leads.upsert_lead(company)
    for text in ("oi", "sim"):
        await silvia.say(COLD, text)
    low = await silvia.say(COLD, "na real a conta da loja é 350 reais")
    assert low.stage == Stage.PLANS_PRESENTED
    assert "350,00" in low.texts[0] and "500,00" in low.texts[0]
    assert "Economia estimada" not in low.texts[0]  # no figures for an amount that cannot qualify


async def test_a_very_high_home_amount_after_choosing_is_confirmed_then_the_plan_goes_on(
    silvia: Silvia,
) -> None:
    await _choose(silvia, "essencial")
    high = await silvia.say(MARIA.phone, "retificando, a conta é 5.200 reais")
    assert high.stage == Stage.DOCUMENT_REQUESTED and "CNPJ" in high.texts[0]
    confirmed = await silvia.say(MARIA.phone, "sim, é isso mesmo")
    assert confirmed.stage == Stage.DOCUMENT_REQUESTED
    assert "Plano Essencial" in confirmed.texts[0] and "5.200,00" in confirmed.texts[0]


# --- rules 5 and 8: the welcome back picks up the plan and the bill, with one figure -----------


async def test_back_after_declining_the_plan_and_the_missing_bill_with_the_plans_figure(
    silvia: Silvia,
) -> None:
    await _choose(silvia, "plus")
    lost = await silvia.say(MARIA.phone, "olha, não me interessa mais")
    assert lost.stage == Stage.LOST
    back = await silvia.say(MARIA.phone, "oi, voltei")
    assert back.stage == Stage.DOCUMENT_REQUESTED
    text = " ".join(back.texts)
    assert "Plano Plus" in text and "conta de luz" in text and "57,00" in text  # 15 % of R$ 380
    assert "média" not in text and "Sou a Sílvia" not in text


async def test_a_greeting_after_silence_picks_up_the_plan_and_the_bill(silvia: Silvia) -> None:
    await _choose(silvia, "premium")
    hello = await silvia.say(MARIA.phone, "bom dia Sílvia")
    assert hello.stage == Stage.DOCUMENT_REQUESTED
    assert "Plano Premium" in hello.texts[0] and "conta de luz" in hello.texts[0]
    assert "Sou a Sílvia" not in hello.texts[0]


async def test_asking_whether_the_offer_still_holds_is_a_return_not_a_question(silvia: Silvia) -> None:
    await _choose(silvia, "essencial")
    await silvia.say(MARIA.phone, "deixa pra lá, não vou querer")
    back = await silvia.say(MARIA.phone, "aquela proposta ainda ta de pé?")
    assert back.stage == Stage.DOCUMENT_REQUESTED and "Plano Essencial" in back.texts[0]
    assert not any(t.startswith(("kb.", "faq.")) for t in templates(back))


async def test_the_premium_greeting_words_its_yearly_figure_as_the_average(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"bill_amount": 2500.0}))
    greeting = await silvia.say(MARIA.phone, "oi")
    assert "média" in greeting.texts[0] and "até R$" not in greeting.texts[0]


# --- rule 10: honorifics kept, no artefacts without a name -----------------------------------


async def test_an_honorific_the_lead_introduces_is_kept_with_the_crm_name(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"name": "Raimundo Sales"}))
    intro = await silvia.say(MARIA.phone, "bom dia, quem fala é o seu raimundo")
    assert "Seu Raimundo" in intro.texts[0]
    plans = await silvia.say(MARIA.phone, "pode mostrar")
    assert "Seu Raimundo" in plans.texts[0]
    assert (await silvia.state(MARIA.phone))["profile"]["name"] == "Seu Raimundo Sales"


async def test_a_crm_honorific_is_written_properly_and_never_alone(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"name": "dra helena braga"}))
    greeting = await silvia.say(MARIA.phone, "oi")
    assert greeting.texts[0].startswith("Oi, Dra. Helena!")
    cold = await silvia.say(COLD, "boa noite, sou a dona Cida, moro em Olinda", name="Dona")
    assert "Dona Cida" in cold.texts[0] and "Oi Dona!" not in cold.texts[0]


async def test_a_crm_name_in_capitals_is_written_as_a_name(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"name": "SEU JOSÉ PAIVA"}))
    greeting = await silvia.say(MARIA.phone, "boa tarde")
    assert greeting.texts[0].startswith("Oi, Seu José!")


async def test_a_nameless_lead_sees_no_artefacts(silvia: Silvia) -> None:
    result = await silvia.say(COLD, "boa tarde moro em porto alegre e pago 500")
    assert result.stage == Stage.NOT_QUALIFIED
    for text in result.texts:
        assert "  " not in text and ", 😕" not in text and ",!" not in text and " ," not in text


# --- a CRM bill below the minimum; the city never asked twice --------------------------------


async def test_a_crm_bill_below_the_minimum_is_said_before_any_savings(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"bill_amount": 110.0}))
    greeting = await silvia.say(MARIA.phone, "olá")
    assert "110,00" in greeting.texts[0] and "150,00" in greeting.texts[0]
    assert "por ano" not in greeting.texts[0]
    corrected = await silvia.say(MARIA.phone, "o certo é 260")
    assert corrected.stage == Stage.GREETED and "por ano" in corrected.texts[0]


async def test_a_city_said_in_the_first_sentence_is_never_asked_again(silvia: Silvia) -> None:
    first = await silvia.say(COLD, "bom dia, to aqui em garanhuns e queria entender como funciona")
    text = " ".join(first.texts)
    assert "qual cidade" not in text and "sua cidade" not in text and "conta de luz" in text
    estimate = await silvia.say(COLD, "a conta vem uns 290")
    assert "Garanhuns" in estimate.texts[0] and "por ano" in estimate.texts[0]


async def test_a_home_town_no_table_knows_is_kept_and_only_its_state_asked(silvia: Silvia) -> None:
    first = await silvia.say(COLD, "boa tarde, moro em tabira")
    assert "qual cidade" not in first.texts[0] and "estado" in first.texts[0]
    question = await silvia.say(COLD, "e como funciona isso?")
    assert "Tabira" in question.texts[-1] and "sua cidade" not in " ".join(question.texts)
    state = await silvia.say(COLD, "pernambuco, e pago 280")
    assert state.stage == Stage.GREETED and "Tabira" in state.texts[0] and "por ano" in state.texts[0]


# --- rule 4: cannot, later, someone else decides, refusal: by sentence shape -----------------

CANNOT = [
    "nao to conseguindo de jeito nenhum tirar a foto",
    "n sei como escanear isso",
    "nao da pra mandar foto daqui",
    "nem consigo anexar o pdf",
    "meu zap ta ruim nao manda foto",
    "ainda nao consegui baixar a segunda via",
    "nao tenho como enviar a conta pelo celular",
    "a camera do meu celular quebrou",
    "nao sei fazer foto de documento",
    "meu celular é antigo e nao tira foto direito",
]
NO_BILL = [
    "nao to com a fatura aqui",
    "a conta ficou no escritorio",
    "num acho o boleto de jeito nenhum",
    "perdi aquela conta",
    "a fatura ta la em casa",
    "sumiu a conta daqui",
    "nao sei onde botei a conta",
    "to sem a conta agora",
    "estou viajando essa semana",
    "minha conta esta guardada com minha mae",
]
SOMEONE = [
    "minha sogra que resolve essas coisas",
    "nao sou eu que decido",
    "vou passar isso pro meu marido",
    "preciso mostrar os planos pra minha esposa",
    "quem paga a luz é meu pai",
    "ela que decide, a casa é dela",
    "antes preciso conversar com a familia",
    "o dono da casa que assina",
    "nao decido nada sozinha",
    "tenho que ver com meu socio",
]
LATER = [
    "amanha te mando",
    "te mando semana que vem",
    "quando eu chegar em casa eu vejo",
    "depois eu olho com calma",
    "sexta eu te respondo",
    "assim que der eu mando",
    "to ocupada agora",
    "vou pensar com calma",
    "mais tarde eu te chamo",
    "deixa pra semana que vem",
]
REFUSALS = [
    "nao pretendo contratar nada agora obrigado",
    "olha, isso nao me serve",
    "nao penso em trocar de jeito nenhum",
    "pode finalizar o atendimento",
    "dispenso, obrigada",
    "prefiro ficar assim mesmo",
    "nao vou fazer isso nao",
    "nao me convenceu, vou deixar",
    "a gente nao vai aderir",
    "nao faz sentido pra mim",
]
NEITHER = [
    "quero o plus",
    "pode mostrar",
    "minha conta é 300",
    "quanto tempo depois começa o desconto?",
    "meu marido gostou",
    "e se eu desistir, pago multa?",
    "posso cancelar depois?",
    "pode fechar o plus",
    "vocês mandam boleto?",
    "a conta veio alta esse mes",
]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        *[(t, "cannot_photo") for t in CANNOT],
        *[(t, "no_bill_at_hand") for t in NO_BILL],
        *[(t, "someone_decides") for t in SOMEONE],
        *[(t, "later") for t in LATER],
        *[(t, None) for t in NEITHER],
    ],
)
def test_hesitations_are_read_by_sentence_shape(text: str, kind: str | None) -> None:
    assert hesitation(text) == kind


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_are_read_by_sentence_shape(text: str) -> None:
    assert refuses(text) and read_message(text, None).intent == "deny"


@pytest.mark.parametrize("text", [t for t in NEITHER if "?" in t or t.startswith("pode")])
def test_questions_and_choices_are_no_refusal(text: str) -> None:
    assert not refuses(text)


async def test_each_kind_through_the_graph_keeps_or_closes_the_lead(silvia: Silvia) -> None:
    await _choose(silvia, "plus")
    cannot = await silvia.say(MARIA.phone, "num tenho como tirar retrato desse papel")
    assert cannot.stage == Stage.DOCUMENT_REQUESTED and "2ª via" in cannot.texts[0]
    later = await silvia.say(MARIA.phone, "segunda feira eu procuro e te passo")
    assert later.stage == Stage.DOCUMENT_REQUESTED and "não entendi" not in later.texts[0]
    someone = await silvia.say(MARIA.phone, "quem manda aqui é minha sogra")
    assert someone.stage == Stage.DOCUMENT_REQUESTED and "quem decide" in someone.texts[0]
    refusal = await silvia.say(MARIA.phone, "nao pretendo assinar nada, pode encerrar")
    assert refusal.stage == Stage.LOST
