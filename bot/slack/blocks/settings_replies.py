"""How a channel's schedule and settings are shown back to users."""

from __future__ import annotations

from datetime import datetime

from bot.domain.channel_settings import MAX_REPLIES_PER_KIND, ChannelSettings, WeeklySlot
from bot.domain.schedule_text import EXAMPLE
from bot.slack.text import escape


def next_digest_text(slot: WeeklySlot, now: datetime) -> str:
    return f"{slot.next_after(now):%a %d %b %Y %H:%M} ({slot.timezone})"


def schedule_text(settings: ChannelSettings, now: datetime) -> str:
    if settings.slot is None:
        return f"This channel has no weekly digest. Set one with `{EXAMPLE}`."
    text = f"Weekly digest: *{settings.slot.describe()}*."
    if settings.paused_reason:
        text += (
            f"\n:double_vertical_bar: Paused: Slack answered `{escape(settings.paused_reason)}` "
            "when posting here. Invite me to the channel, then set the schedule again."
        )
    else:
        text += f" Next: {next_digest_text(settings.slot, now)}."
    if settings.quiet:
        text += " Weeks with nothing open are skipped (`/tradeoff schedule quiet off` to change)."
    return text


def settings_text(settings: ChannelSettings, now: datetime) -> str:
    points, percent = escape("<points>"), escape("<percent>")
    replies = escape(f"<1-{MAX_REPLIES_PER_KIND}>")
    return "\n".join(
        [
            schedule_text(settings, now),
            f"Capacity per cycle: *{settings.capacity} points* (`/tradeoff capacity {points}`).",
            f"Debt budget: *{settings.budget_pct}%* of capacity, for debt and bugs together "
            f"(`/tradeoff budget {percent}`).",
            f"Thread replies per kind: *{settings.replies_per_kind}* "
            f"(`/tradeoff settings replies {replies}`).",
            ("Vote counts: *hidden until each decision*" if settings.votes_hidden
             else "Vote counts: *shown*")
            + " (`/tradeoff settings votes hidden` or `shown`).",
            (f"Sign-off reminders: *{settings.remind_hours} hours* after each digest, twice at "
             "most" if settings.remind_hours else "Sign-off reminders: *off*")
            + f" (`/tradeoff settings remind {escape('<hours>')}` or `off`).",
            (f"Voting: *closes {settings.voting_hours} hours* after each digest"
             if settings.voting_hours else "Voting: *open until the decision*")
            + f" (`/tradeoff settings voting {escape('<hours>')}` or `open`).",
            f"Who may vote: *{escape(settings.voters.describe())}* "
            f"(`/tradeoff settings voters everyone`, `members` or {escape('@<user group>')}).",
            (f"Catch-up budget: *the last {settings.catch_up_cycles} cycles*"
             if settings.catch_up_cycles else "Catch-up budget: *off*")
            + f" (`/tradeoff settings catchup {escape('<cycles>')}` or `off`).",
        ]
    )
