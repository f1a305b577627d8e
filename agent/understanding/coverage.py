"""What a lead says about places: a question about where Serena is, or a place of their own.

"Vocês atendem em Salvador?" asks about Serena's coverage: it gets an answer and is never stored
as the lead's city. "Moro em Olinda", "minha mãe mora em Recife", "vou me mudar pra Natal" are
about the lead's own bill, so they change where the estimate is made. These rules read the
normalised text next to the place entities the intent reader already found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.understanding.intent import normalise
from agent.understanding.places import STATE_NAMES, UFS

# The one check of whether a message asks if Serena serves a place (issue 14 rule 2): the reading
# (agent/understanding/reading.py) and the intake (agent/nodes/intake.py) both ask `place_question`,
# so a place answered as a coverage question is never also stored as the lead's city.
#
# Verbs that ask about coverage even beside the lead's own place ("moro em Manaus, vcs atendem
# aqui?"), in slang and elliptic forms: "vcs chegam em Maceió?", "cês tão em Sobral?", "tem
# atendimento em Caruaru?", "vcs trabalham em Natal?", "oxe e Mossoró, vcs pegam?".
_SERVES = (
    r"atend(e|em|am|i|er|erem|endo|eria|eriam)|atua|atuam|opera|operam|operando|"
    r"cheg(a|am|ou|aram)|"
    r"cobre|cobrem|disponivel|tem (a )?serena|tem (o servico|essa energia|energia solar|isso)|"
    r"tem (energia|servico|atendimento|cobertura)|atendimento (em|no|na|ai|la|aqui)|"
    r"(vcs|voces|ces|serena) (ja |tambem |tb |tbm )?(tao|estao|esta|ta|tem|trabalh\w*|pega\w*|faz|fazem|"
    r"instala\w*|vende\w*)|trabalh\w* (em|no|na|ai|la|aqui|por)|"
    r"(saber|sabe|sera) se (vcs |voces |a serena )?(tem|atende\w*|chega\w*|funciona\w*)"
)
COVERAGE_VERB = re.compile(rf"\b({_SERVES})\b")
# Looser words that ask about a place only when it is not the lead's own ("dá pra", "funciona",
# "tem lá?", "e em Petrolina, tem?"): beside "moro em Recife" they ask about something else
# ("moro em Recife, tenho 2 apartamentos, dá pra colocar todos?").
_LOOSE = re.compile(
    r"\b(funciona|funcionam|vale|serve|da pra|tem em|tem aqui|tem la|tem ai|(la|ai) (tem|atende\w*)|"
    r"tem (pra|para|no|na)|tem (gente|cliente|clientes|alguem)|"
    r"(tem|rola|funciona|da|atende|serve)( tambem| tb| tbm| ai| la| ai tambem| la tambem| ne| nao)?$)\b"
)
_AND_THERE = re.compile(r"^(e|e ai|e tambem|e pra|e para) (em|no|na|nos|nas|pra|para|o|a)?\b")
# Where the lead lives or their own bill: data, not a question about Serena.
_LEAD_PLACE = re.compile(
    r"\b(moro|moramos|morar|resido|sou de|somos de|minha casa|meu apartamento|minha conta|mudar|mudando|"
    r"mudei|mudanca)\b"
    # "to aqui em Juazeiro", "aqui em Natal a conta é cara": where the lead is (issue 14: a city
    # said inside a sentence is the lead's and is never asked again).
    r"|\b(to|tou|estou|vivo|fico) (aqui )?(em|no|na)\b|\baqui (em|no|na)\b"
)
# Said of someone else's home or a property ("minha irmã mora em X"): data unless asked as a question.
_THIRD_PLACE = re.compile(r"\b(mora|moram|reside|fica em|fica no|fica na|a conta|imovel)\b")
# Someone else's home or another property: the bill there may be in another name.
_OTHER_PLACE = re.compile(
    r"\b(mae|pai|mainha|painho|filh[oa]s?|irma|irmao|avo|sogr[oa]|tia|tio|prim[oa]|parente|familia|"
    r"namorad[oa]|marido|esposa|casa de praia|outro imovel|outra casa|um imovel|um apartamento|"
    r"uma casa|sitio|chacara|loja|mudar|mudando|mudei|mudanca)\b"
)


@dataclass(frozen=True)
class PlaceQuestion:
    """A question whether Serena serves a named place; `own` when the message also says the place
    is where the lead lives or their bill ("moro em Manaus, vcs atendem aqui?"): answered, and the
    place is still the lead's city."""

    city: str
    state: str
    own: bool


