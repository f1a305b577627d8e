"""Conversations no scripted dataset had: questions mid-funnel, changes of mind, data given out of
order, leads stepping back, companies, unserved places. Each test is a defect found by talking to
Sílvia like a real lead; it asserts behaviour (stage, the question answered, nothing said twice).
"""

from __future__ import annotations

import re

from agent.inbound import Inbound
from agent.policy.economics import format_brl, plan_monthly_savings
from agent.ports import LeadRecord
from agent.state import Stage, TurnResult
from tests.conftest import MARIA
from tests.test_conversations import bill_pdf, reach_plans, send_file
from wiring import Silvia

UNKNOWN = "+5581988887777"


async def at_document_request(silvia: Silvia, plan: str = "plus") -> TurnResult:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, plan)
    assert result.stage == Stage.DOCUMENT_REQUESTED
    return result


def asks_for_the_bill(text: str) -> bool:
    return "foto" in text.lower() or "pdf" in text.lower()


async def test_loyalty_question_names_each_plans_loyalty_and_a_follow_up_is_not_a_copy(
    silvia: Silvia,
) -> None:
    await reach_plans(silvia)
    plans = (await silvia.state(MARIA.phone))["plans"]
    loyalty = await silvia.say(MARIA.phone, "qual a fidelidade de cada um?")
    assert loyalty.stage == Stage.PLANS_PRESENTED
    text = loyalty.texts[0]
    for plan in plans:  # every plan named, with its own loyalty from the catalog
        assert plan["name"] in text
        if plan["loyalty_months"]:
            assert f"{plan['loyalty_months']} meses" in text
    follow_up = await silvia.say(MARIA.phone, "e se eu cancelar antes tem multa?")
    assert follow_up.stage == Stage.PLANS_PRESENTED
    assert follow_up.texts[0] != text  # not the same long answer twice in a row


async def test_price_question_after_the_plans_quotes_the_plans_not_only_the_average(silvia: Silvia) -> None:
    await reach_plans(silvia)
    state = await silvia.state(MARIA.phone)
    bill = state["profile"]["bill_amount"]
    price = await silvia.say(MARIA.phone, "qual a diferença de preço entre eles?")
    assert price.stage == Stage.PLANS_PRESENTED
    for plan in state["plans"]:
        assert format_brl(plan_monthly_savings(bill, plan["discount_pct"])) in price.texts[0]


async def test_price_question_after_choosing_quotes_the_chosen_plan(silvia: Silvia) -> None:
    await at_document_request(silvia, "premium")
    state = await silvia.state(MARIA.phone)
    plan, bill = state["selected_plan"], state["profile"]["bill_amount"]
    price = await silvia.say(MARIA.phone, "quanto custa?")
    assert price.stage == Stage.DOCUMENT_REQUESTED
    assert plan["name"] in price.texts[0]
    assert format_brl(plan_monthly_savings(bill, plan["discount_pct"])) in price.texts[0]


async def test_the_same_question_twice_is_not_answered_with_the_same_text(silvia: Silvia) -> None:
    await reach_plans(silvia)
    first = await silvia.say(MARIA.phone, "quanto custa?")
    second = await silvia.say(MARIA.phone, "quanto custa?")
    assert second.stage == first.stage == Stage.PLANS_PRESENTED
    assert second.texts[0] != first.texts[0]


async def test_changing_the_plan_confirms_the_new_one_without_a_second_fanfare(silvia: Silvia) -> None:
    chosen = await at_document_request(silvia, "plus")
    changed = await silvia.say(MARIA.phone, "na verdade prefiro o premium")
    state = await silvia.state(MARIA.phone)
    assert changed.stage == Stage.DOCUMENT_REQUESTED and state["selected_plan"]["id"] == "premium"
    assert "Plano Premium" in changed.texts[0] and changed.texts[0] != chosen.texts[0].replace(
        "Plus", "Premium"
    )
    again = await silvia.say(MARIA.phone, "premium")
    assert again.stage == Stage.DOCUMENT_REQUESTED and again.texts[0] != changed.texts[0]


