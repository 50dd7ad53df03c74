"""What a channel has chosen: its weekly digest slot, debt budget, capacity and thread size."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.planning import DEFAULT_CAPACITY_POINTS, DEFAULT_DEBT_BUDGET_PCT
from bot.domain.reminders import DEFAULT_REMIND_HOURS
from bot.domain.voters import EVERYONE, VoterRule

DEFAULT_REPLIES_PER_KIND = 10
MAX_REPLIES_PER_KIND = 25
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WeeklySlot:
    """A wall-clock time in the channel's zone: Monday 09:00 stays 09:00 across DST changes."""

    weekday: int  # Monday is 0
    at: time
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()} {self.at:%H:%M} {self.timezone}"

    def latest_at_or_before(self, moment: datetime) -> datetime:
        """The most recent slot not after `moment`, as an aware datetime in the channel's zone."""
        local = moment.astimezone(self.zone)
        days_back = (local.weekday() - self.weekday) % 7
        candidate = self._on(local.date() - timedelta(days=days_back))
        # Compared in UTC: Python compares datetimes sharing a tzinfo by wall time, which is
        # wrong inside a DST fold or gap.
        if candidate.astimezone(UTC) > moment.astimezone(UTC):
            candidate = self._on(candidate.date() - timedelta(days=7))
        return candidate

    def next_after(self, moment: datetime) -> datetime:
        return self._on(self.latest_at_or_before(moment).date() + timedelta(days=7))

    def _on(self, day: date) -> datetime:
        # zoneinfo resolves a wall time that falls in a DST gap or fold (fold=0: the first).
        return datetime.combine(day, self.at, tzinfo=self.zone)


@dataclass(frozen=True)
class ChannelSettings:
    team_id: str
    channel_id: str
    slot: WeeklySlot | None = None
    quiet: bool = False
    paused_reason: str | None = None
    budget_pct: int = DEFAULT_DEBT_BUDGET_PCT
    capacity: int = DEFAULT_CAPACITY_POINTS
    replies_per_kind: int = DEFAULT_REPLIES_PER_KIND
    votes_hidden: bool = False
    catch_up_cycles: int | None = None  # pay back the shortfall of the last N cycles; None: off
    # When the slot was set (None: unknown, no bound); a slot before it was never due.
    scheduled_since: datetime | None = None
    remind_hours: int | None = DEFAULT_REMIND_HOURS  # None: no reminders
    voters: VoterRule = EVERYONE
    voting_hours: int | None = None  # None: votes count until the decision
    canvas_on: bool = False  # keep the channel canvas "Tradeoff" up to date
    canvas_id: str | None = None  # the canvas made for it, once made

    def voting_closes_at(self, posted_at: datetime) -> datetime | None:
        """When reactions on a digest posted at `posted_at` stop changing its tallies."""
        return None if self.voting_hours is None else posted_at + timedelta(
            hours=self.voting_hours
        )

    @property
    def is_scheduled(self) -> bool:
        return self.slot is not None and self.paused_reason is None

    def due_slot(self, now: datetime) -> datetime | None:
        """The latest slot at or before `now` that came after the schedule was set, if any.

        Every process decides from this alone, so a slot is due (or not) the same way in all
        of them, whatever their own scheduler last heard.
        """
        if self.slot is None or self.paused_reason is not None:
            return None
        latest = self.slot.latest_at_or_before(now)
        if self.scheduled_since is not None and latest.astimezone(UTC) <= self.scheduled_since:
            return None
        return latest

    def with_changes(self, **changes: object) -> ChannelSettings:
        return replace(self, **changes)  # type: ignore[arg-type]
