"""A request for a person ("quero falar com uma pessoa") against a question whether Sílvia is one
("vc é robô ou pessoa?"): the first is a handover, the second an honest answer with a person on
offer. Both mention people and machines, so one keyword cannot tell them apart; the shape of the
sentence does: a wish or a transfer aimed at a person is a request, a question about what "you"
or "these messages" are is about Sílvia.

The patterns run over the canonical text of `agent.understanding.intent` (accents stripped, slang
expanded: "qro" → "quero", "vc" → "voce"), in Portuguese, Spanish and English.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding import rules as lx
from agent.understanding.intent import canonical, normalise

PersonAct = Literal["request_person", "is_bot"]

# Who the lead may want to talk to.
_PERSON = (
    r"(pessoa|pessoas|ser humano|humano|humana|gente|atendente|atendentes|funcionari[oa]|alguem|"
    r"especialista|consultor|consultora|vendedor|vendedora|operador|operadora|representante|"
    r"responsavel|carne e osso|persona|asesor|asesora|agente|alguien|person|human|someone|somebody|agent|"
    r"representative|executiv[oa]s?|gerente|supervisor|supervisora|corretor|corretora|"
    r"(moco|moca|rapaz|menina|menino|alguem)( da| de| do) (empresa|serena|equipe|voces|vendas|atendimento))"
)
# A role Sílvia can hand over to, asked for by name alone ("tem um representante?", "vcs têm algum
# consultor comercial pra eu conversar?"): a question whether such a person exists is a request.
_ROLE = (
    r"(atendente|especialista|consultor|consultora|vendedor|vendedora|representante|executiv[oa]|gerente|"
    r"corretor|corretora|supervisor|supervisora)( comercial| de vendas| de contas| da serena| de voces)?"
)
# The Nordeste double negative: "não tem como alguém me ligar não?", "num dá pra um atendente me
# chamar não?" asks for it; the negations frame a polite ask, they negate nothing.
_DOUBLE_NEGATIVE = re.compile(
    r"^(nao|num|n) (?=(tem como|teria como|da pra|dava pra|daria pra|da para|tem|teria|pode|podia|poderia|"
    r"consegue|conseguia) .+ (nao|n)$)"
)
# A wish, a polite ask or a preference ("quero", "dava pra", "prefiero", "can I"); a "não" right
# before it negates it ("não quero falar com ninguém").
_WANT = (
    r"(?<!nao )\b(quero|queria|gostaria( de)?|prefiro|preferia|preferiria|pode|poderia|podia|"
    r"tem como|teria como|da pra|dava pra|daria pra|consigo|posso|preciso|quiero|quisiera|prefiero|"
    r"puedo|necesito|can i|could i|may i|i want|i d like|i would like|let me|i need|i prefer)\b"
)
# A plain wish for someone ("quero um ser humano"), without "falar com": the stronger verbs only
# ("pode alguém vir aqui?" asks about a visit).
_WISH = (
    r"(?<!nao )\b(quero|queria|gostaria de|prefiro|preferia|quiero|prefiero|necesito|i want|i d like|"
    r"i would like|i need)\b"
)
# Any verb in the infinitive ("falar", "acertar", "resolver", "hablar") then "com" a person.
_TALK = r"(\w+(ar|er|ir)|ser atendid[oa]|atendimento|talk|speak|chat)"
_WITH = r"(com|c|con|with|to)"
_CALL_ME = (
    r"(ligar|ligasse|liga|ligue|atender|atendesse|atenda|chamar|chamasse|retornar|retornasse|responder|"
    r"respondesse|explicar|explicasse)"
)
_TRANSFER = (
    r"\b(passa|passe|passar|transfere|transfira|transferir|encaminha|encaminhe|encaminhar|coloca|"
    r"coloque|colocar|bota|bote|botar|poe|ponha|por|chama|chame|chamar|manda|mande|pasame|"
    r"transfiere|transfer|put me|connect me)\b"
)
_REQUEST = re.compile(
    rf"{_WANT}.{{0,30}}\b{_TALK}\b( \w+){{0,3}} {_WITH} (\w+ ){{0,3}}{_PERSON}\b"
    rf"|{_WISH} (falar |conversar )?(com |con |with |to )?(um |uma |algum |alguma |o |a |un |una |an )?"
    rf"{_PERSON}\b"
    rf"|{_TRANSFER} (eu |me )?(pra|para|com|con|to|with|um|uma|o|a|algum|alguma)\b.{{0,30}}\b{_PERSON}\b"
    rf"|\b(pra|para|que|se) (um |uma |o |a |algum |alguma )?{_PERSON} (\w+ ){{0,3}}(me |pra me |para me )"
    rf"{_CALL_ME}\b|\b{_PERSON} (pode|poderia|podia|consegue|conseguia) (me )?{_CALL_ME}\b"
    rf"|{_WANT} (\w+ ){{0,4}}{_PERSON} (\w+ ){{0,3}}(me |pra me |para me ){_CALL_ME}\b"
    rf"|^(voces |voce |a serena )?(tem|teria|existe|nao tem) (um |uma |algum |alguma )?{_ROLE}"
    rf"( (pra|para|que) (eu |me )?(falar|conversar|tratar|atender|ligar|chamar|atenda|ligue)\b.*)?$"
    r"|\batendimento (humano|com pessoa|com uma pessoa)\b"
    # "me liga alguém", "liguem pra mim": a call is a person ("não me liga" is no request).
    r"|(?<!nao )\b(me liga|me ligue|me liguem|me telefona|me telefone|me telefonem|liguem pra mim|"
    r"liga pra mim|ligue pra mim|liguem para mim|ligue para mim|llamame|call me)\b"
    r"(?!.{0,20}\b(quando|que horas|que dia)\b)"  # "o especialista me liga quando?" asks when
)
# What "you", "this" or "these messages" are: a machine, a program, a person typing.
# ("débito automático" is a way to pay, "isso aí" no AI, "eu ia" no IA.)
_MACHINE = (
    r"(robo|robozinho|robot|bot|chatbot|maquina|inteligencia artificial|(?<!debito )automatic[oa]s?|"
    r"automatizad[oa]s?|programa de computador|um programa|programad[oa]s?|gravacao|gravad[oa]s?|"
    r"chatgpt|virtual|computador)"
)
_IS_BOT = re.compile(
    rf"\b(voce|tu|isso|isto|aqui|essa conversa|essas mensagens|essas respostas|as mensagens|"
    rf"as respostas|a resposta|resposta|eres|es|are you|is this|am i)\b.{{0,40}}\b{_MACHINE}\b"
    rf"|\b(falando|conversando|falo|converso|hablando|talking|chatting)\b.{{0,20}}\b{_MACHINE}\b"
    rf"|\b(voce|tu|eres|are you) (e |eh |es |sao |is |are )?(uma |um |a |an |una |un )?"
    rf"(pessoa|gente|humana|humano|persona|human|real|de verdade)\b"
    # "é IA?", "é uma AI?"; a bare "e aí" is Portuguese for "so?" ("e aí?? cadê"), never a machine.
    rf"|\b(e|eh|sao|uma|com|es|una|an) (uma )?ia\b(?! (pagar|fazer|ver|falar|mandar))"
    rf"|\b(uma|una|an|um) ai\b"
    rf"|\btem (alguem|gente|uma pessoa|pessoa) (ai|aqui|digitando|do outro lado|respondendo|de verdade)\b"
    rf"|\b(e|sao|eh) (uma |um )?(pessoa|gente|humano|humana) (de verdade|real|mesmo)\b"
)
# The lead declines a person ("não quero falar com ninguém", "não precisa ninguém me ligar", "não
# quero que ninguém me ligue"): the words name one, the sentence refuses it.
_DECLINES = re.compile(
    r"\b(nao|nem) (quero|queria|preciso|precisa|gostaria de)\b( \w+){0,4} (ninguem|atendente|pessoa|"
    r"consultor|consultora|especialista|vendedor|vendedora|humano|ligacao|ligacoes)\b"
    r"|\b(nao|nem) (quero|queria|preciso|precisa)\b( que)?( \w+){0,2} (me )?(ligar|ligue|liguem|ligarem|"
    r"chamar|chame|telefonar)\b"
    r"|\bninguem (precisa )?(me )?(ligar|ligue|liga|chamar|chame|atender)\b"
    r"|\b(falar|conversar) com ninguem\b"
)
_ROLE_PLAY = re.compile(lx.ROLE_PLAY)
_CLAUSE = re.compile(r"[,.;!?\n]+")


# Someone at home to consult is no one from Serena ("preciso falar com alguém de casa antes").
_SOMEONE_AT_HOME = re.compile(
    r"\b(alguem|gente|pessoa)( \w+)? (de casa|da familia|aqui de casa|la de casa|em casa)\b"
)


def person_act(text: str) -> PersonAct | None:
    """'request_person', 'is_bot' or None for a lead's message.

    A wish for a person wins over a question about machines in the same message ("não quero
    falar com máquina, quero um ser humano"); a role to play ("finja que você é o atendente") is
    neither.
    """
    whole = _forms(text)
    if any(_ROLE_PLAY.search(form) for form in whole):
        return None
    # Clause by clause too: "não quero máquina não, quero um ser humano" ends one "não" before
    # the wish.
    clauses = [form for part in _CLAUSE.split(text) if part.strip() for form in _forms(part)]
    if any(
        _REQUEST.search(f) and not _SOMEONE_AT_HOME.search(f) and not _DECLINES.search(f)
        for f in [*whole, *clauses]
    ):
        return "request_person"
    if any(_IS_BOT.search(form) for form in whole):
        return "is_bot"
    return None


def declined_person_clauses(text: str) -> list[str]:
    """The clauses of `text` in which the lead declines a person ("não quero falar com ninguém")."""
    return [
        part
        for part in _CLAUSE.split(text)
        if part.strip() and any(_DECLINES.search(f) for f in _forms(part))
    ]


def _forms(text: str) -> tuple[str, str]:
    """The normalised text and its canonical form (slang expanded; English "to" stays in the first),
    a Nordeste double negative read as the polite ask it is."""
    norm = _DOUBLE_NEGATIVE.sub("", normalise(text))
    return norm, _DOUBLE_NEGATIVE.sub("", canonical(norm))


# A lead waiting for the specialist asks about the call ("e quando vão me chamar?", "ninguém me
# ligou ainda", "oi?"): who calls and when, never "não entendi".
_ABOUT_THE_CALL = re.compile(
    r"\b(quando|que horas|que dia|ligar|ligam|ligou|liga|ligacao|chamar|chamam|chamou|contato|retorno|"
    r"retorn\w+|especialista|atendente|ninguem|ainda nada|cade|demora\w*|esperando|aguardando|"
    r"falou comigo|falar comigo|me atender|me responde\w*)\b"
    r"|^\W*(oi|ola|alo|e ai|e entao|opa|ei|hello|hola)?\W*(cade|e ai)?\W*$"
)
# Topics that, for a lead already handed over, the handover acknowledgement answers best (who
# calls and when), not the general text.
CALL_TOPICS = frozenset({"specialist_contact", "talk_to_person"})


def asks_about_the_call(text: str, topic: str = "") -> bool:
    """A lead already handed over pings or asks about the specialist's call; `topic`: the
    knowledge topic read for the message (a confident other topic is a question to answer)."""
    return topic in {"", *CALL_TOPICS} and bool(_ABOUT_THE_CALL.search(normalise(text)))


# Where one question ends and the next begins: after "?", a full stop or a line, and before
# "e como / e quem / e de onde..." ("vc é robô e como pegaram meu número").
_QUESTION_SPLIT = re.compile(
    r"(?<=[?.!;\n])\s*|\s*,?\s+(?=e (?:como|quem|onde|de onde|qual|quais|quanto|quando|por que|porque|"
    r"o que|se|voces|vcs|vc|tem|da|pode|posso)\b)"
)


def split_bot_question(text: str) -> tuple[bool, str, str] | None:
    """A question whether Sílvia is a bot beside other words: (bot question first?, the bot
    clause, the rest of the message); None when no clause asks it or nothing else is said."""
    parts = [p.strip(" ,") for p in _QUESTION_SPLIT.split(text) if p and p.strip(" ,.;!?")]
    if len(parts) < 2:
        return None
    at = next((i for i, p in enumerate(parts) if person_act(p) == "is_bot"), None)
    if at is None:
        return None
    rest = " ".join(p for i, p in enumerate(parts) if i != at and person_act(p) != "is_bot")
    return (at == 0, parts[at], rest) if len(rest.split()) >= 2 else None
