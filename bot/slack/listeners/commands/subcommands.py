"""The one table of `/tradeoff` sub-commands.

Dispatch, `/tradeoff help`, the manifest's usage hint and the tests are all derived from
`SUBCOMMANDS`: adding a sub-command means adding its row here and its handler, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.planning import DEFAULT_CAPACITY_POINTS, DEFAULT_DEBT_BUDGET_PCT
from bot.slack.blocks.replies import Reply, usage_reply, usage_text
from bot.slack.listeners.commands import (
    tradeoff_canvas,
    tradeoff_care,
    tradeoff_export,
    tradeoff_items,
    tradeoff_people,
    tradeoff_report,
    tradeoff_schedule,
    tradeoff_settings,
    tradeoff_trackers,
    tradeoff_trends,
)
from bot.slack.listeners.commands.invocation import Invocation, SubCommandHandler
from bot.slack.text import escape


@dataclass(frozen=True)
class SubCommandSpec:
    name: str
    handler: SubCommandHandler
    help: str  # one mrkdwn line: what it does
    synopsis: str = ""  # its arguments as a user types them, e.g. `<id>`; escaped when shown

    @property
    def usage_line(self) -> str:
        """`/tradeoff done <id>` and what it does, as one line of the help."""
        typed = f"/tradeoff {self.name} {escape(self.synopsis)}".rstrip()
        return f"`{typed}` {self.help}"


async def _help(call: Invocation) -> None:
    await call.reply(help_reply())


SUBCOMMANDS: tuple[SubCommandSpec, ...] = (
    SubCommandSpec("list", tradeoff_items.list_items,
                   "every open item of this channel with its votes"),
    SubCommandSpec("done", tradeoff_items.close,
                   "mark an item done, e.g. `/tradeoff done D-3`", "<id>"),
    SubCommandSpec("drop", tradeoff_items.close,
                   "drop an item that is no longer wanted", "<id>"),
    SubCommandSpec("schedule", tradeoff_schedule.schedule,
                   "the weekly digest, e.g. `/tradeoff schedule monday 09:00 Europe/Berlin`; "
                   "`schedule` shows it, `schedule off` stops it, `schedule quiet` skips "
                   "empty weeks", "<weekday> <HH:MM> [time zone]"),
    SubCommandSpec("digest", tradeoff_schedule.digest, "post the digest here now"),
    SubCommandSpec("budget", tradeoff_settings.budget,
                   f"the share of capacity for debt (default {DEFAULT_DEBT_BUDGET_PCT})",
                   "<percent>"),
    SubCommandSpec("capacity", tradeoff_settings.capacity,
                   f"size points per cycle (default {DEFAULT_CAPACITY_POINTS})", "<points>"),
    SubCommandSpec("settings", tradeoff_settings.settings,
                   "this channel's settings; `settings votes hidden` hides vote counts until "
                   "each decision; `settings catchup 3` pays back debt the last 3 cycles "
                   "fell short of (`off` stops it)"),
    SubCommandSpec("role", tradeoff_people.role, "who signs off decisions",
                   "<@person> lead|pm|none"),
    SubCommandSpec("roles", tradeoff_people.roles, "lists who signs off decisions"),
    SubCommandSpec("merge", tradeoff_items.merge, "merge a duplicate, votes included",
                   "<duplicate-id> <into-id>"),
    SubCommandSpec("history", tradeoff_people.history, "the last decisions", "[n]"),
    SubCommandSpec("export", tradeoff_export.export, "items, votes and decisions as CSV"),
    SubCommandSpec("report", tradeoff_report.report,
                   "every channel you can see: debt share against budget, open debt, "
                   "interest; `report share` posts it here", "[share]"),
    SubCommandSpec("trends", tradeoff_trends.trends, "a chart of debt versus features",
                   "[weeks]"),
    SubCommandSpec("estimate", tradeoff_care.estimate, "size an item (leads)",
                   "<id> <XS|S|M|L|XL> [low|medium|high]"),
    SubCommandSpec("interest", tradeoff_care.interest,
                   "what a debt item costs each week (leads and PMs)", "<id> <hours per week>"),
    SubCommandSpec("show", tradeoff_care.show,
                   "an item and its history; `show decision 3` shows a decision and its why",
                   "<id>"),
    SubCommandSpec("health", tradeoff_care.health, "what needs care in the backlog"),
    SubCommandSpec("connect", tradeoff_trackers.connect,
                   "connect this channel to GitHub Issues or Jira (leads and PMs)",
                   "github <owner>/<repo> | jira <https://site> <PROJECT>"),
    SubCommandSpec("connections", tradeoff_trackers.connections,
                   "this channel's trackers: state, last sync, pending write-backs"),
    SubCommandSpec("disconnect", tradeoff_trackers.disconnect,
                   "remove a tracker and its credentials (leads and PMs)", "github|jira"),
    SubCommandSpec("import", tradeoff_trackers.import_command,
                   "turn the tracker's open issues into items (leads and PMs)"),
    SubCommandSpec("link", tradeoff_trackers.link, "link an item to an existing issue",
                   "<id> <owner/repo#N | PROJ-N | issue URL>"),
    SubCommandSpec("push", tradeoff_trackers.push, "create the item's issue in the tracker",
                   "<id> [github|jira]"),
    SubCommandSpec("canvas", tradeoff_canvas.canvas,
                   "keep the channel canvas \"Tradeoff\" up to date, or stop", "on|off"),
    SubCommandSpec("help", _help, "this help"),
)
HELP = "help"  # what a bare `/tradeoff` runs
_BY_NAME = {spec.name: spec for spec in SUBCOMMANDS}


def find(name: str) -> SubCommandSpec | None:
    """The sub-command a user typed (`""` is the bare command), or None when there is none."""
    return _BY_NAME.get(name or HELP)


def help_text() -> str:
    return usage_text(spec.usage_line for spec in SUBCOMMANDS)


def help_reply() -> Reply:
    return usage_reply(help_text())


def manifest_usage_hint() -> str:
    """Every sub-command's name, for the hint Slack shows while `/tradeoff` is typed."""
    return " | ".join(spec.name for spec in SUBCOMMANDS)
