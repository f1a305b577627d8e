"""Whether a message asks about the place it names, and what else it says beside that question.

"Vcs atendem em Olinda?" asks about Serena's coverage of Olinda; "moro em Recife, tenho 2
apartamentos, dá pra colocar todos?" states the lead's place beside another question. And a
place question rarely comes alone: "moro em Manaus, vcs atendem? e precisa trocar o relógio?",
"vcs atendem empresa em Caruaru?". `beside_the_place` gives the parts of such a message with the
place's words taken out, for the reading to match by meaning (agent/understanding/reading.py).
"""

from __future__ import annotations

import re

from agent.understanding.clauses import looks_like_question, points_back
from agent.understanding.intent import normalise
from agent.understanding.places import STATE_NAMES, UFS

_PLACE_QUESTION = re.compile(
    r"\b(atende|atendem|atendi|chegou|chegaram|chega|tem serena|funciona|vale|serve|tem em|tem aqui|"
    r"tem la|da pra)\b"
)
# Where a lead says their own place ("moro em Recife"): data, not a question about coverage.
_OWN_PLACE = re.compile(
    r"\b(moro|morro|resido|vivo|sou|somos|fico|estou|to|minha cidade e|aqui)\s+(em|de|no|na|do|da|e)?\s*$"
)
# A coverage verb names the place question wherever the city is; the looser ones ("dá pra",
# "funciona", "vale") only when the city is not the lead's own.
_COVERAGE_VERB = re.compile(r"\b(atende|atendem|atendi|chegou|chegaram|chega|tem serena)\b")
# The parts of a message, for what it asks beside its place question: after punctuation, and
# before a connective that opens the next question ("... atendem aqui e também se precisa trocar
# o relógio").
_PARTS = re.compile(
    r"([?!.;,\n]+|\s+(?=e (?:tambem |tb |tbm |ainda )?(?:se|o|a|os|as|quanto|qual|como|quando|tem|"
    r"precisa|vai|vou|pra|da pra|dá pra|pode|posso|aceita|aceitam)\b))"
)
# A part opened by "e também se / e o / e quanto": a question even without "?".
_ASKING_START = re.compile(
    r"^e (tambem |tb |tbm |ainda )?(se|o|a|os|as|quanto|qual|como|quando|pra|da pra)\b"
)
# The words of a place question itself: what is left once they are gone is the other question
# ("vcs atendem empresa em Caruaru?" leaves "empresa").
_PLACE_WORDS = re.compile(
    r"\b(atende|atendem|atendi|atua|atuam|chegou|chegaram|chega|chegam|tem serena|serena|tem|funciona|"
    r"funcionam|vale|serve|da pra|cobre|cobrem|disponivel|vcs|voces|voce|vc|a cidade de|cidade|estado|"
    r"regiao|em|no|na|pra|para|de|do|da|ai|la|aqui|ca|por|e|ja|tambem|tb|tbm|sera|saber|queria|quero|"
    r"gostaria|se|moro|sou|oi|ola|bom dia|boa tarde|boa noite)\b"
    # Whose place it is belongs to the place question too ("a casa da minha irmã em Maceió").
    r"|\b(minha|meu|minhas|meus|nossa|nosso|sua|seu|dela|dele|a|o|as|os|um|uma|outra|outro|casa|casas|"
    r"imovel|mae|pai|irma|irmao|filh[oa]s?|vo|avo|ti[oa]|sogr[oa]|prim[oa]|amig[oa]|vizinh[oa]|"
    r"cunhad[oa]|namorad[oa]|parente|esposa|marido|familia|mora|moram|fica)\b"
)

_STATE_WORDS = [*sorted(STATE_NAMES, key=len, reverse=True), *(uf.lower() for uf in UFS)]
_STATES = re.compile(r"\b(" + "|".join(_STATE_WORDS) + r")\b")


def asks_about_place(text: str, city: str) -> bool:
    """A question about the city the message names ("vcs atendem em Olinda?", "a casa da minha mãe
    em Caruaru, dá pra ela?"), not a question beside the lead's own place ("moro em Recife, tenho 2
    apartamentos, dá pra colocar todos?"): a coverage verb anywhere, or a looser one ("dá pra",
    "funciona", "serve") when the words right before the city do not make it the lead's own."""
    name = normalise(city)
    norm = normalise(text)
    if not name or name not in norm:
        return False
    if _COVERAGE_VERB.search(norm):
        return True
    return bool(_PLACE_QUESTION.search(norm)) and not _OWN_PLACE.search(norm[: norm.find(name)])


def names_the_place(part: str, city: str) -> bool:
    """The part names the place or asks a coverage verb ("vcs atendem?", "e em Natal?")."""
    norm = normalise(part)
    return bool(normalise(city) and normalise(city) in norm) or bool(_COVERAGE_VERB.search(norm))


def beside_the_place(text: str, city: str) -> list[tuple[str, bool]]:
    """The parts of a place question's message that may ask something else, each as (its words,
    whether it is a question); the place question's own part keeps only what is not about the
    place ("vcs atendem empresa em Caruaru?" → "empresa"), and a part that only states the place
    ("moro em Manaus") or points back at it ("..., dá pra colocar também?") gives nothing."""
    out: list[tuple[str, bool]] = []
    after_place = False
    pieces = _PARTS.split(text)  # parts at even places, what ended each one after it
    for part, end in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        words = part.strip(" ,.;!?")
        if not words:
            continue
        norm = normalise(words)
        asks = "?" in end or looks_like_question(part) or bool(_ASKING_START.match(norm))
        if not names_the_place(part, city):
            if not (after_place and points_back(words)):
                out.append((words, asks))
            after_place = False
            continue
        after_place = True
        rest = _PLACE_WORDS.sub(" ", _STATES.sub(" ", norm.replace(normalise(city), " "))).split()
        if rest and (asks or _COVERAGE_VERB.search(norm)):
            out.append((" ".join(rest), True))
    return out
