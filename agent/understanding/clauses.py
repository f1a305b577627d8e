"""A message as clauses: where a run-on splits, which clauses are questions, and a short question
clause read with the clause it points back to ("tenho 3 casas que alugo, funciona pra elas?").

The reading (agent/understanding/reading.py) matches these texts by meaning; nothing here knows
the knowledge base.
"""

from __future__ import annotations

import re

from agent.understanding import rules as lx
from agent.understanding.intent import normalise

MAX_QUESTIONS = 3  # answered in one reply; more would be a wall of text

_QUESTION_START = re.compile(
    r"^(e )?(como|quanto|quantos|quantas|qual|quais|quando|onde|por ?que|pq|porque|sera|quem|o que|oq"
    r"|tem|teria|posso|pode|da pra|consigo|precisa|preciso|e se|se eu|voces|vcs|voce|vc|isso|"
    r"serve|funciona|aceita|atende|atendem|is|do|does|can|how|what|hablas|cuanto|como)\b"
)
_INDIRECT = re.compile(lx.INDIRECT_QUESTION)
_CLAUSES = re.compile(
    r"[?!.;\n]+|,\s*(?=(?:e |mas |so que |agora |tambem |queria |quero |como |qual |quanto |funciona |"
    r"da pra |dá pra |pode |posso |tem |precisa |serve |vale |quando |onde |quem |sera |será ))"
    r"|\s(?=e (?:queria|quero|gostaria) saber\b)"
    # "... pago 500 e tenho 3 casas ...": the data and the next statement apart
    r"|\s(?=e (?:eu |a gente )?(?:tenho|temos|tem|moro|pago|sou|minha|meu|tambem)\b)"
)
_POINTS_BACK = re.compile(
    r"\b(ela|elas|ele|eles|isso|disso|nisso|tambem|todas|todos|os dois|as duas|ambos|ambas|"
    # "serve pra mim?", "dá certo assim?", "funciona lá?": whether it works for what was just said
    r"serve|funciona|da certo|rola|compensa|pra mim|pra la|no meu caso|nesse caso|assim|"
    # "vou me mudar mês que vem, como fica a assinatura?": what becomes of it, given what was said
    r"como (e que |que )?fica)\b"
)
SHORT_CLAUSE_WORDS = 6  # a question clause this short may lean on the clause before it
MAX_CANDIDATES = 6  # texts encoded per message: the whole, its clauses, question clauses in context


# Leads leave out the "?" and put the question last: "a serena é empresa de onde", "e pra cnpj
# funciona", "se essa empresa falir, o que acontece comigo", "to com nome sujo, posso assinar".
# Only words that end a message as a question, or open its last clause as one; "quando", "como",
# "onde" and "quem" also open statements ("quando chegar a conta eu mando"), so not those alone.
_QUESTION_END = re.compile(
    r"\b(como (e que |que )?fica|como (e que |que )?funciona|como e que e|de onde|da certo|rola|compensa|"
    r"tem problema|o que acontece( comigo| entao)?|ou nao|quanto|quantos|quando|qual|quais|por que|pq|"
    # "e pra cnpj funciona", "no meu caso serve" (but "qualquer um serve" accepts)
    r"(pra|para|no|na|em) (\w+ ){0,3}(serve|funciona))\s*$"
)
_LAST_CLAUSE_QUESTION = re.compile(
    r"^(e )?(o que (acontece|tem|muda|mudam|e|sao|significa|quer dizer|difere)\b|como (e que |que )?fica|"
    r"como (e que |que )?funciona|da pra|tem como|consigo|"
    r"sera que|quanto|quantos|quantas|qual|quais|por que|pq|de onde|precisa|"
    # "posso assinar" asks; "posso te mandar depois" offers
    r"(posso|podemos)(?! (te |lhe )?(mandar|enviar|passar|ver|falar|responder|ligar|retornar)))\b"
)
_LAST_CLAUSE = re.compile(r"[,;.:\n]+")