def place_question(text: str, entities: dict[str, Any]) -> PlaceQuestion | None:
    """The coverage question a message asks about the place it names, else None.

    "Minha irmã mora em Maceió, lá tem?" asks about the sister's town; "e em Petrolina, tem?" and
    "cês tão em Sobral?" ask with no verb of service or in slang; "moro em Natal" asks nothing.
    """
    city, state = str(entities.get("city") or ""), str(entities.get("state") or "")
    if not (city or state):
        return None
    norm = normalise(text)
    own = bool(entities.get("bill_amount")) or bool(_LEAD_PLACE.search(norm))
    served_asked = bool(COVERAGE_VERB.search(norm))
    if own:
        return PlaceQuestion(city, state, True) if served_asked and not entities.get("bill_amount") else None
    asked = served_asked or bool(_LOOSE.search(norm))
    if _THIRD_PLACE.search(norm):
        asked = asked and "?" in text
    else:
        asked = asked or ("?" in text and bool(_AND_THERE.search(norm)))
    return PlaceQuestion(city, state, False) if asked else None


def asks_about_place(text: str, entities: dict[str, Any]) -> bool:
    """A coverage question about a place that is not the lead's own: answered, never stored."""
    question = place_question(text, entities)
    return question is not None and not question.own


# A place the lead asks about that no table knows ("vcs atendem em Surubim?"): the words after
# the coverage verb, read on the lead's own text so the name keeps its accents.
_NAME = r"[^\W\d_](?:[^\W\d_]|[' -]){1,40}?"
_UNLISTED = (
    re.compile(
        r"\b(?:atende\w*|atua\w*|funciona\w*|cheg(?:a|am|ou|aram)|opera\w*|tem (?:a )?serena|"
        r"(?:vcs|voc[eê]s|serena) (?:tem|t[aá]|t[aã]o|est[aá]o?))\s+(?:l[aá] )?(?:em|no|na|pra|para)\s+"
        rf"(?P<place>{_NAME})\s*(?:[?,.!]|$|\b(?:tamb[eé]m|tb|tbm|vcs|voc[eê]s|a[ií]|l[aá]|n[aã]o)\b)"
    ),
    re.compile(
        rf"^(?:e|e a[ií]|e pra|e para)\s+(?:em|no|na|pra|para)\s+(?P<place>{_NAME})\s*,?\s*"
        r"(?:vcs|voc[eê]s|a serena|serena)?\s*(?:tem|atende\w*|cheg\w*|funciona\w*|t[aá]|t[aã]o|est[aá]\w*)\b"
    ),
    re.compile(rf"\b(?:atende\w*|atua\w*) (?:a cidade de )?(?P<place>{_NAME})\s*\?"),
    re.compile(rf"^(?:e|e a[ií]|e tamb[eé]m)\s+(?:em|no|na|pra|para)\s+(?P<place>{_NAME})\s*\?+$"),
    re.compile(
        r"\b(?:saber|sabe|ser[aá]) se (?:vcs |voc[eê]s |a serena )?(?:tem|atende\w*|cheg\w*|funciona\w*)\s+"
        rf"(?:em|no|na)\s+(?P<place>{_NAME})\s*(?:[?,.!]|$)"
    ),
)
# Words after "atende em …" that are no place ("vocês atendem aqui?", "atendem bem?").
_NOT_A_PLACE = frozenset(
    normalise(w)
    for w in (
        "aqui", "ai", "la", "minha cidade", "minha regiao", "minha rua", "meu bairro", "essa regiao",
        "todo o brasil", "todo brasil", "o brasil", "interior", "o interior", "qualquer lugar", "bem",
        "mal", "sabado", "domingo", "hoje", "amanha", "a noite", "empresa", "empresas", "comercio",
        "casa", "apartamento", "condominio", "zona rural", "area rural", "cliente", "clientes", "todo lugar",
        "outras cidades", "outro estado", "outros estados", "outra cidade", "whatsapp", "telefone",
    )
)  # fmt: skip
_LINKS = frozenset({"da", "de", "do", "das", "dos", "e"})
# No town is named by these ("e pra quando?", "atende em qualquer horario?"): a candidate holding
# one is a question about something else.
_FUNCTION_WORDS = frozenset(
    normalise(w)
    for w in (
        "quando", "quanto", "quanta", "quantos", "quantas", "que", "quem", "onde", "como", "qual",
        "quais", "isso", "isto", "aquilo", "mim", "voce", "voces", "vc", "vcs", "gente", "agora", "ja",
        "logo", "depois", "antes", "sempre", "nunca", "ontem", "semana", "mes", "ano", "dia", "noite",
        "tarde", "cedo", "breve", "mais", "menos", "muito", "pouco", "tudo", "nada", "ele", "ela",
        "eles", "elas", "nos", "horario", "hora", "horas", "qualquer", "sim", "nao", "obrigado", "obrigada",
        "minha", "meu", "minhas", "meus", "nossa", "nosso", "sua", "seu", "dele", "dela", "loja", "empresa",
    )
)  # fmt: skip


