"""Which language a message is written in, roughly: enough to keep a Portuguese question off
the "do you speak English?" topic that its meaning is near."""

from __future__ import annotations

from agent.understanding.intent import normalise

# "como funciona essa energia solar?" is near "quiero informacion sobre la energia solar" by
# meaning; the language topics only count for a message written in that language.
FOREIGN_TOPICS = {"english": "en", "spanish": "es"}
_ONLY_EN = frozenset(
    [
        "the",
        "you",
        "your",
        "do",
        "does",
        "is",
        "are",
        "what",
        "how",
        "speak",
        "english",
        "i",
        "can",
        "my",
        "want",
        "to",
        "about",
        "this",
        "it",
        "hi",
        "hello",
    ]
)
_ONLY_ES = frozenset(
    [
        "hablas",
        "hablan",
        "español",
        "espanol",
        "entiendo",
        "quiero",
        "cuanto",
        "cuesta",
        "puedes",
        "hola",
        "buenas",
        "informacion",
        "usted",
        "ustedes",
        "gracias",
        "necesito",
        "portugues",
    ]
)
_ONLY_PT = frozenset(
    [
        "voce",
        "voces",
        "vcs",
        "vc",
        "nao",
        "isso",
        "essa",
        "esse",
        "eu",
        "minha",
        "meu",
        "tem",
        "pra",
        "para",
        "com",
        "uma",
        "um",
        "funciona",
        "quanto",
        "custa",
        "queria",
        "quero",
        "conta",
        "luz",
        "sou",
        "moro",
        "aqui",
        "obrigado",
        "obrigada",
    ]
)


def written_in(text: str) -> str:
    """'en', 'es' or 'pt' by words only one of them uses (good enough to keep a Portuguese
    question off the 'do you speak English?' topic)."""
    words = normalise(text).split()
    counts = {
        "en": sum(w in _ONLY_EN for w in words),
        "es": sum(w in _ONLY_ES for w in words),
        "pt": sum(w in _ONLY_PT for w in words),
    }
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > counts["pt"] or best == "pt" else "pt"
