"""A reading of the whole message: the acts it contains, each with a confidence, the words it came
from and the layer that decided it; mapped onto the stable intent names the nodes route on.

Layers, fastest first:
* `rules` (agent/understanding/intent.py): the fast path, trusted alone only for messages it explains entirely
  (short replies, button taps, amounts, places, opt-out words). A keyword inside a longer message
  never gives a high confidence on its own.
* `embeddings` (agent/understanding/matcher.py over semantic.py): the question's topic in the
  knowledge base, matched by meaning, with a margin confidence; two close topics mean "ask the lead".
  A run-on is matched clause by clause (agent/understanding/clauses.py).
* `model` (agent/understanding/llm.py): with a model configured, what the first two leave unsure.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from agent.state import Intent
from agent.understanding import rules as lx
from agent.understanding.clauses import (
    MAX_QUESTIONS,
    asking_clauses,
    looks_like_question,
    match_candidates,
    question_clauses,
    statement_clauses,
)
from agent.understanding.coverage import place_question
from agent.understanding.decisions import decided_plan, only_sets_aside, plan_reason, refuses
from agent.understanding.intent import Understanding, classify, is_repetitive, normalise
from agent.understanding.knowledge import KnowledgeBase, default_knowledge
from agent.understanding.language import written_in
from agent.understanding.matcher import TopicMatcher
from agent.understanding.person import declined_person_clauses, person_act
from agent.understanding.place_questions import beside_the_place
from agent.understanding.privacy_requests import data_request_kind
from agent.understanding.semantic import Match, margin_confidence

TOPIC_MIN_CONFIDENCE = 0.6  # below: a clarifying question with the two likeliest topics
SHORT_MESSAGE_WORDS = 4
NO_TOPIC_SCORE = 0.4  # a best cosine under this: the message is near no topic at all
STATEMENT_TOPIC_SCORE = 0.7  # a statement (no question cue) must be this close to a paraphrase
# A statement the rules read as data without finding any ("a conta tá no nome do antigo dono") is a
# topic only when nearly one of its paraphrases ("minha conta dá meio milhar" is an amount, 0.77
# near "minha conta é pequena", for the model to read).
NO_DATA_TOPIC_SCORE = 0.8
WHICH_PLAN = "which_plan"
STATED_TOPIC_SCORE = 0.85  # a statement beside a question, answered as a topic of its own
STRONG_TOPIC_SCORE = 0.7  # as close as a paraphrase: the topic wins even over sure rules
RULES_SURE = 0.85
CLEAR_MARGIN = 0.8  # a topic this far ahead of the runner-up is not swapped for one the rules prefer
PERSON_CONFIDENCE = 0.93  # the sentence's shape, not a keyword, says what the lead wants
BOT_TOPIC = "is_bot"
# "se for de um ano eu pego o plus": a choice on a condition the question asks about is no choice.
_CONDITIONAL = re.compile(r"\b(se|caso|talvez|quem sabe|dependendo)\b")
PLAN_BESIDE_QUESTION = 0.86  # a plan a statement settles on, beside a question: as sure as "quero o X"
KEYWORD_CAP = 0.69  # a long message the rules only half explain stays under the model threshold

_SOMEONE_ELSE = re.compile(
    r"\b(minha|meu|da minha|do meu|na casa d[aoe]) (mae|pai|irma|irmao|filh[oa]|vo|avo|ti[oa]|sogr[oa]|"
    r"prim[oa]|amig[oa]|vizinh[oa]|cunhad[oa]|namorad[oa]|parente|esposa|marido)\b"
)
# In a question, a company word is about the lead only when it is theirs ("funciona pra minha
# padaria?"); "que empresa é essa?" asks about Serena and says nothing of the lead.
_OWN_BUSINESS = re.compile(
    r"\b(minha|meu|nossa|nosso|tenho|temos|sou|somos|dono|dona)( \w+)? (empresa|loja|comercio|negocio|cnpj|"
    r"mei|padaria|restaurante|escritorio|mercado|mercadinho|lanchonete|oficina|clinica|consultorio|"
    r"farmacia|academia|salao|fabrica|industria|pousada|hotel|bar)\b"
)
_GREETING_WORDS = lx.GREET_CORE | (lx.GREET_WORDS - {"como", "com", "voces", "vcs"}) | {"e", "ai"}
# A question comparing plans names them without choosing one ("qual a diferença do essencial pro
# premium?", "o plus ou o premium?").
_COMPARES_PLANS = re.compile(r"\b(diferenca|diferente|diferencia|compara\w*|versus|vs)\b")
_PLAN_NAMES = re.compile(r"\b(essencial|plus|premium|basico|intermediario)\b")
NEAR_TIE = 0.04  # two topics this close by meaning: the rules' question intent may break the tie
SHORT_TOPIC_SCORE = 0.6  # a short message only this near its best paraphrase is no clear topic
_PLACE_OR_BILL = frozenset({"city", "state", "bill_amount"})
_LEGAL_REQUESTS = frozenset({Intent.OPT_OUT, Intent.DATA_REQUEST})
# Intents whose rules reading stands when the rules are sure, whatever the embeddings say.
_FUNNEL_DATA = frozenset({Intent.PROVIDE_INFO, Intent.CHOOSE_PLAN})
_ACT_OF_INTENT = {
    Intent.GREETING: "greeting",
    Intent.AFFIRM: "yes",
    Intent.DENY: "no",
    Intent.THANKS: "thanks",
    Intent.OPT_OUT: "stop",
    Intent.ASK_HUMAN: "request_person",
    Intent.DATA_REQUEST: "request_data",
    Intent.CHOOSE_PLAN: "plan_choice",
    Intent.PROVIDE_INFO: "info",
    Intent.DOCUMENT_PROMISE: "promise",
    Intent.LATER: "later",
}


@dataclass(frozen=True)
class Act:
    kind: str  # question | info | plan_choice | decline | cannot | request_person | stop | request_data
    #            | greeting | thanks | yes | no | later | promise | other
    confidence: float
    words: str
    layer: str  # rules | embeddings | model | button
    topic: str = ""
    about: str = ""  # info: "lead" or "someone_else"; question about a place: "place"
    entities: dict[str, Any] = field(default_factory=dict)
    alternatives: tuple[str, ...] = ()  # the next likeliest topics (for a clarifying question)
    score: float = 0.0  # embeddings: the best example's cosine similarity


@dataclass(frozen=True)
class Reading:
    """What one message says, and the single intent the stage nodes route on."""

    text: str
    acts: tuple[Act, ...]
    intent: str
    confidence: float
    entities: dict[str, Any]
    layer: str
    explained_by_rules: bool

    @property
    def question(self) -> Act | None:
        return next((a for a in self.acts if a.kind == "question"), None)

    @property
    def topic(self) -> str:
        q = self.question
        return q.topic if q and q.confidence >= TOPIC_MIN_CONFIDENCE else ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topic"] = self.topic
        return data

    def understanding(self) -> Understanding:
        return Understanding(self.intent, self.confidence, dict(self.entities))


def is_bare_greeting(text: str) -> bool:
    """Only greeting words ("oi??", "e aí?", "bom dia, tudo bem?"): a hello, whatever its "?"."""
    words = normalise(text).split()
    return bool(words) and any(w in lx.GREET_CORE for w in words) and all(w in _GREETING_WORDS for w in words)


def explained_by_rules(text: str, rules: Understanding) -> bool:
    """The fast path: messages the rules read entirely (short replies, amounts, places, stop)."""
    words = len(normalise(text).split())
    if rules.intent == Intent.OPT_OUT and rules.confidence >= 0.85:
        return True
    if rules.intent == Intent.GREETING and is_bare_greeting(text):
        return True  # "oi??" pings; it asks nothing about Serena
    asks = rules.intent.startswith("ask_") or rules.intent in (Intent.OTHER, Intent.GREETING)
    if (looks_like_question(text) or asking_clauses(text)) and (words > 2 or asks):
        # "é bot?" is a question to read by meaning, not the keyword "bot"; "fechado, essencial. e
        # quando começa o desconto" asks in its second sentence.
        return False
    if words <= SHORT_MESSAGE_WORDS and rules.confidence >= 0.7:
        return True
    return rules.intent in _FUNNEL_DATA and rules.confidence >= 0.8


def _compares_plans(text: str) -> bool:
    """ "qual a diferença do essencial pro premium?": plans named to compare, none chosen."""
    norm = normalise(text)
    named = set(_PLAN_NAMES.findall(norm))
    return looks_like_question(text, norm) and (len(named) >= 2 or bool(_COMPARES_PLANS.search(norm)))


# A lead's first message often gives the data and asks in one breath, without a "?" (voice, or
# "tenho um mercadinho em X, empresa pode"): the parts beside the data are read on their own.
_DATA_AND_ASK = re.compile(
    r"[,;.!?\n]+|\s(?=e (?:a|o|se|quando|como|tem|pra|vcs|voces|quanto|qual)\b)"
    r"|\s(?=(?:eu )?(?:queria|quero|gostaria de) saber\b)"
    r"|\s(?=(?:serve|funciona|da pra|aceita|aceitam|atende|atendem|cobra|cobram|tem como)\b)"
)
# A part that asks by its verb rather than by a question word: "cobra alguma coisa pra aderir",
# "empresa pode", "fornecem energia de noite".
_ASKING_VERB = re.compile(
    r"^(e )?(cobra|cobram|fornece|fornecem|precisa|tem|aceita|aceitam|atende|atendem|funciona|serve)\b"
    r"|\b(pode|podem|serve|funciona|rola|aceita|aceitam|atende|atendem|cobra|cobram)\s*$"
)
COMPANY_TOPIC = "company"
UNMARKED_TOPIC_SCORE = 0.6  # a part that asks by its shape only needs to be near its topic


def _question_beside_data(matcher: TopicMatcher, text: str, rules: Understanding) -> Act | None:
    """The question a data message asks without saying so ("sou de Mossoró e a noite como fica",
    "pago uns 480, cobra alguma coisa pra aderir"): a part without the data that asks by its
    shape, near a topic; None for plain data ("moro em Recife e pago 400", "tenho casa própria")."""
    if not _PLACE_OR_BILL & rules.entities.keys():
        return None
    parts = [p.strip() for p in _DATA_AND_ASK.split(text) if p and len(p.split()) >= 2]
    asking = [
        p for p in parts
        if (looks_like_question(p) or _ASKING_VERB.search(normalise(p)))
        and not _PLACE_OR_BILL & classify(p).entities.keys()
    ]  # fmt: skip
    if not asking or len(asking) == len(parts):
        return None  # nothing asked, or no data beside it: the ordinary reading applies
    ranked, words = matcher.match([*asking, text])
    if not ranked or ranked[0].score < UNMARKED_TOPIC_SCORE or words == text:
        return None
    act = _topic_act(ranked, words, matcher)
    business = rules.entities.get("person_type") == "juridical"
    if act.confidence < TOPIC_MIN_CONFIDENCE and business and COMPANY_TOPIC in (m.label for m in ranked[:2]):
        # Two signals beat one: the lead said they are a business ("tenho um mercadinho") and the
        # loosely read part ("empresa pode") is near the companies topic among the likeliest two.
        rest = tuple(m.label for m in ranked[:3] if m.label != COMPANY_TOPIC)
        act = replace(act, topic=COMPANY_TOPIC, confidence=TOPIC_MIN_CONFIDENCE, alternatives=rest[:2])
    return act if act.confidence >= TOPIC_MIN_CONFIDENCE else None


def _data_and_question(matcher: TopicMatcher, text: str, rules: Understanding) -> Reading | None:
    """A data message that also asks, by its shape only: the lead's data keep the funnel moving
    (the greeting, the estimate or the ask for what is missing) and the question is answered in
    the same reply. A place question is the coverage check's (agent/understanding/coverage.py)."""
    if rules.intent != Intent.PROVIDE_INFO or place_question(text, rules.entities) is not None:
        return None
    question = _question_beside_data(matcher, text, rules)
    if question is None:
        return None
    acts = [*_info_acts(text, rules, False), question]
    intent, confidence, layer, acts = _intent_of(acts, rules, matcher.knowledge)
    return Reading(text, tuple(acts), intent, round(confidence, 3), dict(rules.entities), layer, False)