async def test_a_new_bill_amount_while_waiting_for_the_bill_is_acknowledged(silvia: Silvia) -> None:
    await at_document_request(silvia)
    noted = await silvia.say(MARIA.phone, "minha conta é 520 reais")
    assert noted.stage == Stage.DOCUMENT_REQUESTED
    assert (await silvia.state(MARIA.phone))["profile"]["bill_amount"] == 520
    assert "520,00" in noted.texts[0] and asks_for_the_bill(noted.texts[0])


async def test_unserved_city_is_told_before_the_bill_is_asked(silvia: Silvia) -> None:
    await silvia.say(UNKNOWN, "oi", name="Bruno")
    result = await silvia.say(UNKNOWN, "Belo Horizonte", name="Bruno")
    assert result.stage == Stage.NOT_QUALIFIED
    assert "Belo Horizonte" in result.texts[0] and "valor" not in result.texts[0].lower()


async def test_unserved_state_without_a_city_is_told_kindly(silvia: Silvia) -> None:
    result = await silvia.say(UNKNOWN, "oi, sou de SP", name="Bruno")
    assert result.stage == Stage.NOT_QUALIFIED
    assert "SP" in result.texts[0] and "{" not in result.texts[0]


async def test_an_unserved_lead_asking_when_serena_arrives_gets_an_answer(silvia: Silvia) -> None:
    """Found in the README's own demo: "e quando vocês chegam aqui?" got "não entendi"."""
    await silvia.say(UNKNOWN, "oi, moro em Curitiba PR, minha conta é uns 400", name="Bruno")
    questions = ("poxa, e quando vocês chegam aqui?", "tem previsao de chegar em curitiba", "e pra quando?")
    for question in questions:
        result = await silvia.say(UNKNOWN, question, name="Bruno")
        assert result.stage == Stage.NOT_QUALIFIED, question
        text = result.texts[0]
        assert "Curitiba" in text and "data" in text and "não entendi" not in text, (question, text)


async def test_a_bare_when_from_an_unserved_lead_asks_when_serena_arrives(silvia: Silvia) -> None:
    """A bare "when" names no topic of its own: after "not served yet" it is never read as when
    a discount starts, whatever the matcher guesses."""
    await silvia.say(UNKNOWN, "boa noite, sou de londrina parana, pago uns 380 de luz", name="Bruno")
    for question in ("mas e pra qdo entao?", "tem previsão?", "e a data?"):
        result = await silvia.say(UNKNOWN, question, name="Bruno")
        assert result.stage == Stage.NOT_QUALIFIED, question
        text = result.texts[0]
        assert "Londrina" in text and "desconto" not in text.lower(), (question, text)
    asked = await silvia.say(UNKNOWN, "e quando começa o desconto, se um dia chegar?", name="Bruno")
    assert "Londrina" not in asked.texts[0]  # a real topic beside the "when" is still answered


async def test_ok_after_later_is_not_taken_as_yes(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "depois eu vejo")
    ok = await silvia.say(MARIA.phone, "ok")
    assert ok.stage == Stage.GREETED and not ok.replies[0].get("buttons")


async def test_ok_after_later_at_the_plans_does_not_push_the_choice_again(silvia: Silvia) -> None:
    await reach_plans(silvia)
    await silvia.say(MARIA.phone, "depois eu escolho")
    ok = await silvia.say(MARIA.phone, "ok")
    assert ok.stage == Stage.PLANS_PRESENTED and not ok.replies[0].get("buttons")


async def test_ok_after_no_interest_does_not_ask_for_the_bill_again(silvia: Silvia) -> None:
    await at_document_request(silvia)
    await silvia.say(MARIA.phone, "tchau, não tenho interesse")
    ok = await silvia.say(MARIA.phone, "ok")
    # A clear decline closes the lead (no follow-ups); the "ok" is acknowledged, no new push.
    assert ok.stage == Stage.LOST and not asks_for_the_bill(ok.texts[0])


