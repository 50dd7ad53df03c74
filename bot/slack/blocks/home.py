"""The App Home tab: the person's channels side by side, their own items, and the buttons to
log something new."""

from __future__ import annotations

from typing import Any

from bot.domain.items import Item
from bot.domain.labels import plural, votes_label
from bot.domain.scoring import Ranked
from bot.services.app_home import HOME_ITEMS_PER_KIND, ChannelBoard, HomeData
from bot.slack.blocks.digest import FEATURE_HEADING, NON_FEATURE_HEADING
from bot.slack.blocks.elements import context, mrkdwn, section
from bot.slack.blocks.issue_links import item_issue
from bot.slack.blocks.item_menu import item_menu
from bot.slack.text import clip, escape

LOG_DEBT_ACTION = "home_log_debt"
LOG_BUG_ACTION = "home_log_bug"
LOG_FEATURE_ACTION = "home_log_feature"
_EMPTY = "—"


def home_view(data: HomeData, *, notice: str | None = None) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Tradeoff"}},
        {"type": "actions", "block_id": "home_log", "elements": [
            _button("Log tech debt", LOG_DEBT_ACTION),
            _button("Log a bug", LOG_BUG_ACTION),
            _button("Log a feature request", LOG_FEATURE_ACTION),
        ]},
    ]
    if notice:
        blocks.append(context(escape(notice)))
    blocks += _own_items(data.own_items)
    for board in data.boards:
        blocks += _board(board)
    if not data.boards:
        blocks += [{"type": "divider"}, section(
            "None of your channels has open items yet. Log tech debt with `/debt`, bugs with "
            "`/bug` and feature requests with `/feature` in a team channel, or with the buttons "
            "above."
        )]
    if data.hidden_channels:
        blocks.append(context(
            f"…and {plural(data.hidden_channels, 'more channel')} with open items: "
            "`/tradeoff list` there shows them."
        ))
    return {"type": "home", "blocks": blocks}


def _button(label: str, action_id: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id,
            "text": {"type": "plain_text", "text": label}}


def _own_items(items: list[Item]) -> list[dict[str, Any]]:
    if not items:
        return []
    blocks: list[dict[str, Any]] = [{"type": "divider"}, section("*Your open items*")]
    for item in items:
        # No vote count: the item's channel may hide tallies until its decision.
        line = section(f"*{item.ref}* {clip(escape(item.title), 200)}{item_issue(item)} · in "
                       f"<#{item.channel_id}>")
        line["accessory"] = item_menu(item.ref)
        blocks.append(line)
    return blocks


def _board(board: ChannelBoard) -> list[dict[str, Any]]:
    hidden = board.settings.votes_hidden
    when = (
        f"next digest {board.next_digest:%a %d %b %H:%M} {board.settings.slot.timezone}"
        if board.next_digest and board.settings.slot
        else "no weekly digest scheduled (`/tradeoff schedule`)"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        section(f"*<#{board.channel_id}>* · {board.open_count} open"),
        context(when + (" · tallies hidden until the decision" if hidden else "")),
        {"type": "section", "fields": [
            mrkdwn(NON_FEATURE_HEADING), mrkdwn(FEATURE_HEADING),
        ]},
    ]
    debt = board.debt[:HOME_ITEMS_PER_KIND]
    features = board.features[:HOME_ITEMS_PER_KIND]
    for row in range(max(len(debt), len(features))):
        blocks.append({"type": "section", "fields": [
            mrkdwn(_cell(debt[row], hidden) if row < len(debt) else _EMPTY),
            mrkdwn(_cell(features[row], hidden) if row < len(features) else _EMPTY),
        ]})
    more = len(board.debt) - len(debt) + len(board.features) - len(features)
    if more:
        blocks.append(context(f"…and {more} more: `/tradeoff list` in the channel."))
    return blocks


def _cell(ranked: Ranked, hidden: bool) -> str:
    item = ranked.item
    facts = item.kind.value if hidden else f"{votes_label(item.votes)} · *{ranked.score.label()}*"
    return "\n".join([
        f"*{ranked.rank}. {item.ref}* {clip(escape(item.title), 150)}{item_issue(item)}",
        clip(escape(item.impact.replace("\n", " ")), 200),
        facts,
    ])