def _rules_acts(text: str, rules: Understanding, layer: str = "rules") -> list[Act]:
    kind = _ACT_OF_INTENT.get(rules.intent, "question" if rules.intent.startswith("ask_") else "other")
    if rules.intent == Intent.DENY and "nao" in normalise(text) and len(text.split()) > 2:
        kind = "decline"
    about = ""
    if kind == "info":
        about = "someone_else" if _SOMEONE_ELSE.search(normalise(text)) else "lead"
    return [Act(kind, rules.confidence, text.strip(), layer, about=about, entities=dict(rules.entities))]


def _info_acts(text: str, rules: Understanding, place_asked: bool) -> list[Act]:
    data = {k: v for k, v in rules.entities.items() if k in ("city", "state", "bill_amount", "person_type")}
    if not data or place_asked:
        return []
    about = "someone_else" if _SOMEONE_ELSE.search(normalise(text)) else "lead"
    return [Act("info", min(rules.confidence, 0.9), text.strip(), "rules", about=about, entities=data)]


def _question_act(
    matcher: TopicMatcher, text: str, place_asked: bool, rules: Understanding, *, words: bool = True
) -> Act:
    if place_asked:
        place = {k: v for k, v in rules.entities.items() if k in ("city", "state")}
        return Act("question", 0.9, text.strip(), "rules", topic="coverage", about="place", entities=place)
    # One sentence is encoded once; a run-on message also clause by clause (the question may be
    # one clause among data and small talk).
    ranked, matched = matcher.match(match_candidates(text), words=words)
    if not ranked or ranked[0].score < NO_TOPIC_SCORE:
        return Act("question", 0.0, text.strip(), "embeddings")  # nothing in the knowledge base is near
    return _topic_act(ranked, matched, matcher, rules.intent)


