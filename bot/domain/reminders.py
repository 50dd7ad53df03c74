"""When the leads and PMs who have not agreed to a digest's pick are reminded, and how often."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.items import ItemRef

DEFAULT_REMIND_HOURS = 48
MAX_REMIND_HOURS = 168  # a week: the next digest is due by then
MAX_REMINDERS = 2  # nudges past the second stop helping and start annoying
UNSIZED_NAMED = 5


def reminder_rounds_due(posted_at: datetime, now: datetime, every_hours: int | None) -> int:
    """How many reminders are due for a digest by `now`: one `every_hours` after it was
    posted, a second the same time later, never more than MAX_REMINDERS; 0 when off."""
    if not every_hours:
        return 0
    elapsed = now - posted_at
    if elapsed < timedelta(0):
        return 0
    return min(MAX_REMINDERS, int(elapsed / timedelta(hours=every_hours)))


def reminder_window(now: datetime) -> datetime:
    """Digests posted before this can have no reminder left to send."""
    return now - timedelta(hours=MAX_REMIND_HOURS * MAX_REMINDERS + 1)


@dataclass(frozen=True)
class Reminder:
    """One direct message to a lead or PM who has not agreed to a digest's pick."""

    team_id: str
    channel_id: str
    parent_ts: str
    user_id: str
    role_label: str  # "tech lead", "product manager" or both
    round: int  # 1 or 2
    # Named in a lead's reminder: the best items that wait for a size before they can be picked.
    unsized: tuple[tuple[ItemRef, str], ...] = ()
