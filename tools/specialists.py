"""The specialist roster: who takes a qualified lead over, by coverage and working hours.

A lead goes to the specialists who cover their state (and city, when a specialist lists
cities); the catch-all ones (states: ["*"]) only when nobody covers it. Among those on duty
now, the one who was assigned least recently gets the lead (round-robin that survives restarts
and is shared by workers, because "last assigned" comes from the persisted handoffs). When
nobody covering the lead is on duty, the one whose next shift starts first gets it, and the
lead is told when to expect the contact.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml

from agent.ports import Assignment, HandoffRecord, Specialist
from settings import DEFAULT_TIMEZONE

DEFAULT_ROSTER = Path(__file__).resolve().parent / "data" / "specialists.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {"days": list(WEEKDAYS[:5]), "start": "09:00", "end": "18:00"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RosterError(ValueError):
    """The roster file is malformed (says which entry and why)."""


class HandoffLog(Protocol):
    """Where handoffs are persisted (storage.handoffs.HandoffRepository implements it)."""

    async def record(self, handoff: HandoffRecord) -> None: ...

    async def last_assigned(self, names: Iterable[str]) -> dict[str, datetime]: ...


@dataclass(frozen=True)
class Shift:
    """Weekly working hours in the roster's time zone: these weekdays, start ≤ t < end."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    @classmethod
    def parse(cls, raw: dict[str, Any], who: str) -> Shift:
        try:
            days = frozenset(
                WEEKDAYS.index(str(d).lower()[:3]) for d in raw.get("days", DEFAULT_HOURS["days"])
            )
            start = time.fromisoformat(str(raw.get("start", DEFAULT_HOURS["start"])))
            end = time.fromisoformat(str(raw.get("end", DEFAULT_HOURS["end"])))
        except ValueError as exc:
            raise RosterError(f"{who}: bad hours {raw!r} (days mon..sun, start/end HH:MM)") from exc
        if not days or start >= end:
            raise RosterError(f"{who}: hours need at least one day and start before end")
        return cls(days, start, end)

    def on_duty(self, moment: datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end

    def next_start(self, moment: datetime) -> datetime:
        """`moment` itself when on duty, else the start of the next shift (same time zone)."""
        if self.on_duty(moment):
            return moment
        for offset in range(8):
            day: date = moment.date() + timedelta(days=offset)
            start = datetime.combine(day, self.start, tzinfo=moment.tzinfo)
            if day.weekday() in self.days and start > moment:
                return start
        raise RosterError("a shift with working days always starts within a week")  # pragma: no cover


def _specialist(entry: dict[str, Any]) -> tuple[Specialist, Shift]:
    who = str(entry.get("name") or "?")
    if not entry.get("name") or not entry.get("phone"):
        raise RosterError(f"roster entry {entry!r} needs a name and a phone")
    specialist = Specialist(
        name=str(entry["name"]),
        phone=str(entry["phone"]),
        states=[str(s).upper() for s in entry.get("states", ["*"])],
        cities=[str(c) for c in entry.get("cities", [])],
    )
    return specialist, Shift.parse(entry.get("hours") or DEFAULT_HOURS, who)


class MemoryHandoffLog:
    """Handoffs kept in memory: for tests and for a roster used without a database."""

    def __init__(self) -> None:
        self.handoffs: list[HandoffRecord] = []

    async def record(self, handoff: HandoffRecord) -> None:
        self.handoffs.append(handoff)

    async def last_assigned(self, names: Iterable[str]) -> dict[str, datetime]:
        wanted = set(names)
        last: dict[str, datetime] = {}
        for h in self.handoffs:
            if h.specialist_name in wanted and h.at > last.get(h.specialist_name, _EPOCH):
                last[h.specialist_name] = h.at
        return last


class SpecialistRoster:
    """Implements SpecialistDirectoryPort from a YAML roster file and a handoff log."""

    def __init__(
        self,
        entries: list[dict[str, Any]],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        log: HandoffLog | None = None,
    ) -> None:
        parsed = [_specialist(e) for e in entries]
        self._specialists = [s for s, _ in parsed]
        self._shifts = {s.name: shift for s, shift in parsed}
        self.zone = ZoneInfo(timezone)
        self.log: HandoffLog = log if log is not None else MemoryHandoffLog()
        # Assignments this process made and has not seen persisted yet (assign → record).
        self._recent: dict[str, datetime] = {}

    @classmethod
    def load(
        cls, path: Path | None = None, *, timezone: str = DEFAULT_TIMEZONE, log: HandoffLog | None = None
    ) -> SpecialistRoster:
        source = path or DEFAULT_ROSTER
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("specialists", []), list):
            raise RosterError(f"{source}: expected a mapping with a 'specialists' list")
        return cls(list(data.get("specialists") or []), timezone=timezone, log=log)

    @property
    def specialists(self) -> list[Specialist]:
        return list(self._specialists)

    def shift(self, name: str) -> Shift:
        return self._shifts[name]

    def covering(self, state: str | None, city: str | None) -> list[Specialist]:
        """Specialists of the lead's state (and city) first; the catch-all ones only if none."""
        uf = (state or "").upper()
        local = [s for s in self._specialists if uf in s.states and _covers_city(s, city)]
        return local or [s for s in self._specialists if "*" in s.states]

    def on_duty(self, now: datetime) -> list[Specialist]:
        moment = now.astimezone(self.zone)
        return [s for s in self._specialists if self._shifts[s.name].on_duty(moment)]

    async def assign(self, state: str | None, city: str | None, now: datetime) -> Assignment | None:
        candidates = self.covering(state, city)
        if not candidates:
            return None
        moment = now.astimezone(self.zone)
        starts = {s.name: self._shifts[s.name].next_start(moment) for s in candidates}
        first = min(starts.values())
        ready = [s for s in candidates if starts[s.name] == first]  # on duty now, or next to be
        last = await self.log.last_assigned(s.name for s in candidates)
        for name, at in self._recent.items():
            if at > last.get(name, _EPOCH):
                last[name] = at
        # Least recently assigned first; roster order breaks ties (stable sort).
        chosen = sorted(ready, key=lambda s: last.get(s.name, _EPOCH))[0]
        self._recent[chosen.name] = now
        return Assignment(specialist=chosen, on_duty=first == moment, contact_at=first)

    async def record_handoff(self, handoff: HandoffRecord) -> None:
        await self.log.record(handoff)


def _fold(text: str) -> str:
    """Case- and accent-insensitive ("Jaboatão" == "jaboatao")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _covers_city(specialist: Specialist, city: str | None) -> bool:
    cities = {_fold(c) for c in specialist.cities}
    return not cities or _fold(city or "") in cities