# A capitalised name after "na"/"no" that starts with one of these is a business or a building
# ("vcs atendem na Padaria Estrela?"), never a town.
_BUSINESS_WORDS = frozenset(
    [
        "padaria",
        "farmacia",
        "drogaria",
        "mercado",
        "mercadinho",
        "supermercado",
        "mercearia",
        "shopping",
        "salao",
        "oficina",
        "restaurante",
        "lanchonete",
        "bar",
        "academia",
        "clinica",
        "escola",
        "colegio",
        "hotel",
        "pousada",
        "posto",
        "radio",
        "banco",
        "edificio",
        "condominio",
        "residencial",
        "predio",
        "hospital",
        "igreja",
        "faculdade",
        "casas",
        "lojas",
        "magazine",
        "atacadao",
        "centro",
        "feira",
        "rua",
        "avenida",
    ]
)


def unlisted_place(text: str, entities: dict[str, Any]) -> str | None:
    """The name of a place asked about that the place tables do not know, else None."""
    if entities.get("city") or entities.get("state") or entities.get("bill_amount"):
        return None
    lowered = " ".join(text.lower().split())
    if _LEAD_PLACE.search(normalise(text)):
        return None  # "moro em Surubim": the lead's own place, asked for again by the funnel
    for pattern in _UNLISTED:
        if found := pattern.search(lowered):
            name = found.group("place").strip(" -'")
            if normalise(name) in _NOT_A_PLACE or not normalise(name):
                return None
            words = normalise(name).split()
            if _FUNCTION_WORDS.intersection(words) or words[0] in _BUSINESS_WORDS:
                return None
            return " ".join(w if w in _LINKS else w[:1].upper() + w[1:] for w in name.split())
    return None


def place_asked(entities: dict[str, Any], unlisted: str | None = None) -> dict[str, Any]:
    """The place of a coverage question, as the state keeps it ({city, state[, unlisted]})."""
    if unlisted:
        return {"city": unlisted, "state": "", "unlisted": True}
    return {"city": str(entities.get("city") or ""), "state": str(entities.get("state") or "")}


# Another property of the lead's ("tenho mais uma casa em Olinda", "uma aqui e outra em Jaboatão"):
# the town named is that property's, never the lead's own city.
_ANOTHER_PROPERTY = re.compile(
    r"\b(outra casa|outro imovel|outro apartamento|outro apto|outra unidade|outro endereco|segunda casa|"
    r"mais uma casa|mais um imovel|mais um apartamento|casa de praia|casa de veraneio|casa de campo|"
    r"uma aqui (e )?(a )?outra|outra (fica )?(em|no|na|la))\b"
)


def another_property(text: str) -> bool:
    """The message names another property of the lead's, so its town is not the lead's city."""
    return bool(_ANOTHER_PROPERTY.search(normalise(text)))


def mentions_other_place(text: str) -> bool:
    """A relative's home, another property or a move: whose name the bill is in must be asked."""
    return bool(_OTHER_PLACE.search(normalise(text)))


# "moro em Surubim", "sou de São Bento do Una": the lead's own town, even one no table knows.
_HOME = re.compile(
    r"\b(?:moro|moramos|resido|residimos|vivo|vivemos|sou|somos)\s+(?:de|em|no|na)\s+"
    rf"(?P<place>{_NAME})\s*(?:[?,.!;]|$|\b(?:e|mas|pago|minha|meu|a conta|com|faz|ha|há)\b)"
)
_NOT_A_HOME = frozenset(
    normalise(w)
    for w in (
        "menor", "maior", "fora", "longe", "perto", "aluguel", "favela", "familia", "confianca", "paz",
        "bairro", "centro", "rua", "sitio", "chacara", "fazenda", "predio", "kitnet", "quitinete",
        "pensao", "cidade pequena", "cidade grande", "capital", "outro estado", "outra cidade",
    )
)  # fmt: skip


# A home, not a town: "moro em apto no oitavo andar", "moro num ap térreo", "moro em uma casa".
_DWELLING_WORDS = frozenset(
    normalise(w)
    for w in (
        "apto", "ap", "apt", "apartamento", "andar", "terreo", "cobertura", "condominio",
        "edificio", "residencial", "conjunto", "quarto", "comodo", "um", "uma", "alugada", "alugado",
        "propria", "proprio",
    )
)  # fmt: skip


def home_place(text: str, entities: dict[str, Any]) -> str | None:
    """The lead's own town when no table knows it ("moro em Surubim"): kept as their city, so it
    is never asked again (the state is asked instead)."""
    if entities.get("city"):
        return None
    found = _HOME.search(" ".join(text.lower().split()))
    if not found:
        return None
    name = found.group("place").strip(" -'")
    norm = normalise(name)
    words = norm.split()
    if not words or len(words) > 5 or norm in _NOT_A_PLACE or norm in _NOT_A_HOME:
        return None
    if _FUNCTION_WORDS.intersection(words) or _DWELLING_WORDS.intersection(words):
        return None
    if words[0] in _BUSINESS_WORDS or words[0] in _NOT_A_HOME:
        return None
    if norm in STATE_NAMES or norm.upper() in UFS:
        return None  # "sou de Pernambuco": a state, which the rules read as one
    return " ".join(w if w in _LINKS else w[:1].upper() + w[1:] for w in name.split())
