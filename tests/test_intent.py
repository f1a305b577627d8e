"""L2 intent classifier and entity extractor: behaviours and entities (accuracy over the labelled
sets: tests/test_intent_accuracy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.state import Intent
from agent.understanding.intent import Understanding, classify, extract_entities, normalise

LABELLED = Path(__file__).parent / "data" / "intents_labelled.tsv"


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
@pytest.mark.parametrize(
    "text",
    [
        "s",
        "sim",
        "ss",
        "SIM!",
        "simmmm",
        "blz",
        "bora",
        "pode ser",
        "claro",
        "quero",
        "qro sim",
        "👍",
        "ok",
        "uhum",
        "tá bom",
        "com certeza",
    ],
)
def test_affirm_short_forms(text: str) -> None:
    assert classify(text).intent == "affirm"


@pytest.mark.parametrize(
    "text",
    [
        "n",
        "nao",
        "não",
        "NÃO!!",
        "ñ",
        "nem",
        "negativo",
        "nn",
        "naum",
        "nao obrigado",
        "não, valeu",
        "de jeito nenhum",
    ],
)
def test_deny_short_forms(text: str) -> None:
    assert classify(text).intent == "deny"


@pytest.mark.parametrize(
    "text",
    [
        "PARAR",
        "pare",
        "stop",
        "sair",
        "descadastrar",
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
        ("bom dia flor", "greeting"),  # "bom" of "bom dia" is not the affirm "bom"; a vocative is fine
        ("eai meu rei, tudo na paz?", "greeting"),
        ("remove meu contato", "opt_out"),  # "contato" must not be "corrected" to "contrato"
        ("prefiro não", "deny"),  # nor "prefiro" to "primeiro"
        ("quais dados pessoais vcs tem?", "data_request"),  # nor "pessoais" to "pessoa"
        ("como funciona essa energia solar sem placa?", "ask_how_it_works"),  # negated installation cue
        ("não obrigado, já tenho placa solar", "deny"),
        ("muito caro, não vou querer", "deny"),  # an objection, not a price question
        ("queria saber quanto eu ia economizar com uma conta de 450 reais", "ask_price"),  # spoken question
        ("quero o plus, quanto fica?", "choose_plan"),  # the price comes with the plan's confirmation
        ("o plus sai quanto?", "ask_price"),
        ("num tô podendo falar agora não", "later"),  # Nordeste "num" = "não" before a verb
        ("moro num prédio, dá pra colocar?", "ask_installation"),  # ... and "em um" before a noun
        ("tem um telefone pra eu ligar?", "ask_human"),
        ("apaguem meu cadastro", "data_request"),
        ("tô fora", "deny"),
        ("estou fora de casa, depois falo", "later"),
    ],
)
def test_specific_behaviours(text: str, intent: str) -> None:
    assert classify(text).intent == intent


# Misreads found probing real conversations, each with sibling phrasings a lead would also write.
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # "forget me" / "don't look for me again" is a request to stop, not a plain "no"
        ("não quero mais, me esquece", "opt_out"),
        ("me esquece", "opt_out"),
        ("esquece meu número", "opt_out"),
        ("esqueçam meu contato", "opt_out"),
        ("não me procure mais", "opt_out"),
        ("não me liguem mais", "opt_out"),
        ("nunca mais me mande isso", "opt_out"),
        ("não quero mais saber disso", "opt_out"),
        ("me deixa em paz", "opt_out"),
        ("não quero mais", "deny"),  # a plain no stays a no
        ("esquece", "deny"),
        ("me chama mais tarde", "later"),
        ("não quero mais saber de placa, quero a assinatura", "ask_installation"),
        # a hesitation before a short yes keeps it a yes; a laugh-reaction does not become one
        ("hmm ok, pode mostrar", "affirm"),
        ("hum, pode mandar", "affirm"),
        ("ah ok, mostra aí", "affirm"),
        ("ok, pode mostrar os planos", "affirm"),
        ("kkkkkkk boa", "other"),
        # the plan without loyalty is Essencial (tools/data/serena_catalog.yml)
        ("quero o sem fidelidade", "choose_plan"),
        ("vou querer o plano sem fidelidade", "choose_plan"),
        ("prefiro o que não tem fidelidade", "choose_plan"),
        ("sem multa?", "ask_contract"),
        ("tem algum plano sem fidelidade?", "ask_contract"),
        # asking which plan to take is a question about the plans' figures, not a choice
        ("qual o mais barato?", "ask_price"),
        ("qual é o plano mais barato?", "ask_price"),
        ("qual o mais popular?", "ask_price"),
        ("qual vc recomenda?", "ask_price"),
        ("qual o melhor plano pra mim?", "ask_price"),
        ("qual plano vc me indica?", "ask_price"),
        ("o que é melhor, plus ou premium?", "ask_price"),
        ("o mais barato", "choose_plan"),
        # the bill in someone else's name asks who can sign
        ("a conta está no nome da minha mãe, pode?", "ask_contract"),
        ("a conta tá no nome do meu marido, tem problema?", "ask_contract"),
        ("a fatura tá no nome do meu pai, tudo bem?", "ask_contract"),
        ("a conta não está no meu nome", "ask_contract"),
        ("posso contratar se a conta for no nome do meu esposo?", "ask_contract"),
        # the bill not at hand is a promise, not a refusal
        ("não tenho a conta aqui agora", "document_promise"),
        ("não estou com a fatura aqui", "document_promise"),
        ("tô sem a conta agora", "document_promise"),
        ("a conta não tá comigo agora", "document_promise"),
        # living in a flat: the installation FAQ ("funciona em apartamento") answers it at every
        # stage, where provide_info without data would re-ask city and bill or just wait
        ("moro em apartamento", "ask_installation"),
        ("moro num prédio", "ask_installation"),
        ("eu moro de aluguel", "ask_installation"),
        ("moro num apartamento em Olinda", "provide_info"),  # with a city it is data
        # how long until it starts is a timeline question; loyalty/installation words keep theirs
        ("quanto tempo demora pra começar a economizar?", "ask_how_it_works"),
        ("ok, e quanto tempo leva?", "ask_how_it_works"),
        ("em quanto tempo começa o desconto?", "ask_how_it_works"),
        ("demora quanto pra começar?", "ask_how_it_works"),
        ("quando começo a economizar?", "ask_how_it_works"),
        ("quanto tempo de fidelidade?", "ask_contract"),
        ("quanto tempo demora pra instalar", "ask_installation"),
        # English or mixed-language leads
        ("I live in Recife, my bill is 300", "provide_info"),
        ("my bill is 300", "provide_info"),
        ("around 300 reais", "provide_info"),
        ("I pay around 500 a month", "provide_info"),
        # asking for a person by name is a hand-off; Serena/"voces" or a relative is not
        ("quero falar com a Ana", "ask_human"),
        ("posso falar com o Bruno?", "ask_human"),
        ("queria falar com a Carla, ela que me atendeu", "ask_human"),
        ("me passa pra Ana", "ask_human"),
        ("pode me passar pro Bruno?", "ask_human"),
        ("quero falar com a Serena", "affirm"),
        ("quero falar com vocês", "affirm"),
        ("queria falar com minha esposa antes", "other"),
        ("vou falar com o João e te aviso", "other"),
        # a cost to start is a price question
        ("preciso pagar alguma coisa agora?", "ask_price"),
        ("tem que pagar algo pra começar?", "ask_price"),
        ("vou ter que pagar alguma coisa antes?", "ask_price"),
        ("tem taxa de adesão?", "ask_price"),
        ("pago algo pra entrar?", "ask_price"),
        # a place plus a bare amount answers the profile question
        ("Natal 350", "provide_info"),
        ("recif 300", "provide_info"),
    ],
)
def test_probed_misreads_and_siblings(text: str, intent: str) -> None:
    assert classify(text).intent == intent


@pytest.mark.parametrize("text", ["não me esqueça", "não esqueça de me mandar", "esquece o que eu disse"])
def test_forget_words_that_are_not_a_request_to_stop(text: str) -> None:
    assert classify(text).intent != "opt_out"


def test_housing_statement_is_confident_enough_not_to_escalate() -> None:
    # agent.context: below 0.7 the graph asks a language model, which would read it as bare data.
    assert classify("moro em apartamento").confidence >= 0.7
    assert classify("quero o sem fidelidade").confidence >= 0.7


def test_confidence_is_lower_when_unsure() -> None:
    clear = classify("quanto custa?").confidence
    vague = classify("hmm sei la talvez").confidence
    mixed = classify("funciona em apartamento?").confidence  # installation vs. provide_info cue
    assert 0.0 <= vague < 0.5 < mixed < clear <= 1.0


def test_understanding_to_dict_and_valid_names() -> None:
    u = classify("moro em Olinda e minha conta vem uns 250")
    assert isinstance(u, Understanding)
    assert u.to_dict() == {
        "intent": "provide_info",
        "confidence": u.confidence,
        "entities": {"city": "Olinda", "state": "PE", "bill_amount": 250.0},
    }
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
        ("paguei 415,90 esse mês", {"bill_amount": 415.9}),  # cents make it money; "paguei" is context
        ("vem uns mil e duzentos por mes", {"bill_amount": 1200.0}),  # spelled out
        ("pago uns trezentos e cinquenta", {"bill_amount": 350.0}),
        ("uns 2 mil e 500 de luz", {"bill_amount": 2500.0}),
        ("gasto uns 1,5 mil por mes", {"bill_amount": 1500.0}),
        ("minha conta vem entre 300 e 400", {"bill_amount": 350.0}),  # a range reads as its middle
        ("entre trezentos e quatrocentos reais", {"bill_amount": 350.0}),
        ("tenho dois filhos e uma casa", {}),
        ("sou cliente desde dois mil e dezenove", {}),  # a year, spelled out
        ("I live in Recife, my bill is 300", {"bill_amount": 300.0}),  # English cues
        ("around 300 reais", {"bill_amount": 300.0}),
        ("my energy bill is about 450", {"bill_amount": 450.0}),
        ("about 2 years ago", {}),
        ("Natal 350", {"bill_amount": 350.0}),  # a place plus a bare number: the bill
        ("Recife 300", {"bill_amount": 300.0}),
        ("recif 300", {"bill_amount": 300.0}),
        ("Fortaleza - CE, R$ 420", {"bill_amount": 420.0}),
        ("Recife 300 kwh", {}),  # energy, not money
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
        ("Natal 350", "Natal", "RN"),  # short message with a bare amount: the city, not Christmas
        ("natal rn 350", "Natal", "RN"),
        ("Patos 200 reais", "Patos", "PB"),
        ("feliz natal 2025", None, None),  # more than a place and an amount
        ("natal", None, None),  # alone it cannot be told from Christmas (the graph has the question)
        ("recif 300", "Recife", "PE"),  # one-letter typos
        ("fortalza", "Fortaleza", "CE"),
        ("salvdor", "Salvador", "BA"),
        ("moro em maceio", "Maceió", "AL"),
        ("sobrou uma sobra", None, None),  # ordinary words near a city stay words
        ("a barreira caiu", None, None),
        ("paraiba", None, "PB"),  # a state name is not a typo'd city ("Parnaíba")
        ("a comida brasileira", None, None),
    ],
)
def test_city_and_state(text: str, city: str | None, state: str | None) -> None:
    found = extract_entities(text)
    assert found.get("city") == city
    assert found.get("state") == state


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("quero o plus", "plus"),
        ("o primeiro", "essencial"),
        ("opção 2", "plus"),
        ("vou de premium", "premium"),
        ("o mais popular", "plus"),
        ("o mais completo", "premium"),
        ("o mais barato", "essencial"),
        ("prefiro o básico", "essencial"),
        ("escolho o 3", "premium"),
        ("vou ficar com o premiun", "premium"),
        ("no primeiro mês tem desconto?", None),
        ("é mais barato que a conta normal?", None),
        ("minha conta vem 380", None),
        ("2 mil e 500", None),
        ("minha conta é bifásica", None),  # money, and not "basico"
        ("quero o sem fidelidade", "essencial"),  # the plan without loyalty
        ("vou de plano sem multa", "essencial"),
        ("qual o mais barato?", None),  # asks which; does not pick
        ("qual é o plano sem fidelidade?", None),
        ("sem multa?", None),
    ],
)
def test_plan(text: str, plan: str | None) -> None:
    assert extract_entities(text).get("plan") == plan


@pytest.mark.parametrize(
    ("text", "person_type"),
    [
        ("é pra minha casa", "natural"),
        ("é residencial", "natural"),
        ("tenho cpf só", "natural"),
        ("é pra minha empresa", "juridical"),
        ("tenho uma loja", "juridical"),
        ("é no cnpj", "juridical"),
        ("um comércio", "juridical"),
        ("qual o cnpj de vcs?", None),
        ("quanto custa?", None),
    ],
)
def test_person_type(text: str, person_type: str | None) -> None:
    assert extract_entities(text).get("person_type") == person_type


@pytest.mark.parametrize(
    "text", ["pode apresentar", "pode me apresentar", "apresenta aí", "pode falar", "pode me mostrar"]
)
def test_a_bare_go_ahead_to_the_offer_is_a_yes(text: str) -> None:
    # The greeting asks "Posso apresentar os planos…?": the verb alone, without "os planos", is a yes.
    assert classify(text).intent == "affirm"
