"""The digest as Block Kit: a parent message with two ranked columns, and one reply per item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.domain.backlog_health import STALE_AFTER
from bot.domain.digest import Digest
from bot.domain.items import Item, Kind, Status
from bot.domain.labels import (
    affected_label,
    age_label,
    non_feature_label,
    plural,
    severity_label,
    votes_label,
    weeks_label,
)
from bot.domain.scoring import Ranked
from bot.slack.blocks.elements import context, mrkdwn, section, text_length
from bot.slack.blocks.estimate_modal import estimate_button
from bot.slack.blocks.issue_links import item_issue
from bot.slack.blocks.item_menu import item_menu
from bot.slack.blocks.limits import MAX_HEADER_TEXT, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT
from bot.slack.blocks.sign_off import Names, display_name, sign_off_blocks
from bot.slack.text import clip, escape, quote

Message = dict[str, Any]

_PLAN_TITLE = 100
_EMPTY_CELL = "—"
# The left column holds all non-feature work, debt and bugs ranked together.
NON_FEATURE_HEADING = "*Tech debt &amp; bugs* · business or user impact"  # mrkdwn-escaped
FEATURE_HEADING = "*Feature requests* · user value"


@dataclass(frozen=True)
class _Budget:
    """How much of each item's text the parent shows."""

    cell_title: int
    cell_impact: int  # 0 leaves the impact out of the cell; its thread reply has it whole
    plan: int  # the recommended pick's section
    closed: int  # the line of items closed since the digest


# Tried in turn until the parent's texts add up to at most MAX_MESSAGE_TEXT, past which Slack
# refuses the whole message: twenty long items in full cells are already more than that. The
# first is the full cell; a field holds 2,000 characters, and a cell stays well under it even
# when every character of a title is escaped.
_BUDGETS = (
    _Budget(cell_title=250, cell_impact=300, plan=MAX_SECTION_TEXT, closed=MAX_SECTION_TEXT),
    _Budget(cell_title=120, cell_impact=120, plan=2000, closed=1000),
    _Budget(cell_title=60, cell_impact=0, plan=1200, closed=500),
)


def parent_message(digest: Digest, names: Names | None = None) -> Message:
    """The parent message: header, the two columns, the recommended pick and its sign-off, the
    why and the split. `names` maps user ids to display names (never mentions: no pings)."""
    for budget in _BUDGETS:
        message = _parent_message(digest, names or {}, budget)
        if text_length(message["blocks"]) <= MAX_MESSAGE_TEXT:
            break
    return message


def _parent_message(digest: Digest, names: Names, budget: _Budget) -> Message:
    header = f"Tradeoff digest · week of {digest.week_of:%d %b %Y}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:MAX_HEADER_TEXT]}}
    ]
    if digest.is_empty and not digest.closed:
        blocks.append(section(
            "Nothing is open in this channel. Log tech debt with `/debt`, bugs with `/bug` and "
            "feature requests with `/feature`; `/tradeoff schedule quiet` skips the digest in "
            "empty weeks."
        ))
        return {"text": header, "blocks": blocks}
    bugs = digest.bug_count
    bug_count = f"{plural(bugs, 'bug')} · " if bugs else ""
    blocks.append(context(
        f"{len(digest.debt) - bugs} tech debt · {bug_count}{len(digest.features)} feature "
        "requests open · "
        f"capacity {digest.settings.capacity} points · debt budget {digest.settings.budget_pct}%"
        + (" · tallies hidden until the decision" if digest.tallies_hidden else "")
    ))
    blocks.append({"type": "section", "fields": [
        mrkdwn(NON_FEATURE_HEADING), mrkdwn(FEATURE_HEADING),
    ]})
    debt, features = digest.shown_debt, digest.shown_features
    for row in range(max(len(debt), len(features))):
        blocks.append({"type": "section", "fields": [
            mrkdwn(_cell(debt[row], digest, names, budget) if row < len(debt) else _EMPTY_CELL),
            mrkdwn(
                _cell(features[row], digest, names, budget)
                if row < len(features) else _EMPTY_CELL
            ),
        ]})
    if digest.closed:
        blocks.append(context(clip(closed_text(digest.closed), budget.closed)))
    if digest.hidden_count:
        blocks.append(context(
            f"…and {digest.hidden_count} more open items: see `/tradeoff list`."
        ))
    blocks += _care_blocks(digest, names)
    blocks += [{"type": "divider"}, section(_plan_text(digest, budget.plan))]
    blocks += sign_off_blocks(digest, names)
    if not digest.tallies_hidden:
        blocks.append(context(escape(digest.why())))
    blocks.append(context(_split_text(digest)))
    blocks.append(context(_thread_hint(digest)))
    counts = f"{len(digest.debt) - bugs} debt, {bugs} bugs" if bugs else f"{len(digest.debt)} debt"
    return {"text": f"{header}: {counts}, {len(digest.features)} features",
            "blocks": blocks}


