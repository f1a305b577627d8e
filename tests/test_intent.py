"""L2 intent classifier and entity extractor: behaviours, entities and accuracy over labelled sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.intent import Understanding, classify, evaluate, extract_entities, normalise
from agent.state import Intent

DATA = Path(__file__).parent / "data"
LABELLED = DATA / "intents_labelled.tsv"
HELDOUT = DATA / "intents_heldout.tsv"


# --- normalise --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Olá,   Sílvia!!", "ola silvia"),
        ("  NÃO  ", "nao"),
        ("R$ 1.200,50?", "r$ 1.200,50"),
        ("Simmmm", "sim"),
        ("ação\tinstalação\n", "acao instalacao"),
        ("(81) 99999-8888", "81 99999-8888"),
        ("Obrigadaaa 🙏", "obrigada 🙏"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent_and_keeps_emoji_distinct() -> None:
    # It is a cache key: re-normalising must not change it, and 👍 must not collide with 😂.
    for text in ["Quanto CUSTA?", "moro em São Luís - MA", "👍", "1.200,50 reais"]:
        assert normalise(normalise(text)) == normalise(text)
    assert normalise("👍") != normalise("😂")


# --- short forms and priorities --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["s", "sim", "ss", "SIM!", "simmmm", "blz", "bora", "pode ser", "claro",
                                  "quero", "qro sim", "👍", "ok", "uhum", "tá bom", "com certeza"])
def test_affirm_short_forms(text: str) -> None:
    assert classify(text).intent == "affirm"


@pytest.mark.parametrize("text", ["n", "nao", "não", "NÃO!!", "ñ", "nem", "negativo", "nn", "naum",
                                  "nao obrigado", "não, valeu", "de jeito nenhum"])
def test_deny_short_forms(text: str) -> None:
    assert classify(text).intent == "deny"


@pytest.mark.parametrize(
    "text",
    [
        "PARAR", "pare", "stop", "sair", "descadastrar",
        "obrigado, mas para de me mandar mensagem",
        "oi, quanto custa? ah deixa, me tira da lista",
        "é golpe? me tira da lista",
        "não quero mais receber essas mensagens",
    ],
)
def test_opt_out_wins_over_everything(text: str) -> None:
    assert classify(text).intent == "opt_out"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("oi, quanto custa?", "ask_price"),
        ("bom dia, como funciona?", "ask_how_it_works"),
        ("olá! tem fidelidade?", "ask_contract"),
        ("e se eu quiser sair depois, pago multa?", "ask_contract"),  # "sair" here is not opt-out
        ("vou mandar a conta depois", "document_promise"),  # "depois" alone would be "later"
        ("quero o plus", "choose_plan"),  # "quero" alone would be affirm
        ("quero falar com um atendente", "ask_human"),
        ("apaga meus dados", "data_request"),
        ("é mais barato que a neoenergia?", "ask_price"),
        ("eu fico com o mais barato", "choose_plan"),
        ("moro em Recife", "provide_info"),
        ("minha conta vem 380", "provide_info"),
        ("kkkkkk", "other"),
        ("vcs vendem carro?", "other"),  # "carro" must not be read as "caro"
    ],
)
def test_specific_behaviours(text: str, intent: str) -> None:
    assert classify(text).intent == intent


def test_confidence_is_lower_when_unsure() -> None:
    clear = classify("quanto custa?").confidence
    vague = classify("hmm sei la talvez").confidence
    mixed = classify("funciona em apartamento?").confidence  # installation vs. provide_info cue
    assert 0.0 <= vague < 0.5 < mixed < clear <= 1.0


def test_understanding_to_dict_and_valid_names() -> None:
    u = classify("moro em Olinda e minha conta vem uns 250")
    assert isinstance(u, Understanding)
    assert u.to_dict() == {"intent": "provide_info", "confidence": u.confidence,
                           "entities": {"city": "Olinda", "state": "PE", "bill_amount": 250.0}}
    valid = {i.value for i in Intent}
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        assert classify(line.split("\t")[0]).intent in valid


# --- entities ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R$ 380", {"bill_amount": 380.0}),
        ("380 reais", {"bill_amount": 380.0}),
        ("uns 450 conto", {"bill_amount": 450.0}),
        ("1.200,50", {"bill_amount": 1200.5}),
        ("minha conta vem 380", {"bill_amount": 380.0}),
        ("a fatura é de R$1.350,00", {"bill_amount": 1350.0}),
        ("mais ou menos 2 mil por mes", {"bill_amount": 2000.0}),
        ("conta de 1200.50", {"bill_amount": 1200.5}),
        ("300 kwh", {}),
        ("meu consumo é 300", {}),
        ("meu cel é 81 99999-8888", {}),
        ("sou cliente desde 2019", {}),
        ("são 12 meses de contrato?", {}),
        ("me liga depois das 18h", {}),
    ],
)
def test_bill_amount(text: str, expected: dict[str, object]) -> None:
    found = extract_entities(text)
    assert {k: v for k, v in found.items() if k == "bill_amount"} == expected


@pytest.mark.parametrize(
    ("text", "city", "state"),
    [
        ("moro em Recife", "Recife", "PE"),
        ("sou de jaboatao", "Jaboatão dos Guararapes", "PE"),
        ("fortaleza - CE", "Fortaleza", "CE"),
        ("aqui é em natal rn", "Natal", "RN"),
        ("MORO EM SAO LUIS", "São Luís", "MA"),
        ("moro em joão pessoa", "João Pessoa", "PB"),
        ("sou de fortalesa", "Fortaleza", "CE"),  # typo
        ("moro em Porto Alegre", "Porto Alegre", "RS"),
        ("vivo em feira de santana", "Feira de Santana", "BA"),
        ("moro no estado de pernambuco", None, "PE"),
        ("sou do Pará", None, "PA"),
        ("vou a pe pro trabalho", None, None),  # lower-case "pe" is a word, not a UF
        ("se eu mudar?", None, None),  # lower-case "se"
        ("feliz natal", None, None),  # ambiguous city name without context
        ("sou paulista", None, None),
    ],
)
def test_city_and_state(text: str, city: str | None, state: str | None) -> None:
    found = extract_entities(text)
    assert found.get("city") == city
    assert found.get("state") == state


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("quero o plus", "plus"), ("o primeiro", "essencial"), ("opção 2", "plus"),
        ("vou de premium", "premium"), ("o mais popular", "plus"), ("o mais completo", "premium"),
        ("o mais barato", "essencial"), ("prefiro o básico", "essencial"), ("escolho o 3", "premium"),
        ("vou ficar com o premiun", "premium"), ("no primeiro mês tem desconto?", None),
        ("é mais barato que a conta normal?", None), ("minha conta vem 380", None),
    ],
)
def test_plan(text: str, plan: str | None) -> None:
    assert extract_entities(text).get("plan") == plan


@pytest.mark.parametrize(
    ("text", "person_type"),
    [
        ("é pra minha casa", "natural"), ("é residencial", "natural"), ("tenho cpf só", "natural"),
        ("é pra minha empresa", "juridical"), ("tenho uma loja", "juridical"),
        ("é no cnpj", "juridical"), ("um comércio", "juridical"),
        ("qual o cnpj de vcs?", None), ("quanto custa?", None),
    ],
)
def test_person_type(text: str, person_type: str | None) -> None:
    assert extract_entities(text).get("person_type") == person_type


# --- accuracy (speed is measured by benchmarks/intent_speed.py) ---------------------------------
def _report(name: str, result: dict[str, object]) -> None:
    print(f"\n{name}: accuracy {result['accuracy']:.3f} over {result['n']} messages")
    for intent, acc in result["per_intent"].items():  # type: ignore[union-attr]
        print(f"  {intent:18} {acc:.2f}")
    for text, gold, predicted in result["errors"]:  # type: ignore[union-attr]
        print(f"  MISS {gold:>18} -> {predicted:18} {text}")


def test_labelled_set_covers_every_intent() -> None:
    rows = [line.split("\t") for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 260
    counts = {i.value: sum(1 for _, gold in rows if gold == i.value) for i in Intent}
    assert min(counts.values()) >= 10, counts


def test_accuracy_labelled() -> None:
    result = evaluate(LABELLED)
    _report("labelled", result)
    assert result["accuracy"] >= 0.92


def test_accuracy_heldout() -> None:
    # Written before the rules were tuned and never tuned on; the floor sits a little under the
    # measured value so regressions show up without pretending to more than we measured.
    result = evaluate(HELDOUT)
    _report("held-out", result)
    assert result["accuracy"] >= 0.95
