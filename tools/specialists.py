"""The specialist roster: who takes a qualified lead over, by state, in turn (round-robin)."""

from __future__ import annotations

from itertools import count
from pathlib import Path
from typing import Any

import yaml

from agent.ports import Specialist

DEFAULT_ROSTER = Path(__file__).resolve().parent / "data" / "specialists.yml"


class SpecialistRoster:
    """Implements SpecialistDirectoryPort from a YAML roster file."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self._specialists = [
            Specialist(
                name=e["name"], phone=str(e["phone"]), states=[s.upper() for s in e.get("states", ["*"])]
            )
            for e in entries
        ]
        self._cities = {e["name"]: {c.casefold() for c in e.get("cities", [])} for e in entries}
        self._turn = count()

    @classmethod
    def load(cls, path: Path = DEFAULT_ROSTER) -> SpecialistRoster:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(list(data.get("specialists", [])))

    @property
    def specialists(self) -> list[Specialist]:
        return list(self._specialists)

    def covering(self, state: str | None, city: str | None) -> list[Specialist]:
        """Specialists of the lead's state first; the catch-all ones ("*") only if none."""
        uf = (state or "").upper()
        local = [s for s in self._specialists if uf in s.states and self._covers_city(s, city)]
        return local or [s for s in self._specialists if "*" in s.states]

    def _covers_city(self, specialist: Specialist, city: str | None) -> bool:
        cities = self._cities.get(specialist.name) or set()
        return not cities or (city or "").casefold() in cities

    async def assign(self, state: str | None, city: str | None) -> Specialist | None:
        candidates = self.covering(state, city)
        if not candidates:
            return None
        return candidates[next(self._turn) % len(candidates)]
