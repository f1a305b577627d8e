"""Business hours in Serena's time zone: proactive messages only 09:00–18:00 on business days.

A business day is Monday–Friday and not a Brazilian national holiday (the `holidays` library
keeps the calendar, including moving feasts such as Good Friday).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

OPEN, CLOSE = time(9, 0), time(18, 0)


def local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


@lru_cache(maxsize=1)
def _national_holidays() -> holidays.HolidayBase:
    # Expands lazily to any year asked for; national (public) holidays only.
    return holidays.country_holidays("BR")


def holiday_name(day: date) -> str | None:
    """The national holiday on `day`, or None."""
    return _national_holidays().get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def is_business_hours(now: datetime, timezone: str) -> bool:
    """A business day, 09:00 ≤ t < 18:00 local."""
    moment = local(now, timezone)
    return is_business_day(moment.date()) and OPEN <= moment.time() < CLOSE


def contact_when(now: datetime, timezone: str) -> str:
    """When a specialist can be expected to call, in the lead's words."""
    moment = local(now, timezone)
    if is_business_day(moment.date()) and moment.time() < time(17, 0):
        return "hoje"
    return "no próximo dia útil"
