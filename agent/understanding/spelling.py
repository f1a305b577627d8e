"""Spelling for the intent classifier: WhatsApp slang, multi-word tokens, and which words the
fuzzy corrector may touch (`agent.understanding.intent` canonicalises with these before any rule runs)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Compact tables read better than one entry per line.
# fmt: off
# --- slang ---------------------------------------------------------------------------------
# WhatsApp abbreviations -> full form. Expanding before matching keeps the rules small.
SLANG: dict[str, str] = {
    "vc": "voce", "vcs": "voces", "voc": "voce", "ces": "voces", "q": "que", "qro": "quero", "qr": "quero",
    "kero": "quero", "tb": "tambem", "tbm": "tambem", "pq": "porque", "oq": "o que", "oque": "o que",
    "mt": "muito", "mto": "muito", "mta": "muita", "qto": "quanto", "qnto": "quanto", "qnt": "quanto",
    "qt": "quanto", "quantu": "quanto", "cm": "como", "cmo": "como", "td": "tudo", "tds": "todos",
    "agr": "agora", "msg": "mensagem", "msgs": "mensagens", "naum": "nao", "n": "nao", "nn": "nao",
    "ñ": "nao", "s": "sim", "ss": "sim", "sm": "sim", "obg": "obrigado", "obgd": "obrigado",
    "obgda": "obrigada", "brigado": "obrigado", "brigada": "obrigada", "vlw": "valeu", "vlww": "valeu",
    "blz": "beleza", "tmj": "tamo junto", "msm": "mesmo", "ctz": "certeza", "dps": "depois",
    "dpois": "depois", "dp": "depois", "cmg": "comigo", "qdo": "quando", "qnd": "quando", "qndo": "quando",
    "vdd": "verdade", "ngm": "ninguem", "alg": "alguem", "pfv": "por favor", "pf": "por favor",
    "pfvr": "por favor", "pls": "por favor", "hj": "hoje", "amnh": "amanha", "to": "estou", "tou": "estou",
    "ta": "esta", "tava": "estava", "eh": "e", "neh": "ne", "p": "pra", "pro": "pra", "aki": "aqui",
    "nd": "nada", "vlr": "valor", "okk": "ok", "okay": "ok", "oki": "ok", "okey": "ok", "eae": "eai",
    "iae": "eai", "iai": "eai", "oii": "oi", "oie": "oi", "oiee": "oi", "ola": "ola", "olaa": "ola",
    "uhum": "sim", "aham": "sim", "ahan": "sim", "yes": "sim", "dale": "bora", "partiu": "bora",
    "apto": "apartamento", "ap": "apartamento", "wpp": "whatsapp", "zap": "whatsapp", "robot": "robo",
    "reclameaqui": "reclame aqui", "jaja": "ja ja", "nops": "nao", "nope": "nao", "nao": "nao",
    "sla": "sei la", "cel": "celular", "fone": "telefone", "cono": "como", "komo": "como", "qria": "queria",
    "keria": "queria", "qeria": "queria", "vamu": "vamos", "bjs": "beijos", "tendi": "entendi",
    "pdc": "pode crer", "fds": "fim de semana", "ql": "qual", "qm": "quem", "kem": "quem",
    "tel": "telefone",
}

# Multi-word spellings that must become one token before the word-set checks.
# Greeting formulas become one token so "bom" in "bom dia" is never read as the affirm "bom"; the
# Nordeste "num" is "nao" before a verb ("num to podendo") but "em um" before a noun ("num predio").
PHRASES: tuple[tuple[str, str], ...] = (
    (" e ai ", " eai "), (" ja ja ", " jaja "), (" tamo junto ", " tamojunto "), (" bom dia ", " bomdia "),
    (" boa tarde ", " boatarde "), (" boa noite ", " boanoite "), (" num estou ", " nao estou "),
    (" num posso ", " nao posso "), (" num quero ", " nao quero "), (" num tenho ", " nao tenho "),
    (" num da ", " nao da "), (" num sei ", " nao sei "), (" num vou ", " nao vou "),
    (" num consigo ", " nao consigo "),
)

# Key words worth correcting when misspelt ("obrigadu", "confiavl", "atendenti").
FUZZY_TARGETS: tuple[str, ...] = (
    "obrigado", "obrigada", "agradeco", "confiavel", "golpe", "fidelidade", "contrato", "cancelar",
    "cancelamento", "instalar", "instalacao", "painel", "paineis", "placas", "telhado", "atendente",
    "humano", "especialista", "consultor", "economizar", "economia", "desconto", "quanto", "funciona",
    "assinatura", "premium", "essencial", "basico", "descadastrar", "receber", "mensagem", "mensagens",
    "fatura", "depois", "amanha", "trabalho", "ocupado", "ocupada", "reuniao", "dirigindo", "beleza",
    "certeza", "interesse", "verdade", "reclamacao", "multa", "carencia", "privacidade", "excluir",
    "apagar", "deletar", "informacoes", "residencia", "residencial", "empresa", "comercio", "medidor",
    "equipamento", "explica", "mensalidade", "geracao", "compartilhada", "popular", "completo", "segundo",
    "terceiro", "primeiro", "opcao", "valeu", "claro", "parar", "dados", "custa", "pessoa", "fidelizacao",
    "funcionamento", "confianca", "enviar", "mandar", "credito",
)

# Frequent words that sit close to a key word but mean something else ("pagar" is not "apagar",
# "contratar" is not "contrato", "empresta" is not "empresa"); never "corrected".
COMMON_WORDS: frozenset[str] = _words(
    "pagar pagando pagamos contratar contrata contratei contratando empresta emprestar emprego "
    "contar contas conta mandou mande mandei receba recebi recebo funcionou instalado pessoas "
    "pessoal placar dado dados dando fatura faturas valer vale quanta quantos quantas quando "
    "depois deposito cancela manda mandem envie enviei custo custou economia segunda segundos "
    "primeira primeiros completa popular humana claramente certo certas interessa interessante "
    "graca gracas opcoes opiniao partes trabalha trabalhar trabalhei ocupa obrigar obrigacao "
    "contato contatos contatar contatei contata conto contos participar registrada registrado "
    "consorcio quantas segura seguro bifasico trifasico monofasico pessoais comercial consultar valem "
    "atendimento prefiro prefere preferia carro causa vendo"
)
# fmt: on


# --- phonetic repair ---------------------------------------------------------------------------
# Elderly and hurried writers spell by ear: "comesa" (começa), "disconto" (desconto), "inganação"
# (enganação), "quizer" (quiser), "tenpo" (tempo). Two spellings that sound alike share a key;
# an unknown word whose key is a known word's key is that word.
_SOUNDS: tuple[tuple[str, str], ...] = (
    ("nd", "n"),  # the spoken gerund: "chovenu" (chovendo), "quano" (quando)
    ("ç", "s"),
    ("ss", "s"),
    ("sc", "s"),
    ("ce", "se"),
    ("ci", "si"),
    ("z", "s"),
    ("ch", "x"),
    ("lh", "L"),
    ("nh", "N"),
    ("h", ""),
    ("qu", "k"),
    ("c", "k"),
    ("mp", "np"),
    ("mb", "nb"),
    ("e", "i"),
    ("o", "u"),
    ("ão", "au"),
    ("ã", "a"),
    ("á", "a"),
    ("â", "a"),
    ("é", "i"),
    ("ê", "i"),
    ("í", "i"),
    ("ó", "u"),
    ("ô", "u"),
    ("ú", "u"),
)
# fmt: on
PHONETIC_MIN_LENGTH = 5  # shorter words sound alike too often ("casa", "caça", "cassa")


def phonetic_key(word: str) -> str:
    """How a lowercase word sounds, roughly: the letters Portuguese writes alike merged."""
    # Doubled letters are merged before the sounds, never after: "direto" is not "direito".
    key = "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])
    for old, new in _SOUNDS:
        key = key.replace(old, new)
    return key


def sound_table(words: Iterable[str]) -> tuple[frozenset[str], dict[str, str]]:
    """The known words (as written, lowercase; slang too) and, per phonetic key, the commonest
    properly spelt word with it (never a slang spelling: "queria" is not to become "keria")."""
    counts = Counter(w for w in words if w.isalpha())
    by_key: dict[str, str] = {}
    for word, _ in counts.most_common():
        if len(word) >= PHONETIC_MIN_LENGTH and word not in SLANG:
            by_key.setdefault(phonetic_key(word), word)
    return frozenset(counts) | frozenset(SLANG), by_key


def repair_by_sound(
    text: str, known: frozenset[str], by_key: dict[str, str], plain: Callable[[str], str]
) -> str:
    """`text` with each unknown word of 5+ letters that sounds like a known one written as that one.
    `plain` strips a word's accents: a known word written without them is no typo."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < PHONETIC_MIN_LENGTH or low in known or plain(low) in known:
            return word
        if word[0].isupper() and text[: match.start()].rstrip()[-1:] not in ("", ".", "!", "?"):
            return word  # a name mid-sentence ("Costa", "Sousa") is nobody's typo
        return by_key.get(phonetic_key(low), word)

    return _WORD_RE.sub(fix, text)


_WORD_RE = re.compile(r"[^\W\d_]+")
