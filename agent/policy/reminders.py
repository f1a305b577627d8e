"""The day a reminder the lead asked for goes out, and whether it is still owed.

One rule for the turn that confirms it (the day said to the lead), the follow-up planner
(`silvia followups list`, from `lead_interactions`) and the follow-up node (from the state):
the reminder is sent at the first pass of that day, never before; it is owed until a follow-up
went out after it was asked, or the lead wrote again on or after that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agent.policy.hours import is_business_day, local

_WEEKDAY_INDEX = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}
_NUMBERS = {"dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "sete": 7, "dez": 10, "quinze": 15}
_SOME_DAYS = 3  # "daqui a uns dias"
_TODAY = re.compile(r"\b(hoje|mais tarde|noite|tarde|daqui a pouco|logo mais)\b")
WEEKDAY_NAMES = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)


@dataclass(frozen=True)
class Reminder:
    on: date  # the local day it goes out (a business day)
    asked_at: datetime  # when the lead asked


def _requested(when: str, today: date) -> date:
    """The day the words name, counted from `today` (the lead's local day)."""
    if match := re.match(r"depois do dia (\d{1,2})", when):
        return _requested(f"dia {int(match.group(1)) + 1}", today)
    if "pra frente" in when or "para frente" in when or "pro frente" in when:
        return today + timedelta(days=_SOME_DAYS)
    if when.startswith("depois de amanha"):
        return today + timedelta(days=2)
    if "amanha" in when or when == "depois":
        return today + timedelta(days=1)
    if _TODAY.search(when):
        return today
    for name, index in _WEEKDAY_INDEX.items():
        if name in when:
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead + (7 if "semana que vem" in when and ahead < 7 else 0))
    if "fim de semana" in when or "final de semana" in when or when == "fds":
        return today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    if "semana" in when:
        return today + timedelta(days=7 - today.weekday())  # next Monday
    if "mes" in when:
        return _next_month(today)
    if match := re.search(r"dia (\d{1,2})", when):
        day = int(match.group(1))
        this_month = _safe_day(today, day)
        return (
            this_month if this_month and this_month > today else _safe_day(_next_month(today), day) or today
        )
    if match := re.search(r"(\d{1,2}|uns|alguns|umas|\w+) dias", when):
        word = match.group(1)
        count = int(word) if word.isdigit() else _NUMBERS.get(word, _SOME_DAYS)
        return today + timedelta(days=max(1, count))
    return today + timedelta(days=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _safe_day(month: date, day: int) -> date | None:
    try:
        return month.replace(day=day)
    except ValueError:
        return None


def reminder_day(when: str, now: datetime, timezone: str) -> date:
    """The business day the reminder goes out: the day asked, or the next business day after it
    (no pass runs on weekends and holidays: "me chama no sábado" is answered with Monday)."""
    day = _requested(when, local(now, timezone).date())
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def day_words(day: date, now: datetime, timezone: str) -> str:
    """How the confirmation names the day, in words (no digits to misread as a price): "amanhã
    (quarta-feira)", "na sexta-feira", "na segunda-feira da semana que vem", "no começo do mês que
    vem (terça-feira)"; a day further away by its date."""
    today = local(now, timezone).date()
    weekday = WEEKDAY_NAMES[day.weekday()]
    article = "no" if day.weekday() >= 5 else "na"
    if day == today:
        return "hoje, mais tarde"
    if day == today + timedelta(days=1):
        return f"amanhã ({weekday})"
    if (day - today).days < 7 and day.weekday() > today.weekday():
        return f"{article} {weekday}"
    if day.isocalendar()[1] == (today + timedelta(days=7)).isocalendar()[1]:
        return f"{article} {weekday} da semana que vem"
    if day.month != today.month and day.day <= 7:
        return f"no começo do mês que vem ({weekday})"
    return f"no dia {day:%d/%m} ({weekday})"


def still_owed(
    reminder: Reminder | None,
    last_inbound_at: datetime | None,
    last_followup_at: datetime | None,
    timezone: str,
) -> Reminder | None:
    """The reminder, while it is owed: no follow-up went out since it was asked, and the lead has
    not come back on or after the day (they are talking again: nothing to remind)."""
    if reminder is None:
        return None
    if last_followup_at is not None and last_followup_at >= reminder.asked_at:
        return None
    if last_inbound_at is not None and local(last_inbound_at, timezone).date() >= reminder.on:
        return None
    return reminder


def reminder_from(record: dict[str, object] | None) -> Reminder | None:
    """A reminder as the state and `lead_interactions.metadata` keep it: {"on", "asked_at"}."""
    if not record or not record.get("on") or not record.get("asked_at"):
        return None
    return Reminder(date.fromisoformat(str(record["on"])), datetime.fromisoformat(str(record["asked_at"])))