def _topic_act(ranked: list[Match], words: str, matcher: TopicMatcher, rules_intent: str = "") -> Act:
    """A question on the best-ranked topic, its margin as confidence, the next two as alternatives.
    A short message only loosely near its best topic, naming none of its words and without the
    rules agreeing ("e aí?? cadê") is no clear question."""
    confidence = margin_confidence(ranked)
    short = len(words.split()) <= SHORT_MESSAGE_WORDS and ranked[0].score < SHORT_TOPIC_SCORE
    agreed = matcher.knowledge[ranked[0].label].intent == rules_intent
    if short and not agreed and not matcher.bonus(words).get(ranked[0].label):
        confidence = min(confidence, TOPIC_MIN_CONFIDENCE - 0.01)
    elif confidence < TOPIC_MIN_CONFIDENCE and (
        agreeing := _agreeing_runner_up(ranked, matcher, rules_intent)
    ):
        # Two signals beat one: a near tie the rules' own reading breaks ("vai precisar vir alguém
        # furar meu telhado?" is the installation, a hair behind "não tenho telhado").
        ranked = [agreeing, *(m for m in ranked if m is not agreeing)]
        confidence = TOPIC_MIN_CONFIDENCE
    return Act(
        "question",
        confidence,
        words,
        "embeddings",
        topic=ranked[0].label,
        alternatives=tuple(m.label for m in ranked[1:3]),
        score=round(ranked[0].score, 3),
    )