def reply_message(ranked: Ranked, digest: Digest) -> Message:
    """One item's reply in the digest thread; its id is in the text so votes can be traced."""
    item = ranked.item
    heading = f"*{item.ref}* · #{ranked.rank} {item.kind.heading.lower()}"
    if not digest.tallies_hidden:
        heading += f" · {ranked.score.label()}"
    lines = [
        heading,
        f"*{escape(item.title)}*{item_issue(item)}",
        quote(item.impact),
        _facts(item, digest, {}),
    ]
    how = f"React with :+1: to vote for {item.ref}."
    if not digest.tallies_hidden:
        how += f" {ranked.score.explain()}"
    body = section(clip("\n".join(lines), MAX_SECTION_TEXT))
    body["accessory"] = estimate_button(item.ref)  # the lead sizes it from here
    return {
        "text": f"{item.ref} {clip(escape(item.title), 200)}: react with :+1: to vote",
        "blocks": [
            body,
            {"type": "actions", "block_id": "item_menu", "elements": [item_menu(item.ref)]},
            context(how),
        ],
    }


def _care_blocks(digest: Digest, names: Names) -> list[dict[str, Any]]:
    """What the lead and the PM should look at: unsized items, and the backlog's health."""
    health = digest.health
    if health is None or health.is_healthy:
        return []
    blocks = []
    if health.unsized:
        leads = ", ".join(display_name(u, names) for u in digest.leads) or "no lead set yet"
        blocks.append(context(
            f"*Needs an estimate* (lead: {leads}): "
            + clip(", ".join(str(i.ref) for i in health.unsized), 1500)
            + " — not scored or picked until sized."
        ))
    parts = []
    if health.stale:
        parts.append(f"{plural(len(health.stale), 'item')} open over {weeks_label(STALE_AFTER)} "
                     "with no votes")
    if health.duplicates:
        parts.append(f"{plural(len(health.duplicates), 'likely duplicate pair')}")
    if health.unquantified:
        parts.append(f"{plural(len(health.unquantified), 'debt item')} without interest")
    if health.untriaged:
        parts.append(f"{plural(len(health.untriaged), 'bug')} not triaged")
    if parts:
        blocks.append(context("Backlog health: " + " · ".join(parts) + " — `/tradeoff health`."))
    return blocks


def closed_text(items: list[Item]) -> str:
    """The items this digest showed that are closed now; votes on them no longer count."""
    shown = ", ".join(
        f"~{item.ref}~ {clip(escape(item.title), 60)} ({_closed_label(item)})" for item in items
    )
    return f"Closed since this digest, votes no longer count: {shown}"


def _closed_label(item: Item) -> str:
    if item.status is Status.MERGED and item.merged_into:
        return f"merged into {item.merged_into}"
    return item.status.value


