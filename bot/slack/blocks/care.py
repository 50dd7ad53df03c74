"""Replies of the roles' routines: an item's full record, and the backlog's health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.backlog_health import STALE_AFTER, BacklogHealth
from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import Role
from bot.domain.items import Item, ItemChange, Kind
from bot.domain.labels import (
    affected_label,
    age_label,
    severity_label,
    votes_label,
    weeks_label,
)
from bot.domain.tracker_sync import actor_label
from bot.slack.blocks.elements import context, section
from bot.slack.blocks.issue_links import item_issue
from bot.slack.blocks.limits import MAX_BLOCKS_PER_MESSAGE
from bot.slack.blocks.people import holders
from bot.slack.text import clip, escape, quote

MERGE_DUPLICATE_ACTION = "merge_duplicate"
_FIELD_NAMES = {"created": "logged", "status": "status", "size": "size",
                "interest": "interest", "merged_into": "merged into",
                "affected_per_week": "affected users per week"}


def item_record_reply(item: Item, changes: list[ItemChange], now: datetime) -> dict[str, Any]:
    facts = [
        f"status {item.status.value}",
        f"size {item.size.value}" if item.size else "unsized",
        votes_label(item.votes),
        age_label(item.created_at, now),
    ]
    if item.size_confidence:
        facts[1] += f" ({item.size_confidence.value} confidence)"
    if item.kind is Kind.DEBT:
        facts.append(
            f"{item.interest:g} h/week interest"
            if item.interest is not None
            else "impact not quantified"
        )
    if item.urgency:
        facts.append(f"{item.urgency.value} urgency")
    if item.kind is Kind.BUG:
        facts.append(severity_label(item.severity))
        if item.affected_per_week is not None:
            facts.append(affected_label(item.affected_per_week))
    head = (
        f"*{item.ref}* {escape(item.title)}{item_issue(item)}\n"
        f"{quote(item.impact)}\n" + " · ".join(facts)
        + f"\nLogged by <@{item.author_id}> in <#{item.channel_id}>."
    )
    trail = [
        f"{c.changed_at:%d %b %Y %H:%M} UTC · {_who(c.changed_by)} · {_change_text(c)}"
        for c in changes
    ]
    blocks = [section(head), section("*History*\n" + ("\n".join(trail) or "No changes yet."))]
    return {"text": f"{item.ref} {clip(escape(item.title), 100)}", "blocks": blocks}


def _who(changed_by: str) -> str:
    """A Slack user as a mention (ephemeral: nobody is pinged), the tracker by its name."""
    return actor_label(changed_by) or f"<@{changed_by}>"


def _change_text(change: ItemChange) -> str:
    name = _FIELD_NAMES.get(change.field, change.field)
    if change.field == "created":
        return "logged it"
    old = escape(change.old_value) if change.old_value else "none"
    return f"{name}: {old} → {escape(change.new_value or 'none')}"


def health_reply(health: BacklogHealth, roles: ChannelRoles) -> dict[str, Any]:
    if health.is_healthy:
        return {"text": "Backlog healthy", "blocks": [section(
            ":white_check_mark: The backlog looks healthy: nothing stale, no likely duplicates, "
            "every item sized, every debt item's interest known and every bug triaged."
        )]}
    leads = holders(roles, Role.LEAD, none="no lead set yet")
    blocks: list[dict[str, Any]] = [section(
        "*Backlog health* — nothing is closed automatically; each line is a suggestion."
    )]
    if health.stale:
        blocks.append(section(
            f"*Open over {weeks_label(STALE_AFTER)} with no votes* — consider dropping: "
            + _refs(health.stale)
        ))
    if health.unsized:
        blocks.append(section(
            f"*Needs an estimate* (leads: {leads}; `/tradeoff estimate {escape('<id>')} M`): "
            + _refs(health.unsized)
        ))
    if health.unquantified:
        blocks.append(section(
            "*Debt impact not quantified* (`/tradeoff interest "
            + escape("<id> <hours per week>") + "`): " + _refs(health.unquantified)
        ))
    if health.untriaged:
        blocks.append(section(
            "*Bugs not triaged*, no severity yet (⋯ → *Edit* on the bug sets it): "
            + _refs(health.untriaged)
        ))
    room = MAX_BLOCKS_PER_MESSAGE - len(blocks) - 2
    for pair in health.duplicates[: room // 2]:
        blocks.append(section(
            f"*Likely duplicates* ({pair.similarity:.0%} alike): *{pair.duplicate.ref}* "
            f"{clip(escape(pair.duplicate.title), 80)} and *{pair.keep.ref}* "
            f"{clip(escape(pair.keep.title), 80)}"
        ))
        label = f"Merge {pair.duplicate.ref} into {pair.keep.ref}"
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": MERGE_DUPLICATE_ACTION,
            "text": {"type": "plain_text", "text": label},
            "value": f"{pair.duplicate.ref}>{pair.keep.ref}",
        }]})
    hidden = len(health.duplicates) - room // 2
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more likely duplicate pairs."))
    return {"text": "Backlog health", "blocks": blocks}


def _refs(items: list[Item]) -> str:
    return clip(", ".join(f"*{i.ref}* {clip(escape(i.title), 50)}" for i in items), 2500)