async def test_blz_after_promising_the_bill_is_not_answered_with_the_same_message(silvia: Silvia) -> None:
    await at_document_request(silvia)
    promise = await silvia.say(MARIA.phone, "não tenho a conta agora, mando amanhã")
    blz = await silvia.say(MARIA.phone, "blz")
    assert blz.stage == Stage.DOCUMENT_REQUESTED and blz.texts[0] != promise.texts[0]


async def test_a_reply_says_the_leads_name_once(silvia: Silvia) -> None:
    await silvia.say(UNKNOWN, "👍", name="Bruno")
    thanks = await silvia.say(UNKNOWN, "😊🙏", name="Bruno")
    assert thanks.texts[0].count("Bruno") == 1
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "depois")
    again = await silvia.say(MARIA.phone, "oi")
    assert again.texts[0].count("Maria") == 1


async def test_nothing_given_is_not_thanked_for(silvia: Silvia) -> None:
    await silvia.say(UNKNOWN, "oi", name="Bruno")
    nothing = await silvia.say(UNKNOWN, "👍👍", name="Bruno")
    assert nothing.stage == Stage.GREETED and not nothing.texts[0].startswith("Obrigada")


async def test_a_lead_without_a_name_gets_no_double_comma(silvia: Silvia) -> None:
    await silvia.say(UNKNOWN, "oi")
    await silvia.say(UNKNOWN, "Recife, 400 reais")
    await silvia.say(UNKNOWN, "sim")
    thanks = await silvia.say(UNKNOWN, "obrigado")
    assert thanks.stage == Stage.PLANS_PRESENTED and ",," not in thanks.texts[0]


async def test_a_question_inside_a_long_first_message_is_answered(silvia: Silvia) -> None:
    run_on = (
        "oi tudo bem entao eu vi o anuncio de voces ne e queria saber como funciona isso ai porque "
        "minha conta ta vindo muito cara uns 500 reais aqui em recife e eu queria pagar menos"
    )
    result = await silvia.say(UNKNOWN, run_on, name="Bruno")
    profile = (await silvia.state(UNKNOWN))["profile"]
    assert result.stage == Stage.GREETED and profile["city"] == "Recife" and profile["bill_amount"] == 500
    assert len(result.texts) == 2 and result.replies[1]["template_id"].startswith("faq.ask_how_it_works")


async def test_an_uncovered_question_while_waiting_for_the_bill_is_not_met_with_waiting(
    silvia: Silvia,
) -> None:
    await at_document_request(silvia)
    question = await silvia.say(MARIA.phone, "a conta tá no nome do meu marido, tem problema?")
    assert question.stage == Stage.DOCUMENT_REQUESTED
    assert "especialista" in question.texts[0]  # honest: the way to someone who can answer


async def test_coverage_question_after_a_plan_button_is_answered_and_keeps_the_leads_city(
    silvia: Silvia,
) -> None:
    await reach_plans(silvia)
    await silvia.handle(
        Inbound(phone=MARIA.phone, kind="interactive", button_id="plan:plus", text="Plano Plus")
    )
    served = await silvia.say(MARIA.phone, "vcs atendem olinda?")
    assert served.stage == Stage.DOCUMENT_REQUESTED and "Olinda" in served.texts[0]
    elsewhere = await silvia.say(MARIA.phone, "e curitiba, atendem?")
    assert "Curitiba" in elsewhere.texts[0] and elsewhere.texts[0] != served.texts[0]
    profile = (await silvia.state(MARIA.phone))["profile"]
    assert (profile["city"], profile["state"]) == ("Recife", "PE")  # a question is not a move


