"""Layer L2: local (no-LLM) intent classification and entity extraction in well under 1 ms.

Pipeline: `normalise` (also the cache key) -> canonical tokens (slang expanded, key words fuzzily
corrected) -> weighted regex rules + word-set rules for short replies + entity evidence -> the best
intent by score, with `opt_out` overriding everything. Confidence drops when two intents compete,
when only weak cues matched or when a word had to be guessed, so the graph can escalate to an LLM.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from agent.understanding import entities as le
from agent.understanding import places as lp
from agent.understanding import rules as lx
from agent.understanding import spelling
from agent.understanding.entities import PLAN_CHOICE, PLAN_DECISION, find_amount, find_person_type, find_plan

# --- normalisation ---------------------------------------------------------------------------------
_DIGIT_SEPARATORS = ".,:/-"
_REPEATS = re.compile(r"([a-z])\1{2,}")


def _keep_char(ch: str, prev: str, nxt: str) -> str:
    """Map one character of the accent-stripped text to what survives normalisation."""
    if ch.isalnum() or ch in "$%":
        return ch
    if ch.isspace():
        return " "
    # Keep separators inside numbers ("1.200,50", "99999-9999") so amounts and phones stay parseable.
    if ch in _DIGIT_SEPARATORS and prev.isdigit() and nxt.isdigit():
        return ch
    cat = unicodedata.category(ch)
    if cat == "So":  # emoji carry meaning (👍, 🙏) and must not collapse onto an empty key
        return f" {ch} "
    return " "


def normalise(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse letter runs and whitespace.

    Stable and deterministic: it is the response-cache key, so any change invalidates the cache.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    # Drop accents, emoji modifiers and zero-width joiners (Mn/Me/Sk/Cf) before deciding per char.
    chars = [c for c in decomposed if unicodedata.category(c) not in {"Mn", "Me", "Sk", "Cf"}]
    out = [
        _keep_char(c, chars[i - 1] if i else "", chars[i + 1] if i + 1 < len(chars) else "")
        for i, c in enumerate(chars)
    ]
    # Portuguese never triples a letter, so "simmmm"/"obrigadaaa" are emphasis, not spelling.
    return " ".join(_REPEATS.sub(r"\1", "".join(out)).split())


# --- canonical tokens --------------------------------------------------------------------------------
_WEAK_VOCAB = (
    lx.AFFIRM_CORE
    | lx.AFFIRM_WORDS
    | lx.DENY_CORE
    | lx.DENY_WORDS
    | lx.GREET_CORE
    | lx.GREET_WORDS
    | lx.THANKS_CORE
    | lx.THANKS_WORDS
    | lx.FILLER
)
_KNOWN = frozenset(spelling.SLANG) | _WEAK_VOCAB | frozenset(spelling.FUZZY_TARGETS) | spelling.COMMON_WORDS


@lru_cache(maxsize=4096)
def _canon_token(tok: str) -> tuple[str, bool]:
    """Expand slang and repair a misspelt key word; the flag says whether we had to guess."""
    if tok in spelling.SLANG:
        return spelling.SLANG[tok], False
    if tok in _KNOWN or not tok.isalpha():
        return tok, False
    # "oii", "simm", "valeuu": doubled letters on short core words are emphasis too.
    single = re.sub(r"([a-z])\1", r"\1", tok)
    if single != tok and single in _WEAK_VOCAB:
        return single, False
    if single in spelling.SLANG:
        return spelling.SLANG[single], False
    if len(tok) >= 5:
        match = difflib.get_close_matches(tok, spelling.FUZZY_TARGETS, n=1, cutoff=0.8)
        # A different first letter or length usually means a different word, not a typo.
        # A typo is one or two keystrokes; more is another word ("prefiro" is not "primeiro").
        slack = 1 if len(tok) < 8 else 2
        if match and match[0][0] == tok[0] and _edits(tok, match[0], slack) <= slack:
            return match[0], True
    return tok, False


def _edits(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions ("cusat" -> "custa" is 1); stops counting past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _canonical(norm: str) -> tuple[str, bool]:
    """Canonical text for the rules (single-spaced, no padding) and whether any word was guessed."""
    guessed = False
    words: list[str] = []
    for tok in norm.split():
        canon, fuzzy = _canon_token(tok)
        guessed |= fuzzy
        words.append(canon)
    text = f" {' '.join(words)} "
    for old, new in spelling.PHRASES:
        text = text.replace(old, new)
    return text.strip(), guessed


def canonical(norm: str) -> str:
    """The canonical text the rules read (slang expanded, key words repaired) of a normalised one."""
    return _canonical(norm)[0]


# --- entities -----------------------------------------------------------------------------------------
def _build_cities() -> dict[str, tuple[str, str]]:
    """Normalised alias -> (canonical city, UF) from the compact table in the lexicon."""
    cities: dict[str, tuple[str, str]] = {}
    for line in lp.CITY_TABLE.strip().splitlines():
        uf, names = line.split(":", 1)
        for name in (n.strip() for n in names.split(",")):
            cities[normalise(name)] = (name, uf.strip())
    by_name = {name: uf for name, uf in cities.values()}
    for alias, name in lp.CITY_NICKNAMES.items():
        cities[alias] = (name, by_name[name])
    return cities


_CITIES = _build_cities()
_CITY_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _CITIES), key=len, reverse=True)) + r")\b")
# "atendem natal?": a coverage verb is context enough for a city that is also a word.
_CITY_CONTEXT = re.compile(
    r"\b(em|de|da|do|pra|para|cidade|aqui|moro|atende|atendem|atendi|chega|chegam)\s*$"
)
# A shop's or a building's name may hold a place name ("Casas Bahia", "Shopping Boa Vista",
# "Padaria Natal"): a place right after one of these words names the business, not the lead's town
# (unless "em"/"de"… comes in between: "a loja em Recife").
_BUSINESS_BEFORE = re.compile(
    r"\b(casas|loja|lojas|shopping|centro comercial|padaria|farmacia|drogaria|mercado|mercadinho|"
    r"supermercado|mercearia|atacadao|salao|oficina|restaurante|lanchonete|bar|academia|clinica|escola|"
    r"colegio|hotel|pousada|posto|radio|banco|edificio|condominio|residencial|predio|hospital|igreja|"
    r"faculdade|empresa|magazine|distribuidora|construtora|auto pecas)( [a-z]+)?\s*$"
)
_ONE_WORD_CITIES = tuple(a for a in _CITIES if " " not in a and a not in lp.AMBIGUOUS_CITIES and len(a) >= 6)
_STATE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, lp.STATE_NAMES), key=len, reverse=True)) + r")\b"
)
_UPPER_UF_RE = re.compile(r"(?<![A-Za-zÀ-ÿ])(" + "|".join(sorted(lp.UFS)) + r")(?![A-Za-zÀ-ÿ])")
_WORD5_RE = re.compile(r"\b[a-z]{5,}\b")
_ESTADO_RE = re.compile(r"\bestado (?:de |do |da )?([a-z]{2})\b")


def _without(norm: str, span: tuple[int, int]) -> str:
    """The text outside a matched place name, minus UF codes: "natal rn 350" -> "350"."""
    rest = (norm[: span[0]] + " " + norm[span[1] :]).split()
    return " ".join(t for t in rest if not (len(t) == 2 and t.upper() in lp.UFS))


def _find_city(norm: str) -> tuple[tuple[str, str], str] | None:
    """((canonical city, UF), the rest of the text): exact alias first (longest wins), then a typo."""
    for m in _CITY_RE.finditer(norm):
        alias, rest = m.group(1), _without(norm, m.span())
        after = norm[m.end() :].split()
        before_uf = bool(after) and after[0].upper() in lp.UFS and len(after[0]) == 2
        # "natal", "patos", "paulista" are ordinary words unless after "em"/"de", before a UF, or
        # the whole message is the place plus a bare bill amount ("Natal 350": a profile answer).
        context = before_uf or _CITY_CONTEXT.search(norm[: m.start()]) or le.is_bare_amount(rest)
        if alias in lp.AMBIGUOUS_CITIES and not context:
            continue
        if _names_a_business(norm, m.start()):
            continue
        return _CITIES[alias], rest
    for m in _WORD5_RE.finditer(norm):  # typo'd city names ("fortalesa", "recif", "salvdor")
        tok = m.group(0)
        if tok in _KNOWN or tok in lp.NEAR_CITY_WORDS or tok in lp.STATE_NAMES:
            continue
        match = difflib.get_close_matches(tok, _ONE_WORD_CITIES, n=1, cutoff=0.85)
        # One keystroke (two in a long name), same first letter: "sobra" is not "sobral".
        if match and match[0][0] == tok[0] and _edits(tok, match[0], 2) <= (1 if len(tok) < 9 else 2):
            return _CITIES[match[0]], _without(norm, m.span())
    return None


def _names_a_business(norm: str, start: int) -> bool:
    """The place name at `start` is part of a business's name ("casas bahia", "shopping boa vista")."""
    before = norm[:start]
    return bool(_BUSINESS_BEFORE.search(before)) and not _CITY_CONTEXT.search(before)


