"""Every template renders, obeys the persona rules, and keeps its numbers grounded."""

import pytest

from agent.policy.guard import check_message, collect_facts
from agent.replies.templates import PromptBook, TemplateError

BOOK = PromptBook.load()
FRAGMENTS = ("nudge.", "plan_line.")  # parts of a message, not messages
SAMPLE = {
    "first_name": "Maria",
    "name": "Maria Oliveira",
    "name_greeting": " Maria",
    "lives_in": "você mora em",
    "when_text": "amanhã (quarta-feira)",
    "city": "Recife",
    "state": "PE",
    "company": "Padaria Boa Massa",
    "bill_amount": "380,00",
    "yearly_savings": "820,80",
    "monthly_savings": "68,40",
    "investment_amount": "17.100,00",
    "average_saving_pct": 18,
    "distributor": "Neoenergia Pernambuco",
    "plan_lines": "*Plano Plus* — 15% de desconto",
    "selected_plan": "Plano Plus",
    "recommended_plan": "Plano Plus",
    "consumption": "350",
    "current_bill": "412,37",
    "specialist_name": "Ana",
    "contact_when": "hoje",
    "reason": "A conta mínima é de R$ 150,00.",
    "missing": "*sua cidade*",
    "specialist_part": "",
    "nudge": "Qual dos planos você prefere?",
    "plan_name": "Plano Plus",
    "plan_badge": "",
    "discount_pct": "15",
    "plan_monthly_savings": "57,00",
    "loyalty_text": "sem fidelidade",
    "missing_part": "o *valor total*",
    "document_kind": "conta de água",
    "said_amount": "380,00",
    "bill_total": "950,00",
    "place": "Salvador",
    "origin": "você chegou até a gente por um anúncio da Serena",
    "distributor_text": "Neoenergia Pernambuco",
    # knowledge-base facts (agent/nodes/knowledge.py fills them)
    "plan_loyalty_text": "fidelidade de 12 meses",
    "plan_compare_lines": "• *Plano Plus*: 15% de desconto, fidelidade de 12 meses",
    "plan_recommendation": "Pelo que você me contou, eu iria de *Plano Plus* 🤔",
    "plan_discount_pct": "15",
    "adhesion_text": "Não há taxa de adesão em nenhum plano",
    "min_bill_natural": "150,00",
    "min_bill_company": "500,00",
    "served_states": "Pernambuco, Bahia, Ceará e Rio Grande do Norte",
    "source_text": "Seu contato chegou até a Serena por *um anúncio*",
    "option_a": "Pagamento",
    "option_b": "Cancelamento",
}


@pytest.mark.parametrize("template_id", BOOK.template_ids())
def test_template_renders_and_passes_guard(template_id: str) -> None:
    raw, _ = BOOK.raw(template_id)
    rendered = BOOK.render(template_id, SAMPLE)
    assert "{" not in rendered.text
    if template_id.startswith(FRAGMENTS):
        return
    assert check_message(rendered.text, collect_facts([SAMPLE, raw])) == []


def test_versions_of_the_seed_are_present() -> None:
    for version in ("v2.0_casual", "v2.0_premium", "v2.1_interactive", "v1.5_educational"):
        assert version in BOOK.versions()
    assert BOOK.has("error.generic_fallback") and BOOK.has("error.ocr_failed")


def test_version_is_chosen_and_recorded() -> None:
    assert BOOK.render("greeting", SAMPLE, "v2.0_premium").version == "v2.0_premium"
    assert BOOK.render("greeting", SAMPLE, "v9_unknown").version == "v2.0_casual"  # family default
    assert BOOK.render("plan_presentation", SAMPLE, "v2.0_casual").version == "v2.1_interactive"


def test_missing_variable_is_an_error_not_a_broken_message() -> None:
    with pytest.raises(TemplateError):
        BOOK.render("greeting", {"first_name": "Maria"})
    with pytest.raises(TemplateError):
        BOOK.render("no_such_family", SAMPLE)


def test_faq_covers_every_question_intent() -> None:
    assert set(BOOK.faq_intents()) == {
        "ask_price",
        "ask_how_it_works",
        "ask_installation",
        "ask_trust",
        "ask_contract",
    }


def test_no_markdown_double_asterisks_anywhere() -> None:
    for template_id in BOOK.template_ids():
        assert "**" not in BOOK.raw(template_id)[0], template_id
