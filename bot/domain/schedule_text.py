"""Reading `<weekday> <HH:MM> [IANA timezone]` as users type it after `/tradeoff schedule`."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.channel_settings import WEEKDAYS, WeeklySlot

EXAMPLE = "/tradeoff schedule monday 09:00 Europe/Berlin"
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory", "posix", "right"})
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class ScheduleTextError(ValueError):
    """What is wrong with the schedule text, with a valid example in the message."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} Example: `{EXAMPLE}`.")


def parse_weekday(text: str) -> int:
    word = text.strip().lower().removesuffix("s")  # "mondays" reads naturally too
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    raise ScheduleTextError(f"'{text}' is not a weekday; use monday … sunday (or mon … sun).")


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise ScheduleTextError(f"'{text}' is not a time; write it as HH:MM, 24-hour.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ScheduleTextError(f"'{text}' is not a time on a 12-hour clock.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleTextError(f"'{text}' is not a time of day.")
    return time(hour, minute)


def parse_timezone(text: str) -> str:
    """A valid IANA zone name, as the tz database spells it (e.g. `Europe/Berlin`)."""
    name = text.strip()
    if name.upper() == "UTC":
        return "UTC"
    # These resolve on some hosts but are not zones: "localtime" is the server's own setting.
    not_a_zone = ScheduleTextError(
        f"'{text}' is not an IANA time zone such as Europe/Berlin or America/New_York."
    )
    if name in _NOT_ZONES or name.startswith(("posix/", "right/")):
        raise not_a_zone
    try:
        # ZoneInfo refuses relative paths and unknown keys; both mean "not a zone" here. A key
        # is also a file path, so the OS has its say too: a directory, or a name too long for
        # a file name (ENAMETOOLONG), is an OSError, and still only means "not a zone".
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise not_a_zone from None
    return name


def parse_slot(args: tuple[str, ...], default_timezone: str) -> WeeklySlot:
    """`monday 09:00 [Europe/Berlin]` → WeeklySlot; the zone defaults to `default_timezone`."""
    if len(args) not in (2, 3):
        raise ScheduleTextError("Say the weekday, the time and optionally the time zone.")
    timezone = parse_timezone(args[2]) if len(args) == 3 else default_timezone
    return WeeklySlot(parse_weekday(args[0]), parse_time(args[1]), timezone)