# Lower-case codes that are also chat: "rs" is a laugh unless a town or "do/no/em" comes just before.
_LAUGHTER = frozenset({"rs"})
_BEFORE_A_STATE = frozenset({"em", "de", "do", "no", "da", "na", "o", "estado", "sou", "moro"})


def _find_state(raw: str, norm: str, city: tuple[str, str] | None) -> str | None:
    """UF from an explicit code or state name; otherwise from the city."""
    letters = [c for c in raw if c.isalpha()]
    shouting = len(letters) > 3 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    if not shouting:  # in a normally-cased message an upper-case "PE" is deliberate
        m = _UPPER_UF_RE.search(raw)
        if m:
            return m.group(1)
    m = _ESTADO_RE.search(norm)
    if m and m.group(1).upper() in lp.UFS:
        return m.group(1).upper()
    if "pará" in raw.lower() or re.search(r"\bestado do para\b", norm):
        return "PA"  # "para" unaccented is the preposition, so only the accented/explicit form counts
    for m in _STATE_RE.finditer(norm):
        if not _names_a_business(norm, m.start()):
            return lp.STATE_NAMES[m.group(1)]
    tokens = norm.split()
    for i, tok in enumerate(tokens):
        if tok in lp.SAFE_LOWER_UFS:  # lower-case "pe"/"ce"/"ba"/"se" are words, never read as UFs
            placed = len(tokens) == 1 or _BEFORE_A_STATE.intersection(tokens[max(0, i - 3) : i])
            if tok in _LAUGHTER and not city and not placed:
                continue  # "fui eu mesma rs": a laugh ("risos"), not Rio Grande do Sul ("rs" alone is)
            return tok.upper()
    return city[1] if city else None