def _agreeing_runner_up(ranked: list[Match], matcher: TopicMatcher, rules_intent: str) -> Match | None:
    """Of the two likeliest topics, near-tied, the one the rules' question intent covers (and only
    one of them does)."""
    if not rules_intent.startswith("ask_") or len(ranked) < 2 or ranked[0].score - ranked[1].score > NEAR_TIE:
        return None
    agreeing = [m for m in ranked[:2] if matcher.knowledge[m.label].intent == rules_intent]
    return agreeing[0] if len(agreeing) == 1 else None


def _more_questions(matcher: TopicMatcher, text: str, first: Act) -> list[Act]:
    """Two or three questions in one message, in the lead's order, each on its own topic
    (answered in one reply); [] when the message asks one thing."""
    if first.about == "place":
        return [first, *_beside_the_place(matcher, text, first)]
    clauses = question_clauses(text)
    if len(clauses) < 2:
        return []
    acts = _distinct_topics(matcher, clauses, set())
    if len(acts) < 2:
        return []  # one topic after all: the whole message's reading says it best
    return acts[:MAX_QUESTIONS]


def _weighed_by_reasons(act: Act, text: str) -> Act:
    """An unsure question that may ask which plan to pick, with the lead's reasons beside it ("qual
    o melhor pra mim? vou ficar aqui pra sempre"): the reasons say it is the choice of plan."""
    unsure = act.kind == "question" and act.confidence < TOPIC_MIN_CONFIDENCE
    if not unsure or WHICH_PLAN not in (act.topic, *act.alternatives) or plan_reason(text) is None:
        return act
    others = tuple(t for t in (act.topic, *act.alternatives) if t != WHICH_PLAN)[:2]
    return replace(act, topic=WHICH_PLAN, alternatives=others, confidence=TOPIC_MIN_CONFIDENCE)


