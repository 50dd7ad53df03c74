"""The report across channels as a message: one line per channel, packed into sections within
Block Kit's limits; channels past the last block are counted, not dropped silently."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.channel_report import RECENT_DECISIONS, ChannelLine
from bot.slack.blocks.elements import section
from bot.slack.blocks.limits import MAX_BLOCKS_PER_MESSAGE, MAX_SECTION_TEXT
from bot.slack.blocks.replies import Reply


def report_line(line: ChannelLine) -> str:
    # <#C…> links a channel without notifying anyone in it.
    parts = [f"<#{line.channel_id}>"]
    parts.append(f"last decision {line.last_decision.isoformat()}" if line.last_decision
                 else "no decision yet")
    if line.debt_share_pct is not None and line.gap_pct is not None:
        side = f"{line.gap_pct} under" if line.gap_pct >= 0 else f"{-line.gap_pct} over"
        parts.append(f"debt {line.debt_share_pct} % of the last {len(line.recent_shares)} vs "
                     f"{line.budget_pct} % budget ({side})")
    parts.append(f"{line.open_debt} open debt, {line.interest_hours_per_week:g} h/week interest")
    if line.oldest_debt_days is not None:
        parts.append(f"oldest debt {line.oldest_debt_days} days")
    if line.digest_undecided:
        parts.append("last digest undecided")
    return " · ".join(parts)


def report_reply(lines: Sequence[ChannelLine], left_out: int) -> Reply:
    head = (f"*Tradeoff across {len(lines)} channel{'s' if len(lines) != 1 else ''}* "
            f"(debt share over each one's last {RECENT_DECISIONS} decisions, furthest under "
            "budget first)")
    if not lines:
        head = "No channel you can see uses Tradeoff yet."
    tail = (f"{left_out} private channel{'s' if left_out != 1 else ''} you are not in "
            f"{'were' if left_out != 1 else 'was'} left out." if left_out else "")
    room = MAX_BLOCKS_PER_MESSAGE - 2  # the heading and the closing line
    blocks = [section(head)]
    chunk: list[str] = []
    shown = 0
    for text in (report_line(line) for line in lines):
        if chunk and len("\n".join([*chunk, text])) > MAX_SECTION_TEXT:
            if len(blocks) - 1 == room:
                break
            blocks.append(section("\n".join(chunk)))
            chunk = []
        if len(blocks) - 1 == room:
            break
        chunk.append(text)
        shown += 1
    if chunk and len(blocks) - 1 < room:
        blocks.append(section("\n".join(chunk)))
    else:
        shown -= len(chunk)
    more = len(lines) - shown
    notes = [n for n in (
        f"{more} more channel{'s' if more != 1 else ''} did not fit: "
        "`tradeoff report --format json` lists them all." if more else "", tail) if n]
    if notes:
        blocks.append(section(" ".join(notes)))
    return {"text": head.replace("*", ""), "blocks": blocks}