def _entities(raw: str, norm: str, canon: str) -> tuple[dict[str, object], bool]:
    """Entities plus whether a bill amount was stated as a bill (not just any money)."""
    found: dict[str, object] = {}
    city_found = _find_city(norm)
    city = city_found[0] if city_found else None
    if city:
        found["city"] = city[0]
    state = _find_state(raw, norm, city)
    if state:
        found["state"] = state
    amount = find_amount(norm)
    if not amount and city_found and le.is_bare_amount(city_found[1]):
        amount = (find_amount(city_found[1]) or (0.0, False))[0], True  # "Recife 300": place + bill
    if amount and amount[0]:
        found["bill_amount"] = amount[0]
    plan = find_plan(canon)
    if plan:
        found["plan"] = plan
    person = find_person_type(canon)
    if person:
        found["person_type"] = person
    return found, bool(amount and amount[1])


def extract_entities(text: str) -> dict[str, object]:
    """city, state (UF), bill_amount (R$/month), plan, person_type — only the keys found."""
    norm = normalise(text)
    return _entities(text, norm, _canonical(norm)[0])[0]


# --- scoring -----------------------------------------------------------------------------------------
_RULES = tuple((intent, re.compile(pattern), weight) for intent, pattern, weight in lx.RULES)
_LAUGH_RE = re.compile(lx.LAUGH_OR_NOISE)
_HESITATION_RE = re.compile(lx.HESITATION)  # "hmm ok, pode mostrar" is still a yes
_CHOICE_RE = re.compile(PLAN_CHOICE)
_INDIRECT_Q_RE = re.compile(lx.INDIRECT_QUESTION)
_DECISION_RE = re.compile(PLAN_DECISION)
_ROLE_PLAY_RE = re.compile(lx.ROLE_PLAY)
_PRIORITY = lx.PRIORITY
_WEAK = (  # (intent, core words, words allowed around them)
    ("deny", lx.DENY_CORE, lx.DENY_WORDS | lx.AFFIRM_CORE | lx.THANKS_CORE),
    ("thanks", lx.THANKS_CORE, lx.THANKS_WORDS),
    ("affirm", lx.AFFIRM_CORE, lx.AFFIRM_WORDS),
    ("greeting", lx.GREET_CORE, lx.GREET_WORDS),
)


def _rule_scores(canon: str) -> dict[str, float]:
    """Best rule weight per intent, nudged up a little when several rules agree."""
    best: dict[str, float] = {}
    hits: Counter[str] = Counter()
    for intent, pattern, weight in _RULES:
        if pattern.search(canon):
            hits[intent] += 1
            best[intent] = max(best.get(intent, 0.0), weight)
    return {i: min(0.98, s + 0.02 * (hits[i] - 1)) for i, s in best.items()}


def _weak_scores(tokens: list[str], question: bool) -> dict[str, float]:
    """Short replies ("s", "blz", "nao obrigado", "oi td bem") judged by the words they are made of."""
    scores: dict[str, float] = {}
    if not tokens:
        return scores
    for intent, core, around in _WEAK:
        if not any(t in core for t in tokens):
            continue
        allowed = core | around | lx.FILLER
        if all(t in allowed or not t.isalnum() for t in tokens):
            if intent == "affirm" and any(t in lx.DENY_CORE for t in tokens):
                continue
            # "oq e isso?" is made of affirm-ish words but a question is never a yes.
            scores[intent] = 0.55 if question and intent == "affirm" else 0.92
        elif (
            intent == "greeting"
            and tokens[0] in allowed
            and len(tokens) <= 6
            and sum(t not in allowed for t in tokens) <= 2
        ):
            scores[intent] = 0.78  # a vocative or a name after the greeting: "bom dia flor", "oi seu joao"
        elif (tokens[0] in core and not question) or intent == "thanks":
            # A leading "oi"/"sim"/"nao" before other content is only a weak hint.
            scores[intent] = 0.6 if intent == "thanks" else 0.55
    return scores