def looks_like_question(text: str, norm: str | None = None) -> bool:
    norm = normalise(text) if norm is None else norm
    if "?" in text or _QUESTION_START.search(norm) or _INDIRECT.search(norm):
        return True
    last = normalise(_LAST_CLAUSE.split(text.strip(" .,;:!"))[-1])
    return bool(_QUESTION_END.search(norm) or _LAST_CLAUSE_QUESTION.search(last))


def split_clauses(text: str) -> list[str]:
    parts = [p.strip(" ,") for p in _CLAUSES.split(text) if p and len(p.split()) >= 2]
    return parts[:4]


def match_candidates(text: str) -> list[str]:
    """What is matched by meaning: the whole message; for a run-on, each clause, and each
    question clause with the one before it ("tenho 3 casas que alugo, funciona pra elas?": the
    question's "elas" needs the houses)."""
    clauses = split_clauses(text)
    if len(clauses) < 2:
        return [text]
    previous = dict(zip(clauses[1:], clauses, strict=False))
    questions = [in_context(c, previous.get(c, "")) for c in clauses if looks_like_question(c)]
    # The topic of a question is in its question clause; a statement beside it ("tô com duas
    # contas atrasadas") is context, not a rival.
    return [text, *(questions or clauses)][:MAX_CANDIDATES]


def points_back(clause: str) -> bool:
    """A short clause whose meaning is in the clause before it ("funciona pra elas também?")."""
    return bool(_POINTS_BACK.search(normalise(clause))) and len(clause.split()) <= SHORT_CLAUSE_WORDS


def in_context(clause: str, before: str) -> str:
    """A short question clause that points back ("funciona pra elas também?") with the clause it
    points to ("tenho 3 casas que alugo"): alone, its meaning is only "does it work?"."""
    return f"{before}, {clause}" if before and points_back(clause) else clause


_QUESTION_CLAUSE = re.compile(
    r"(?<=\?)\s*|\s+(?=e (?:se|o|a|os|as|quanto|qual|como|quando|tem|precisa|vai|vou|pra)\b)"
)


def question_clauses(text: str) -> list[str]:
    """The questions of a message, one by one: split after each "?" and before "e se / e o / e
    quanto..." ("tem taxa de adesão? e o plus prende quanto tempo?")."""
    parts = [p.strip(" ,.;") for p in _QUESTION_CLAUSE.split(text) if p and p.strip(" ,.;")]
    return [p for p in parts if len(p.split()) >= 2 and looks_like_question(p)][:MAX_QUESTIONS]


# Where a statement ends and a question begins: after ".", "!", ";" or "?", and before "e se / e
# quanto / mas como..." ("vou de plus. tem multa se cancelar?", "quero o premium e se eu me mudar?").
# "quero o plus, mas antes me diz: tem multa?": "mas antes / só uma coisa antes" and a colon open a
# question too.
_SENTENCE = re.compile(
    r"(?<=[?.!;:\n])\s*|\s*,?\s+(?=(?:e|mas) (?:se|o|a|quanto|qual|como|quando|tem|precisa|vai|pra|da pra|"
    r"antes|primeiro)\b)|\s*,?\s+(?=(?:so|soh|só) (?:uma|mais uma) (?:coisa|duvida|dúvida|pergunta)\b)"
)


def _sentences(text: str) -> list[str]:
    parts = [p.strip(" ,") for p in _SENTENCE.split(text) if p and p.strip(" ,.;!?")]
    return parts if len(parts) >= 2 else []


def _asks(part: str) -> bool:
    return "?" in part or looks_like_question(part)


def statement_clauses(text: str) -> list[str]:
    """The parts of a message that ask nothing ("vou de plus" in "vou de plus. tem multa?"); []
    when the message is one sentence (the whole is then read as it is)."""
    return [p for p in _sentences(text) if not _asks(p)]


def asking_clauses(text: str) -> list[str]:
    """The parts of a message of several sentences that ask ("e quando começa o desconto" in
    "fechado, essencial. e quando começa o desconto"); [] for a message of one sentence."""
    return [p for p in _sentences(text) if _asks(p)]
