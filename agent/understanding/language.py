"""Which language a message is written in, roughly: enough to keep a Portuguese question off
the "do you speak English?" topic that its meaning is near."""

from __future__ import annotations

import re

from agent.understanding.intent import normalise

# "como funciona essa energia solar?" is near "quiero informacion sobre la energia solar" by
# meaning; the language topics only count for a message written in that language.
FOREIGN_TOPICS = {"english": "en", "spanish": "es"}
_ONLY_EN = frozenset(
    [
        "the",
        "you",
        "your",
        "does",
        "need",
        "much",
        "cost",
        "when",
        "will",
        "have",
        "there",
        "and",
        "of",
        "if",
        "pay",
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
        "esto",
        "el",
        "los",
        "las",
        "muy",
        "pero",
        "tiempo",
        "cuando",
        "donde",
        "tengo",
        "hay",
        "puedo",
        "factura",
        "estafa",
        "dura",
        "y",
        "con",
        "puede",
        "tarjeta",
        "pagos",
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
        "do",
        "da",
        "pro",
        "qual",
        "to",
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


# "do you speak English?", "no entiendo portugués": the language itself is the question. Otherwise
# an English or Spanish question is about its topic ("how much does it cost?" is a price question).
_ABOUT_LANGUAGE = frozenset(
    [
        "english",
        "ingles",
        "portugues",
        "portuguese",
        "portugese",
        "spanish",
        "espanol",
        "idioma",
        "idiomas",
        "language",
        "speak",
        "hablas",
        "hablan",
        "habla",
        "hablar",
        "entiendo",
        "understand",
        "translate",
        "traducir",
        "traduzir",
    ]
)
# Words of an English or Spanish question that name a topic, in the Portuguese the knowledge
# base's paraphrases use, so the distinctive-word bonus reads them as it reads Portuguese.
_HINTS = {
    "pay": "pagar pagamento", "paying": "pagar pagamento", "payment": "pagamento", "paga": "pagar pagamento",
    "pagar": "pagar pagamento", "pago": "pagamento", "card": "cartao", "tarjeta": "cartao",
    "contract": "contrato fidelidade", "contrato": "contrato fidelidade", "cancel": "cancelar multa",
    "cancelar": "cancelar multa", "penalty": "multa", "fee": "taxa adesao", "cuota": "taxa adesao",
    "roof": "telhado instalar", "techo": "telhado instalar", "panels": "placas instalar",
    "paneles": "placas instalar", "install": "instalar obra", "instalar": "instalar obra",
    "scam": "golpe", "fraud": "golpe", "estafa": "golpe", "estafas": "golpe", "fraude": "golpe",
    "cost": "preco custa", "price": "preco", "cuesta": "preco custa", "precio": "preco",
    "rain": "chuva", "rains": "chuva", "raining": "chuva", "cloudy": "nublado chuva",
    "lluvia": "chuva", "llueve": "chuva", "night": "noite", "noche": "noite",
    "meter": "medidor", "rent": "aluguel", "tenant": "inquilino", "alquiler": "aluguel",
    "data": "dados lgpd", "datos": "dados lgpd", "privacy": "dados lgpd", "privacidad": "dados lgpd",
    "company": "empresa cnpj", "business": "empresa cnpj", "apartment": "apartamento",
    "flag": "bandeira", "bandera": "bandeira", "bot": "robo", "robot": "robo",
    "alquilada": "aluguel inquilino", "alquilado": "aluguel inquilino", "alquilo": "aluguel",
    "rented": "aluguel inquilino", "renting": "aluguel inquilino", "mudo": "mudar mudanca",
    "mudarme": "mudar mudanca", "mudanza": "mudar mudanca", "moving": "mudar mudanca",
    "start": "comecar desconto", "empieza": "comecar desconto", "move": "mudar mudanca",
}  # fmt: skip


def asks_about_language(text: str) -> bool:
    return bool(_ABOUT_LANGUAGE.intersection(normalise(text).split()))


def portuguese_hints(text: str) -> str:
    """The Portuguese topic words for an English or Spanish message's own ('' for Portuguese)."""
    if written_in(text) == "pt":
        return ""
    return " ".join(_HINTS[w] for w in normalise(text).split() if w in _HINTS)


# Leads often type without accents ("comeca", "cartao"); the sentence encoder reads "começa
# quando?" far better than "comeca quando?". Content words get their accents back before encoding
# (function words such as "nao", "so", "tambem" are left alone: restoring them moved topics that
# were right); the rules and the distinctive words read the accent-free form anyway.
_ACCENTED = {
    "comeca": "começa", "comecar": "começar", "comeco": "começo", "preco": "preço", "cartao": "cartão",
    "relogio": "relógio", "credito": "crédito", "creditos": "créditos", "adesao": "adesão",
    "instalacao": "instalação", "manutencao": "manutenção", "condominio": "condomínio",
    "eletrica": "elétrica", "seguranca": "segurança", "confiavel": "confiável", "cobranca": "cobrança",
    "fidelizacao": "fidelização", "imovel": "imóvel", "imoveis": "imóveis", "medicao": "medição",
    "mudanca": "mudança", "periodo": "período", "contratacao": "contratação", "orcamento": "orçamento",
}  # fmt: skip
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def with_accents(text: str) -> str:
    """`text` with the accents of its frequent unaccented words restored (case kept lower)."""
    return _WORD_RE.sub(lambda m: _ACCENTED.get(m.group(0).lower(), m.group(0)), text)
