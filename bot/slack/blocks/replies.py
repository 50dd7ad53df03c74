"""Ephemeral and channel replies to slash commands: confirmations, lists, help, errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain.items import Item, Kind
from bot.domain.labels import affected_label, severity_label, votes_label
from bot.slack.blocks.elements import section
from bot.slack.blocks.issue_links import item_issue
from bot.slack.blocks.limits import MAX_BLOCKS_PER_MESSAGE, MAX_SECTION_TEXT
from bot.slack.text import clip, escape

Reply = dict[str, Any]

def one_line_syntax(kind: Kind) -> str:
    """`/debt <title> | <business impact>`, escaped so Slack shows the angle brackets."""
    return f"`{kind.command} {escape('<title>')} | {escape(f'<{kind.impact_label}>')}`"


def usage_text(tradeoff_lines: Iterable[str]) -> str:
    """The help: the three logging commands, then one line per `/tradeoff` sub-command."""
    # Our own markup, but the placeholders' angle brackets must still be escaped for mrkdwn.
    return "\n".join(
        [
            "*Tradeoff* keeps tech debt, bugs and feature requests side by side.",
            f"{one_line_syntax(Kind.DEBT)} log tech debt (`/debt` alone opens a form)",
            f"{one_line_syntax(Kind.BUG)} log a bug (`/bug` opens a form with its severity)",
            f"{one_line_syntax(Kind.FEATURE)} log a feature request (`/feature` opens a form)",
            *tradeoff_lines,
        ]
    )


def text_reply(text: str) -> Reply:
    return {"text": text, "blocks": [section(text)]}


def error_reply(message: str, *, usage: str | None = None) -> Reply:
    """An ephemeral error; `message` is already mrkdwn-safe. `usage`, the help, follows it."""
    text = f":warning: {message}"
    return text_reply(f"{text}\n\n{usage}" if usage else text)


def usage_reply(usage: str) -> Reply:
    return text_reply(usage)


def item_logged_reply(item: Item) -> Reply:
    noun = item.kind.heading
    details = [f"{item.kind.impact_label.capitalize()}: {escape(item.impact)}"]
    extras = [f"size {item.size.value}" if item.size else "", _urgency(item),
              _affected(item), _area(item)]
    if any(extras):
        details.append(" · ".join(e for e in extras if e))
    quoted = "\n".join(f">{line}" for d in details for line in d.splitlines() or [""])
    text = f":white_check_mark: {noun} *{item.ref}* logged: {escape(item.title)}\n{quoted}"
    return {"text": f"{noun} {item.ref} logged", "blocks": [section(clip(text, MAX_SECTION_TEXT))]}


def item_closed_text(item: Item, user_id: str) -> str:
    verb = "marked done" if item.status.value == "done" else "dropped"
    return f"*{item.ref}* {escape(item.title)} {verb} by <@{user_id}>."


def list_reply(items: Sequence[Item], *, votes_hidden: bool = False) -> Reply:
    """Every open item, one line each starting with its id, within Slack's message limits.

    While the channel hides tallies, a line names who voted instead of counting them.
    """
    if not items:
        return text_reply(
            "No open items in this channel yet. Log one with `/debt`, `/bug` or `/feature`."
        )
    debt = [i for i in items if i.kind is Kind.DEBT]
    bugs = [i for i in items if i.kind is Kind.BUG]
    features = [i for i in items if i.kind is Kind.FEATURE]
    lines = [f"*Tech debt ({len(debt)} open)*"] + [_list_line(i, votes_hidden) for i in debt]
    if bugs:  # with debt, on the non-feature side; a channel that logs none sees no heading
        lines += ["", f"*Bugs ({len(bugs)} open)*"] + [_list_line(i, votes_hidden) for i in bugs]
    lines += ["", f"*Feature requests ({len(features)} open)*"]
    lines += [_list_line(i, votes_hidden) for i in features]
    blocks, shown = _pack_lines(lines, MAX_BLOCKS_PER_MESSAGE - 1)
    hidden = len(lines) - shown
    if hidden:
        blocks.append(section(f"…and {hidden} more lines not shown (Slack's message limit)."))
    bug_count = f", {len(bugs)} bugs" if bugs else ""
    summary = f"Open items: {len(debt)} tech debt{bug_count}, {len(features)} feature requests"
    return {"text": summary, "blocks": blocks}


def _list_line(item: Item, votes_hidden: bool) -> str:
    if votes_hidden:
        # An ephemeral reply: mentions here notify nobody.
        voted = ", ".join(f"<@{u}>" for u in item.voters)
        parts = [f"voted: {voted}" if voted else "no votes yet"]
    else:
        parts = [votes_label(item.votes)]
    if item.size:
        parts.append(f"size {item.size.value}")
    parts += [extra for extra in (_urgency(item), _affected(item)) if extra]
    return f"{item.ref}  {escape(item.title)}{item_issue(item)} · {' · '.join(parts)}"


def _pack_lines(lines: list[str], max_blocks: int) -> tuple[list[dict[str, Any]], int]:
    """Greedily fill sections up to the text limit; returns the blocks and lines used."""
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    used = 0
    for line in lines:
        candidate = "\n".join([*current, line])
        if current and len(candidate) > MAX_SECTION_TEXT:
            if len(blocks) + 1 >= max_blocks:
                break
            blocks.append(section("\n".join(current)))
            current = []
        current.append(clip(line, MAX_SECTION_TEXT))
        used += 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks, used


def _urgency(item: Item) -> str:
    """`high urgency`; for a bug its severity, which takes urgency's place, or `not triaged`."""
    if item.kind is Kind.BUG:
        return severity_label(item.severity)
    return f"{item.urgency.value} urgency" if item.urgency else ""


def _affected(item: Item) -> str:
    return "" if item.affected_per_week is None else affected_label(item.affected_per_week)


def _area(item: Item) -> str:
    return f"area: {escape(item.area)}" if item.area else ""