def _entity_scores(
    ents: dict[str, object], bill_stated: bool, canon: str, question: bool
) -> dict[str, float]:
    """provide_info and choose_plan evidence coming from extracted entities."""
    n_tokens = len(canon.split())
    scores: dict[str, float] = {}
    info = [0.82 if "city" in ents or "state" in ents else 0.0, 0.86 if bill_stated else 0.0]
    if "person_type" in ents:
        # "funciona pra empresa?" asks about the type of client; it does not state one
        info.append(0.6 if question else 0.82 if n_tokens <= 5 else 0.72)
    if max(info) > 0:
        scores["provide_info"] = min(0.97, max(info) + 0.04 * (sum(1 for v in info if v) - 1))
    if "plan" in ents:
        # A plan named inside a question ("tem algum plano sem fidelidade?") is asked about, not chosen.
        chosen = n_tokens <= 3 or _CHOICE_RE.search(canon)
        scores["choose_plan"] = 0.93 if chosen else 0.7 if question else 0.8
    return scores


def _noise_score(norm: str, tokens: list[str]) -> dict[str, float]:
    """Laughter, bare punctuation and emoji-only messages are confidently 'other'."""
    if not tokens:
        return {"other": 0.6}
    if all(_LAUGH_RE.match(t) for t in tokens):
        return {"other": 0.8}
    if not any(c.isalnum() for c in norm):
        return {"other": 0.75}
    return {}


def is_repetitive(tokens: list[str]) -> bool:
    """A long message made of a few words said over and over: a flood, not something the lead says."""
    return len(tokens) >= lx.REPETITION_MIN_WORDS and len(
        set(tokens)
    ) <= lx.REPETITION_MAX_DISTINCT_SHARE * len(tokens)


def _confidence(ranked: list[tuple[str, float]], guessed: bool) -> float:
    """Top score, reduced when the runner-up is close and when a word had to be guessed."""
    top = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    conf = top - 0.5 * max(0.0, runner_up - 0.5)
    return round(max(0.05, min(0.99, conf * (0.9 if guessed else 1.0))), 3)


@dataclass(frozen=True)
class Understanding:
    """What L2 understood from one message."""

    intent: str
    confidence: float
    entities: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def classify(text: str) -> Understanding:
    """Intent, confidence (0..1) and entities for one lead message, without any LLM."""
    norm = normalise(text)
    canon, guessed = _canonical(norm)
    tokens = canon.split()
    ents, bill_stated = _entities(text, norm, canon)
    scores: dict[str, float] = {}
    question = "?" in text or bool(_INDIRECT_Q_RE.search(canon))
    parts = (
        _rule_scores(canon),
        _weak_scores([t for t in tokens if not _HESITATION_RE.match(t)], "?" in text),
        _entity_scores(ents, bill_stated, canon, question),
        _noise_score(norm, tokens),
    )
    for part in parts:
        for intent, score in part.items():
            scores[intent] = max(scores.get(intent, 0.0), score)
    # A question (explicit, or spoken: "queria saber quanto...") outranks info/greeting cues.
    if question:
        scores = {i: min(0.99, s + 0.03) if i.startswith("ask_") else s for i, s in scores.items()}
    if scores.get("opt_out", 0.0) >= 0.85:  # stopping is a legal obligation: nothing outranks it
        return Understanding("opt_out", round(scores["opt_out"], 3), ents)
    if is_repetitive(tokens):  # a flood: none of its amounts, places or requests is the lead's
        return Understanding("other", 0.8, {})
    if _ROLE_PLAY_RE.search(canon):  # "finja que você é o vendedor...": a role to play, not a person
        scores.pop("ask_human", None)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], _PRIORITY.index(kv[0])))
    if ranked and ranked[0][0] == "ask_price" and "plan" in ents and _DECISION_RE.search(canon):
        # "quero o plus, quanto fica?": the choice is the news; the plan's price comes with its confirmation.
        ranked.insert(0, ("choose_plan", max(scores.get("choose_plan", 0.0), ranked[0][1])))
    if not ranked or ranked[0][1] < 0.5:
        return Understanding("other", 0.3 if tokens else 0.6, ents)
    return Understanding(ranked[0][0], _confidence(ranked, guessed), ents)
