from decimal import Decimal

import pytest

from agent.policy.guard import check_message, collect_facts, count_emojis, numbers_in, parse_number


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("sem emoji", 0),
        ("Oi 😊", 1),
        ("⚡ e ☀️", 2),
        ("🙋‍♀️", 1),
        ("👍🏽", 1),
        ("🇧🇷", 1),
        ("1️⃣", 1),
        ("• └ — R$ 3,00", 0),
        ("🎉🎉🎉", 3),
    ],
)
def test_count_emojis(text: str, count: int) -> None:
    assert count_emojis(text) == count


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("1.234,56", "1234.56"),
        ("820,80", "820.80"),
        ("18", "18"),
        ("70.76", "70.76"),
        ("1.200", "1200"),
        ("2.500.000", "2500000"),
    ],
)
def test_parse_number(token: str, value: str) -> None:
    assert parse_number(token) == Decimal(value)


def test_numbers_in_ignores_words_with_digits() -> None:
    assert numbers_in("v2 plano de R$ 380,00 e 18%.") == [Decimal("380.00"), Decimal("18")]


def test_grounded_message_passes() -> None:
    facts = collect_facts([{"bill": "380,00", "yearly": 820.8, "pct": 18}])
    assert check_message("Oi Maria 😊 sua conta de R$ 380,00 rende R$ 820,80 por ano (18%).", facts) == []


def test_invented_number_is_caught() -> None:
    facts = collect_facts([380.0])
    violations = check_message("Oi 😊 conta de R$ 380,00 e desconto de 25%!", facts)
    assert violations == ["ungrounded_numbers:25"]


@pytest.mark.parametrize(
    ("text", "violation"),
    [
        ("Sem emoji nenhum.", "emoji_count:0"),
        ("Muitos 😊😊😊", "emoji_count:3"),
        ("Oi 😊 **negrito**", "markdown"),
        ("# Título 😊", "markdown"),
        ("Veja [aqui](http://x) 😊", "markdown"),
        ("Como uma IA, não posso 😊", "ai_talk"),
        ("Oi {name} 😊", "unrendered_placeholder"),
        ("", "empty"),
    ],
)
def test_persona_rules(text: str, violation: str) -> None:
    assert violation in check_message(text, set())


def test_length_limit() -> None:
    assert any(v.startswith("too_long") for v in check_message("a" * 701 + " 😊", set()))
    assert check_message("a" * 690 + " 😊", set()) == []