def _stated_topics(matcher: TopicMatcher, text: str, acts: list[Act]) -> list[Act]:
    """A statement beside the question that is itself one of the knowledge base's topics ("a conta
    tá no nome da minha mãe, e quanto tempo pra começar?"): answered too. Only a clause plainly one
    of a topic's paraphrases counts; "moro em Recife" is data, not a topic."""
    clauses = statement_clauses(text)
    asked = {a.topic for a in acts if a.topic}
    found: list[Act] = []
    for clause, ranked in zip(clauses, matcher.rank_each(clauses), strict=True):
        if not ranked or ranked[0].score < STATED_TOPIC_SCORE or ranked[0].label in asked:
            continue
        act = _topic_act(ranked, clause, matcher)
        if act.confidence >= TOPIC_MIN_CONFIDENCE and matcher.knowledge[act.topic].answered_here:
            asked.add(act.topic)
            found.append(act)
    return found[: max(0, MAX_QUESTIONS - sum(a.kind == "question" for a in acts))]


def _beside_the_place(matcher: TopicMatcher, text: str, place: Act) -> list[Act]:
    """What a message asks beside its place question, each on its own topic, in the lead's order:
    "moro em Manaus, vcs atendem? e precisa trocar o relógio?" (the meter), "vcs atendem empresa
    em Caruaru?" (companies). A part that only asks or states the place gives nothing; a statement
    counts only when a word names its topic outright ("tenho um sítio")."""
    knowledge = matcher.knowledge
    parts = [
        words
        for words, asks in beside_the_place(text, str(place.entities.get("city") or ""))
        if asks or matcher.words.keyword_topics(words)
    ]
    return _distinct_topics(matcher, parts, {_answer_key(knowledge, place.topic)})[: MAX_QUESTIONS - 1]


def _distinct_topics(matcher: TopicMatcher, parts: list[str], seen: set[str]) -> list[Act]:
    """One confident question act per answer not in `seen`, in the lead's order."""
    acts: list[Act] = []
    for words, ranked in zip(parts, matcher.rank_each(parts), strict=True):
        if not ranked or ranked[0].score < NO_TOPIC_SCORE:
            continue
        act = _topic_act(ranked, words, matcher)
        key = _answer_key(matcher.knowledge, act.topic)
        if act.confidence >= TOPIC_MIN_CONFIDENCE and key not in seen:
            seen.add(key)
            acts.append(act)
    return acts


def _answer_key(knowledge: KnowledgeBase, topic_id: str) -> str:
    topic = knowledge[topic_id]
    return topic.faq or topic.special or topic.id


def _intent_of(
    acts: list[Act], rules: Understanding, knowledge: KnowledgeBase
) -> tuple[str, float, str, list[Act]]:
    """The stable intent for the nodes (and the acts as finally read): data and choices the rules
    read keep the funnel moving; a confident question decides otherwise, unless the rules are
    sure of another question on a short message and the topic is only loosely near; an unsure
    one keeps the rules' reading at a capped confidence."""
    question = next((a for a in acts if a.kind == "question"), None)
    # Data and choices move the funnel; the answer to the question rides along in the same reply.
    if rules.intent == Intent.CHOOSE_PLAN and any(a.kind == "plan_choice" for a in acts):
        return Intent.CHOOSE_PLAN, rules.confidence, "rules", acts
    if rules.intent == Intent.PROVIDE_INFO and any(a.kind == "info" and a.about == "lead" for a in acts):
        return Intent.PROVIDE_INFO, max(rules.confidence, 0.8), "rules", acts
    if question and _gives_own_place_or_bill(acts) and question.about != "place":
        # "conta de 420 aqui em Olinda, e tem taxa pra entrar": the lead's town and bill move the
        # funnel (the estimate) whatever keyword the question carries; the answer rides along.
        return Intent.PROVIDE_INFO, max(rules.confidence, 0.8), "rules", acts
    if question and question.about == "place":
        return Intent.PROVIDE_INFO, rules.confidence, "rules", acts
    if question and question.layer == "embeddings" and question.confidence >= TOPIC_MIN_CONFIDENCE:
        topic_intent = knowledge[question.topic].intent
        if _rules_stand(rules, topic_intent, question):
            # The intent the rules are sure of routes the turn; the topic still picks the answer
            # when the knowledge base has one ("moro de aluguel, tem problema?" routes as an
            # installation question and is answered by the tenant topic), unless a runner-up
            # topic agrees with the rules: two signals beat one ("como funciona esse negócio de
            # assinatura?" is how it works, not how to sign).
            return rules.intent, rules.confidence, "rules", _agreeing_topic(acts, question, rules, knowledge)
        return topic_intent, question.confidence, "embeddings", acts
    # A keyword the rules matched in a question the knowledge base cannot place is no topic to
    # answer with confidence ("sério? que pena" is not a trust question).
    lone_question = question and question.layer == "embeddings" and len(acts) == 1
    keyword_only = rules.intent.startswith("ask_") and rules.confidence < RULES_SURE
    if lone_question and keyword_only and not _agrees(question, knowledge, rules.intent):
        return Intent.OTHER, min(rules.confidence, KEYWORD_CAP) / 2, "rules", acts
    return rules.intent, min(rules.confidence, KEYWORD_CAP), "rules", acts


