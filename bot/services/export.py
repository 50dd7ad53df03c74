"""Use case: everything a channel holds, as CSV files a spreadsheet opens safely."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass

from bot.domain.decisions import Decision
from bot.domain.items import Item
from bot.store.unit_of_work import Store

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_DECISIONS_LIMIT = 10_000
EXPORT_PAGE = 500


@dataclass(frozen=True)
class ChannelExport:
    items_csv: str
    decisions_csv: str
    item_count: int
    decision_count: int


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _items_csv(items: list[Item]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        "id", "kind", "status", "title", "impact_or_value", "size", "urgency",
        "interest_hours_per_week", "area", "link", "votes", "voters", "author",
        "created_at", "closed_at", "closed_by", "merged_into",
        # Bugs' own fields come last, so the columns of older exports keep their places.
        "severity", "affected_per_week",
        # The tracker issue a linked item stands for (`owner/repo#12`); its URL is `link`.
        "tracker_issue",
    ])
    for i in items:
        writer.writerow([_cell(v) for v in (
            i.ref, i.kind.value, i.status.value, i.title, i.impact,
            i.size.value if i.size else "", i.urgency.value if i.urgency else "", i.interest,
            i.area, i.link, i.votes, " ".join(i.voters), i.author_id,
            i.created_at.isoformat(), i.closed_at.isoformat() if i.closed_at else "",
            i.closed_by, i.merged_into, i.severity.value if i.severity else "",
            i.affected_per_week, i.tracker_ref,
        )])
    return out.getvalue()


def _decisions_csv(decisions: list[Decision]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        "decision", "decided_at", "lead", "pm", "capacity", "budget_pct", "item", "title",
        "size_points", "votes_then", "score_then",
        # Added later, so the columns of older exports keep their places.
        "rationale", "rationale_by",
    ])
    for d in decisions:
        for i in d.items:
            writer.writerow([_cell(v) for v in (
                d.number, d.decided_at.isoformat(), d.lead_id, d.pm_id, d.capacity,
                d.budget_pct, i.ref, i.title, i.size_points, i.votes, i.score,
                d.rationale.text if d.rationale else "", d.rationale.by if d.rationale else "",
            )])
    return out.getvalue()


async def export_channel(store: Store, *, team_id: str, channel_id: str) -> ChannelExport:
    items: list[Item] = []
    async with store.unit_of_work() as uow:
        # A large channel read at once would keep the event loop for as long as it takes.
        async for page in uow.items.all_in_channel_by_page(team_id, channel_id, EXPORT_PAGE):
            items += page
        decisions = await uow.decisions.recent(team_id, channel_id, EXPORT_DECISIONS_LIMIT)
    items.sort(key=lambda item: item.ref)
    decisions.reverse()  # oldest first reads as a history
    # Thousands of rows take long enough to delay acks; a thread gives the loop the GIL back
    # between rows (the default executor bounds how many run at once).
    items_csv = await asyncio.to_thread(_items_csv, items)
    decisions_csv = await asyncio.to_thread(_decisions_csv, decisions)
    return ChannelExport(items_csv, decisions_csv, len(items), len(decisions))
