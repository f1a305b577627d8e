"""Business hours in Serena's time zone: proactive messages only 09:00–18:00 on business days."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

OPEN, CLOSE = time(9, 0), time(18, 0)


def local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def is_business_hours(now: datetime, timezone: str) -> bool:
    """Monday–Friday, 09:00 ≤ t < 18:00 local. National holidays come with the scheduler."""
    moment = local(now, timezone)
    return moment.weekday() < 5 and OPEN <= moment.time() < CLOSE


def contact_when(now: datetime, timezone: str) -> str:
    """When a specialist can be expected to call, in the lead's words."""
    moment = local(now, timezone)
    if moment.weekday() < 5 and moment.time() < time(17, 0):
        return "hoje"
    return "no próximo dia útil"