def _gives_own_place_or_bill(acts: list[Act]) -> bool:
    return any(a.kind == "info" and a.about == "lead" and _PLACE_OR_BILL & a.entities.keys() for a in acts)


def _agreeing_topic(
    acts: list[Act], question: Act, rules: Understanding, knowledge: KnowledgeBase
) -> list[Act]:
    """The question act with its topic swapped for a runner-up the rules' intent agrees with, when
    the embeddings' own margin was narrow."""
    if question.confidence >= CLEAR_MARGIN:
        return acts
    agreeing = next(
        (t for t in question.alternatives if t in knowledge and knowledge[t].intent == rules.intent), None
    )
    if agreeing is None:
        return acts
    rest = tuple(t for t in (question.topic, *question.alternatives) if t != agreeing)
    swapped = replace(question, topic=agreeing, alternatives=rest[:2])
    return [swapped if a is question else a for a in acts]


# Stop wordings this sure are stops whatever else the message says ("parar", "não me mande mais").
SURE_STOP = 0.95


def _rules_stand(rules: Understanding, topic_intent: str, question: Act) -> bool:
    """Sure rules on a short reply or a plain question beat a topic that is only loosely near.
    Never for a request for a person: "é um bot?" is a question about Sílvia, not a request."""
    if topic_intent == rules.intent or rules.confidence < RULES_SURE:
        return False
    if rules.intent == Intent.ASK_HUMAN and topic_intent == Intent.ASK_TRUST:
        return False
    if rules.intent in (Intent.OPT_OUT, Intent.DATA_REQUEST):
        return True
    return question.score < STRONG_TOPIC_SCORE


def _agrees(question: Act, knowledge: KnowledgeBase, intent: str) -> bool:
    """The embeddings' likeliest topic is one the rules' intent covers, and near enough to count."""
    topic = knowledge.topics.get(question.topic)
    return question.score >= NO_TOPIC_SCORE and topic is not None and topic.intent == intent


def _without_person_type(rules: Understanding) -> Understanding:
    entities = {k: v for k, v in rules.entities.items() if k != "person_type"}
    intent, confidence = rules.intent, rules.confidence
    if intent == Intent.PROVIDE_INFO and not entities:
        intent, confidence = Intent.OTHER, 0.3
    return Understanding(intent, confidence, entities)


def _person_reading(text: str, rules: Understanding, matcher: TopicMatcher | None) -> Reading | None:
    """A request for a person is a handover; a question whether Sílvia is a bot gets the honest
    answer (agent/understanding/person.py). Neither is left to a keyword or a nearest topic."""
    act = person_act(text)
    if act is None:
        return None
    entities = dict(rules.entities)
    if act == "request_person":
        request = Act("request_person", PERSON_CONFIDENCE, text.strip(), "rules", entities=entities)
        return Reading(text, (request,), Intent.ASK_HUMAN, PERSON_CONFIDENCE, entities, "rules", True)
    knowledge = matcher.knowledge if matcher is not None else default_knowledge()
    question = Act("question", PERSON_CONFIDENCE, text.strip(), "rules", topic=BOT_TOPIC)
    own_data = [
        a for a in _info_acts(text, rules, False) if a.about == "lead" and _PLACE_OR_BILL & a.entities.keys()
    ]
    if own_data:
        # "vc é robô? moro em Recife, pago 400": the data moves the funnel (the estimate) and the
        # bot question is answered beside it, as when the matcher reads such a message.
        confidence = max(rules.confidence, 0.8)
        return Reading(text, (*own_data, question), Intent.PROVIDE_INFO, confidence, entities, "rules", True)
    intent = knowledge[BOT_TOPIC].intent
    return Reading(text, (question,), intent, PERSON_CONFIDENCE, entities, "rules", True)