async def test_a_company_mid_funnel_is_noted_and_the_plans_stay_one_tap_away(silvia: Silvia) -> None:
    await reach_plans(silvia)
    company = await silvia.say(MARIA.phone, "é pra minha empresa, tenho cnpj")
    assert company.stage == Stage.PLANS_PRESENTED
    assert (await silvia.state(MARIA.phone))["profile"]["person_type"] == "juridical"
    assert "empresa" in company.texts[0] and company.replies[0].get("buttons")


async def test_asking_for_a_human_is_not_followed_by_a_sales_push(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    human = await silvia.say(MARIA.phone, "quero falar com uma pessoa de verdade, não com robô")
    assert "especialista" in human.texts[0] and "opções" not in human.texts[0]


async def test_qualified_message_quotes_the_plans_own_saving(silvia: Silvia) -> None:
    await at_document_request(silvia, "plus")
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=452.10))
    state = await silvia.state(MARIA.phone)
    assert result.stage == Stage.HANDED_OFF
    plan = state["selected_plan"]
    assert format_brl(plan_monthly_savings(452.10, plan["discount_pct"])) in result.texts[0]
    thanks = await silvia.say(MARIA.phone, "obrigado!")
    assert thanks.stage == Stage.HANDED_OFF and thanks.texts[0] != result.texts[0]


async def test_bill_before_any_plan_registers_with_the_popular_plans_own_saving(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(LeadRecord(**{**MARIA.model_dump(), "bill_amount": 450.0}))
    await silvia.say(MARIA.phone, "oi")
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=452.10))
    plan = (await silvia.state(MARIA.phone))["selected_plan"]
    assert result.stage == Stage.HANDED_OFF and plan["highlight"]
    assert format_brl(plan_monthly_savings(452.10, plan["discount_pct"])) in result.texts[0]


async def test_a_lead_without_a_name_giving_half_the_data_is_not_greeted_again(silvia: Silvia) -> None:
    first = await silvia.say(UNKNOWN, "oi")
    city = await silvia.say(UNKNOWN, "Fortaleza")
    assert city.stage == Stage.GREETED and city.texts[0] != first.texts[0]
    assert "Sou a Sílvia" not in city.texts[0] and "conta de luz" in city.texts[0]  # asks only the bill
    again = await silvia.say(UNKNOWN, "sim")
    assert again.texts[0] != first.texts[0] and "Sou a Sílvia" not in again.texts[0]
    bill = await silvia.say(UNKNOWN, "450")
    assert "Fortaleza" in bill.texts[0] and format_brl(450 * 0.18 * 12) in bill.texts[0]


async def test_a_nudge_without_a_name_leaves_no_comma_after_the_emoji(silvia: Silvia) -> None:
    await silvia.say(UNKNOWN, "oi")
    for _ in range(2):
        hello = await silvia.say(UNKNOWN, "oi")
        assert hello.stage == Stage.GREETED
        assert not re.search(r"[\u2600-\u27bf\U0001f000-\U0001faff]\ufe0f?,", hello.texts[0])


async def test_a_bare_number_beside_the_city_is_the_bill(silvia: Silvia) -> None:
    for phone, message, city, amount in (
        (UNKNOWN, "Recife 500", "Recife", 500.0),
        ("+5584988887777", "Mossoró, 280", "Mossoró", 280.0),
        ("+5575988887777", "Feira de Santana 1.250,90", "Feira de Santana", 1250.90),
    ):
        await silvia.say(phone, "oi")
        result = await silvia.say(phone, message)
        profile = (await silvia.state(phone))["profile"]
        assert (profile["city"], profile["bill_amount"]) == (city, amount)
        assert format_brl(amount * 0.18 * 12) in result.texts[0]
    await silvia.say("+5581977776666", "oi")
    years = await silvia.say("+5581977776666", "moro em recife há 15 anos")
    assert not (await silvia.state("+5581977776666"))["profile"].get("bill_amount")
    assert "conta de luz" in years.texts[0]  # a number that is not the bill is not taken as one
