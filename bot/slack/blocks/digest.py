"""The digest as Block Kit: a parent message with two ranked columns, and one reply per item."""

from __future__ import annotations

from typing import Any

from bot.domain.digest import Digest
from bot.domain.items import Item, Kind
from bot.domain.labels import age_label, votes_label
from bot.domain.scoring import Ranked
from bot.slack.blocks.limits import MAX_HEADER_TEXT, MAX_SECTION_TEXT
from bot.slack.text import clip, escape

Message = dict[str, Any]

# Field texts are limited to 2,000 characters; a cell stays well under it even when every
# character of a title is escaped.
_CELL_TITLE = 250
_CELL_IMPACT = 300
_PLAN_TITLE = 100
_EMPTY_CELL = "—"


def parent_message(digest: Digest) -> Message:
    """The parent message: header, the two columns, the recommended pick, the why and the split."""
    header = f"Tradeoff digest · week of {digest.week_of:%d %b %Y}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:MAX_HEADER_TEXT]}}
    ]
    if digest.is_empty:
        blocks.append(_section(
            "Nothing is open in this channel. Log tech debt with `/debt` and feature requests "
            "with `/feature`; `/tradeoff schedule quiet` skips the digest in empty weeks."
        ))
        return {"text": header, "blocks": blocks}
    blocks.append(_context(
        f"{len(digest.debt)} tech debt · {len(digest.features)} feature requests open · "
        f"capacity {digest.settings.capacity} points · debt budget {digest.settings.budget_pct}%"
    ))
    blocks.append({"type": "section", "fields": [
        _mrkdwn("*Tech debt* · business impact"), _mrkdwn("*Feature requests* · user value"),
    ]})
    debt, features = digest.shown_debt, digest.shown_features
    for row in range(max(len(debt), len(features))):
        blocks.append({"type": "section", "fields": [
            _mrkdwn(_cell(debt[row], digest) if row < len(debt) else _EMPTY_CELL),
            _mrkdwn(_cell(features[row], digest) if row < len(features) else _EMPTY_CELL),
        ]})
    if digest.hidden_count:
        blocks.append(_context(
            f"…and {digest.hidden_count} more open items: see `/tradeoff list`."
        ))
    blocks += [{"type": "divider"}, _section(_plan_text(digest)), _context(escape(digest.why()))]
    blocks.append(_context(_split_text(digest)))
    blocks.append(_context(_thread_hint(digest)))
    return {"text": f"{header}: {len(digest.debt)} debt, {len(digest.features)} features",
            "blocks": blocks}


def reply_message(ranked: Ranked, digest: Digest) -> Message:
    """One item's reply in the digest thread; its id is in the text so votes can be traced."""
    item = ranked.item
    kind = "tech debt" if item.kind is Kind.DEBT else "feature request"
    lines = [
        f"*{item.ref}* · #{ranked.rank} {kind} · score {ranked.score.value:g}",
        f"*{escape(item.title)}*",
        "\n".join(f">{line}" for line in escape(item.impact).splitlines() or [""]),
        _facts(item, digest),
    ]
    return {
        "text": f"{item.ref} {clip(escape(item.title), 200)}: react with :+1: to vote",
        "blocks": [
            _section(clip("\n".join(lines), MAX_SECTION_TEXT)),
            _context(f"React with :+1: to vote for {item.ref}. {ranked.score.explain()}"),
        ],
    }


def _cell(ranked: Ranked, digest: Digest) -> str:
    item = ranked.item
    return "\n".join([
        f"*{ranked.rank}. {item.ref}* {clip(escape(item.title), _CELL_TITLE)}",
        clip(escape(item.impact.replace("\n", " ")), _CELL_IMPACT),
        f"{_facts(item, digest)} · *score {ranked.score.value:g}*",
    ])


def _facts(item: Item, digest: Digest) -> str:
    facts = [
        f"size {item.size.value}" if item.size else "unsized",
        age_label(item.created_at, digest.now),
        votes_label(item.votes),
    ]
    if item.interest:
        facts.append(f"{item.interest:g} h/week interest")
    return " · ".join(facts)


def _plan_text(digest: Digest) -> str:
    """The pick, always with its totals; lines that would not fit are counted, not cut."""
    plan = digest.plan
    heading = (
        f"*Recommended for the next cycle* (capacity {_points(plan.capacity)}, debt budget "
        f"{plan.budget_pct}% = {_points(plan.debt_budget)})"
    )
    if not plan.picked:
        return f"{heading}\nNothing fits; split the items or raise `/tradeoff capacity`."
    totals = f"Debt {_pts(plan.debt_points)} · features {_pts(plan.feature_points)}."
    room = MAX_SECTION_TEXT - len(heading) - len(totals) - len("\n…and 999 more picked.") - 3
    lines: list[str] = []
    for ranked in plan.picked:
        line = (
            f"• *{ranked.item.ref}* {clip(escape(ranked.item.title), _PLAN_TITLE)} "
            f"({_pts(ranked.score.size_points)}, score {ranked.score.value:g})"
        )
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
    if len(lines) < len(plan.picked):
        lines.append(f"…and {len(plan.picked) - len(lines)} more picked.")
    return "\n".join([heading, *lines, totals])


def _pts(points: float) -> str:
    return f"{points:g} pt" if points == 1 else f"{points:g} pts"


def _points(points: float) -> str:
    return f"{points:g} point" if points == 1 else f"{points:g} points"


def _split_text(digest: Digest) -> str:
    split = digest.split
    if split is None or not split.decisions:
        return "No decisions recorded yet in this channel."
    return (
        f"Last {split.decisions} decisions: debt {split.debt_share_pct}% of planned size vs "
        f"{digest.settings.budget_pct}% budget."
    )


def _thread_hint(digest: Digest) -> str:
    hint = "Vote with :+1: on the items in this thread."
    if digest.unthreaded_count:
        hint += (
            f" The top {digest.settings.replies_per_kind} of each kind get a reply; the other "
            f"{digest.unthreaded_count} are in `/tradeoff list`."
        )
    return hint


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION_TEXT))}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(clip(text, MAX_SECTION_TEXT))]}
