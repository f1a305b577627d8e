"""What a lead says about places: a question about where Serena is, or a place of their own.

"Vocês atendem em Salvador?" asks about Serena's coverage: it gets an answer and is never stored
as the lead's city. "Moro em Olinda", "minha mãe mora em Recife", "vou me mudar pra Natal" are
about the lead's own bill, so they change where the estimate is made. These rules read the
normalised text next to the place entities the intent reader already found.
"""

from __future__ import annotations

import re
from typing import Any

from agent.understanding.intent import normalise

# "atendem em X?", "tem Serena em X", "vocês chegam em X", "funciona na Bahia?", "e em Natal?"
_COVERAGE_VERB = re.compile(
    r"\b(atende|atendem|atendam|atua|atuam|funciona|funcionam|opera|operam|chega|chegam|chegou|"
    r"cobre|cobrem|disponivel|tem (a )?serena|tem (o servico|essa energia|energia solar|isso)|"
    r"(vcs|voces|serena) (tao|estao|esta|ta)|da pra (contratar|assinar|ter))\b"
)
_AND_THERE = re.compile(r"^(e|e ai|e tambem|e pra|e para) (em|no|na|nos|nas|pra|para|o|a)?\b")
# The lead's own place (or bill): data, not a question about Serena.
_OWN_PLACE = re.compile(
    r"\b(moro|mora|moramos|morar|resido|reside|sou de|somos de|minha casa|meu apartamento|"
    r"fica em|fica no|fica na|minha conta|a conta|imovel|mudar|mudando|mudei|mudanca)\b"
)
# Someone else's home or another property: the bill there may be in another name.
_OTHER_PLACE = re.compile(
    r"\b(mae|pai|mainha|painho|filh[oa]s?|irma|irmao|avo|sogr[oa]|tia|tio|prim[oa]|parente|familia|"
    r"namorad[oa]|marido|esposa|casa de praia|outro imovel|outra casa|um imovel|um apartamento|"
    r"uma casa|sitio|chacara|loja|mudar|mudando|mudei|mudanca)\b"
)


def asks_about_place(text: str, entities: dict[str, Any]) -> bool:
    """A question about Serena's coverage of a place the lead named (not where they live)."""
    if not (entities.get("city") or entities.get("state")) or entities.get("bill_amount"):
        return False
    norm = normalise(text)
    if _OWN_PLACE.search(norm):
        return False
    if _COVERAGE_VERB.search(norm):
        return True
    return "?" in text and bool(_AND_THERE.search(norm))


def place_asked(entities: dict[str, Any]) -> dict[str, str]:
    """The place of a coverage question, as the state keeps it ({city, state})."""
    return {"city": str(entities.get("city") or ""), "state": str(entities.get("state") or "")}


def mentions_other_place(text: str) -> bool:
    """A relative's home, another property or a move: whose name the bill is in must be asked."""
    return bool(_OTHER_PLACE.search(normalise(text)))