def _without_declined_person(text: str, matcher: TopicMatcher | None) -> Reading | None:
    """ "não quero falar com ninguém, só ver os preços": a person declined is no person topic; the
    rest of the message is what the lead asks (nothing left: a plain remark, no handover)."""
    declined = declined_person_clauses(text)
    if not declined:
        return None
    rest = " ".join(p.strip() for p in re.split(r"[,.;!?\n]+", text) if p.strip() and p not in declined)
    if rest and rest.strip(" ,.!?") != text.strip(" ,.!?"):
        return replace(read_message(rest, matcher), text=text)
    act = Act("other", 0.9, text.strip(), "rules")
    return Reading(text, (act,), Intent.OTHER, 0.9, {}, "rules", True)


def _stated_decision(text: str, rules: Understanding) -> Reading | None:
    """A refusal or a plan choice stated in the message: the act outranks any keyword's topic."""
    if rules.intent in (Intent.OPT_OUT, Intent.PROVIDE_INFO, Intent.ASK_HUMAN):
        return None
    if rules.intent == Intent.CHOOSE_PLAN and _compares_plans(text):
        return None  # read by meaning as the question it is (plans node never takes a plan from it)
    if rules.intent == Intent.CHOOSE_PLAN and only_sets_aside(text):
        # "Não quero o premium": no plan chosen; the lead is asked which one (plans node).
        entities = {k: v for k, v in rules.entities.items() if k != "plan"}
        act = Act("other", 0.9, text.strip(), "rules", entities=entities)
        return Reading(text, (act,), Intent.PROVIDE_INFO.value, 0.9, entities, "rules", True)
    plan = decided_plan(text)
    if plan is not None and asking_clauses(text):
        return None  # "fechado, essencial. e quando começa?": the choice and the question (below)
    if plan is None and refuses(text):
        act = Act("decline", 0.9, text.strip(), "rules")
        return Reading(text, (act,), Intent.DENY.value, 0.9, dict(rules.entities), "rules", True)
    if plan is None:
        return None
    act = Act("plan_choice", 0.9, text.strip(), "rules", entities={"plan": plan})
    entities = {**rules.entities, "plan": plan}
    return Reading(text, (act,), Intent.CHOOSE_PLAN.value, 0.9, entities, "rules", True)


def _plan_beside_question(text: str) -> str | None:
    """The plan a statement of the message settles on when another part asks something ("vou de
    plus. tem multa se cancelar?", "quero o premium e se eu me mudar?"); None when the message
    compares plans or chooses none."""
    if not asking_clauses(text) or _compares_plans(text):
        return None
    decided = [c for c in statement_clauses(text) if not _CONDITIONAL.search(normalise(c))]
    plans = {plan for clause in decided if (plan := decided_plan(clause))}
    return plans.pop() if len(plans) == 1 else None


def _person_over_soft_stop(text: str, rules: Understanding) -> bool:
    return (
        rules.intent == Intent.OPT_OUT
        and rules.confidence < SURE_STOP
        and person_act(text) == "request_person"
    )


