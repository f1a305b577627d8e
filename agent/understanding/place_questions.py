"""What else a place question's message says beside that question.

"Vcs atendem em Olinda?" asks about Serena's coverage of Olinda; "moro em Recife, tenho 2
apartamentos, dá pra colocar todos?" states the lead's place beside another question. And a
place question rarely comes alone: "moro em Manaus, vcs atendem? e precisa trocar o relógio?",
"vcs atendem empresa em Caruaru?". `beside_the_place` gives the parts of such a message with the
place's words taken out, for the reading to match by meaning (agent/understanding/reading.py).
Whether a message asks about a place at all is the one check in agent/understanding/coverage.py.
"""

from __future__ import annotations

import re

from agent.understanding.clauses import looks_like_question, points_back
from agent.understanding.coverage import COVERAGE_VERB
from agent.understanding.intent import normalise
from agent.understanding.places import STATE_NAMES, UFS

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
    # The slang of asking ("cês tão em Sobral?", "vcs trabalham em Natal?", "e pra Natal, rola?").
    r"|\b(ces|tao|estao|esta|ta|trabalha|trabalham|pega|pegam|faz|fazem|opera|operam|operando|atendimento|"
    r"cobertura|rola|oxe|uai|eita)\b"
    # Whose place it is belongs to the place question too ("a casa da minha irmã em Maceió").
    r"|\b(minha|meu|minhas|meus|nossa|nosso|sua|seu|dela|dele|a|o|as|os|um|uma|outra|outro|casa|casas|"
    r"imovel|mae|pai|irma|irmao|filh[oa]s?|vo|avo|ti[oa]|sogr[oa]|prim[oa]|amig[oa]|vizinh[oa]|"
    r"cunhad[oa]|namorad[oa]|parente|esposa|marido|familia|mora|moram|fica)\b"
)

_STATE_WORDS = [*sorted(STATE_NAMES, key=len, reverse=True), *(uf.lower() for uf in UFS)]
_STATES = re.compile(r"\b(" + "|".join(_STATE_WORDS) + r")\b")


def names_the_place(part: str, city: str) -> bool:
    """The part names the place or asks a coverage verb ("vcs atendem?", "e em Natal?")."""
    norm = normalise(part)
    return bool(normalise(city) and normalise(city) in norm) or bool(COVERAGE_VERB.search(norm))


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
        if rest and (asks or COVERAGE_VERB.search(norm)):
            out.append((" ".join(rest), True))
    return out