def _cell(ranked: Ranked, digest: Digest, names: Names, budget: _Budget) -> str:
    item = ranked.item
    score = "" if digest.tallies_hidden else f" · *{ranked.score.label()}*"
    # The tightest budget drops the issue link too: it must fit twenty items whatever their URLs.
    issue = item_issue(item) if budget.cell_impact else ""
    lines = [f"*{ranked.rank}. {item.ref}* {clip(escape(item.title), budget.cell_title)}{issue}"]
    if budget.cell_impact:
        lines.append(clip(escape(item.impact.replace("\n", " ")), budget.cell_impact))
    return "\n".join([*lines, f"{_facts(item, digest, names)}{score}"])


def _facts(item: Item, digest: Digest, names: Names) -> str:
    facts = [
        f"size {item.size.value}" if item.size else "unsized",
        age_label(item.created_at, digest.now),
        _votes(item, digest, names),
    ]
    if item.kind is Kind.BUG:
        facts.append(severity_label(item.severity))
        if item.affected_per_week is not None:
            facts.append(affected_label(item.affected_per_week))
    elif item.interest is not None:
        facts.append(f"{item.interest:g} h/week interest")
    elif item.kind is Kind.DEBT:
        facts.append("impact not quantified")
    return " · ".join(facts)


def _votes(item: Item, digest: Digest, names: Names) -> str:
    if not digest.tallies_hidden:
        return votes_label(item.votes)
    if not item.voters:
        return "no votes yet"
    # Who voted, never how many: the names are listed without a count.
    return "voted: " + clip(", ".join(display_name(u, names) for u in item.voters), 300)


def _plan_text(digest: Digest, limit: int) -> str:
    """The pick, always with its totals; lines that would not fit are counted, not cut."""
    plan = digest.plan
    heading = (
        f"*Recommended for the next cycle* (capacity {_points(plan.capacity)}, debt budget "
        f"{plan.budget_pct}% = {_points(plan.debt_budget)})"
    )
    if plan.catch_up:
        heading += f"\n{plan.catch_up.explain()}."
    if not plan.picked:
        return f"{heading}\nNothing fits; split the items or raise `/tradeoff capacity`."
    non_feature = non_feature_label(any(r.item.kind is Kind.BUG for r in plan.picked)).capitalize()
    totals = f"{non_feature} {_pts(plan.debt_points)} · features {_pts(plan.feature_points)}."
    idle = plan.idle_reason()
    room = limit - len(heading) - len(totals) - len("\n…and 999 more picked.") - 3
    room -= len(idle) + 1 if idle else 0
    lines: list[str] = []
    for ranked in plan.picked:
        score = "" if digest.tallies_hidden else f", score {ranked.score.value:g}"
        line = (
            f"• *{ranked.item.ref}* {clip(escape(ranked.item.title), _PLAN_TITLE)} "
            f"({_pts(ranked.score.size_points)}{score})"
        )
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
    if len(lines) < len(plan.picked):
        lines.append(f"…and {len(plan.picked) - len(lines)} more picked.")
    return "\n".join([heading, *lines, *([idle] if idle else []), totals])


def _pts(points: float) -> str:
    return f"{points:g} pt" if points == 1 else f"{points:g} pts"


def _points(points: float) -> str:
    return f"{points:g} point" if points == 1 else f"{points:g} points"


def _split_text(digest: Digest) -> str:
    split = digest.split
    if split is None or not split.decisions:
        return "No decisions recorded yet in this channel."
    last = "Last decision" if split.decisions == 1 else f"Last {split.decisions} decisions"
    return (
        f"{last}: debt {split.debt_share_pct}% of planned size vs "
        f"{digest.settings.budget_pct}% budget."
    )


def _thread_hint(digest: Digest) -> str:
    hint = "Vote with :+1: on the items in this thread."
    closes = digest.settings.voting_closes_at(digest.now)
    if digest.decision is not None:
        hint = "Voting closed when the decision was recorded."
    elif closes is not None:
        hint += (
            f" Voting closes {closes.astimezone(UTC):%a %d %b %Y %H:%M} UTC; reactions after "
            "that change no tally."
        )
    if digest.unthreaded_count:
        hint += (
            f" The top {digest.settings.replies_per_kind} of each kind get a reply; the other "
            f"{digest.unthreaded_count} are in `/tradeoff list`."
        )
    return hint