def read_message(text: str, matcher: TopicMatcher | None, rules: Understanding | None = None) -> Reading:
    """The reading of one lead message (rules alone when no matcher is available)."""
    if matcher is not None and rules is None and written_in(text) == "pt":
        text = matcher.repair(text)  # "quando comesa o disconto": the words the knowledge base knows
    rules = rules or classify(text)
    if rules.intent != Intent.OPT_OUT and data_request_kind(text) == "other_person":
        # Someone else's data is refused plainly, whatever else the words suggest (a phone number
        # asked for is no request for a person): the privacy answer reads the request again.
        rules = Understanding(Intent.DATA_REQUEST, 0.9, dict(rules.entities))
    if _person_over_soft_stop(text, rules):
        # "chega de mensagem automática, quero uma pessoa": tired of the bot, not of Serena; the
        # lead asks to be contacted, by a person. A plain stop ("parar", "não me mande mais") stays.
        rules = Understanding(Intent.ASK_HUMAN, PERSON_CONFIDENCE, dict(rules.entities))
    if rules.intent in _LEGAL_REQUESTS and rules.confidence >= 0.85:  # stop / my data: never second-guessed
        return Reading(text, tuple(_rules_acts(text, rules)), rules.intent, rules.confidence,
                       dict(rules.entities), "rules", True)  # fmt: skip
    if about_person := _person_reading(text, rules, matcher):
        return about_person
    if declined := _without_declined_person(text, matcher):
        return declined
    if decided := _stated_decision(text, rules):
        return decided  # "desisti, não quero mais" / "vou no plus pq 24 meses é muito": no topic question
    if rules.intent != Intent.CHOOSE_PLAN and (plan := _plan_beside_question(text)):
        # "vou de plus. tem multa se cancelar?": the plan is chosen and the question answered too.
        chosen = {**rules.entities, "plan": plan}
        rules = Understanding(Intent.CHOOSE_PLAN, max(rules.confidence, PLAN_BESIDE_QUESTION), chosen)
    if rules.intent == Intent.PROVIDE_INFO and (plan := decided_plan(text)):
        rules = Understanding(rules.intent, rules.confidence, {**rules.entities, "plan": plan})
    if matcher is not None and (data_and_question := _data_and_question(matcher, text, rules)):
        return data_and_question  # "sou de Mossoró e a noite como fica": the data, then the answer
    if matcher is None or explained_by_rules(text, rules) or is_repetitive(normalise(text).split()):
        return Reading(text, tuple(_rules_acts(text, rules)), rules.intent, rules.confidence,
                       dict(rules.entities), "rules", matcher is not None)  # fmt: skip
    norm = normalise(text)
    asks = rules.intent.startswith("ask_") or rules.intent == Intent.OTHER
    question = looks_like_question(text, norm) or asks or bool(asking_clauses(text))
    if question and "person_type" in rules.entities and not _OWN_BUSINESS.search(norm):
        rules = _without_person_type(rules)
    # Data read with no data in it ("a conta tá no nome do antigo dono") says nothing for sure.
    no_data = rules.intent == Intent.PROVIDE_INFO and not rules.entities
    unsure_statement = not question and (rules.confidence < 0.7 or no_data)
    # The intake asks the same check (agent/understanding/coverage.py): a place question, in slang
    # or without a "?" ("vcs ja tao em Teresina"), is a question even when nothing else says so.
    place_asked = place_question(text, rules.entities) is not None
    question = question or place_asked
    acts = _info_acts(text, rules, place_asked)
    if "plan" in rules.entities and _compares_plans(text):
        intent = Intent.ASK_CONTRACT if rules.intent == Intent.CHOOSE_PLAN else rules.intent
        confidence = 0.6 if rules.intent == Intent.CHOOSE_PLAN else rules.confidence
        rules = Understanding(intent, confidence, {k: v for k, v in rules.entities.items() if k != "plan"})
    if rules.intent == Intent.CHOOSE_PLAN:
        plan = {"plan": rules.entities.get("plan")}
        acts.append(Act("plan_choice", rules.confidence, text.strip(), "rules", entities=plan))
    if question:
        first = _question_act(matcher, text, place_asked, rules)
        acts += _more_questions(matcher, text, first) or [first]
        acts += _stated_topics(matcher, text, acts)
        acts = [_weighed_by_reasons(act, text) for act in acts]
    elif unsure_statement and not acts:
        # "nao sei qual plano pegar, me ajuda" has no question mark: a topic counts only when the
        # message is plainly one of its paraphrases ("depois eu escolho" is not a question).
        act = _question_act(matcher, text, False, rules, words=False)
        floor = STATEMENT_TOPIC_SCORE if rules.confidence < 0.7 else NO_DATA_TOPIC_SCORE
        acts = [act] if act.score >= floor else _rules_acts(text, rules)
    elif not acts:
        acts = _rules_acts(text, rules)
    intent, confidence, layer, acts = _intent_of(acts, rules, matcher.knowledge)
    entities = dict(rules.entities)
    return Reading(text, tuple(acts), intent, round(confidence, 3), entities, layer, False)
