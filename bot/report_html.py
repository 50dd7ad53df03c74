"""The report across channels as one self-contained HTML file: inline CSS, charts as data:
URIs, no script and no external reference, so it opens anywhere without a network. Every text
from the database goes through html.escape."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape

from bot.domain.channel_report import RECENT_DECISIONS, ChannelLine

DASH = "\u2013"  # an unknown figure

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.under{color:#1e8449}.over{color:#c0392b}
img{max-width:100%;height:auto}
section.trend{margin:2rem 0}
"""


def _png(data: bytes, alt: str) -> str:
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return f'<img src="{uri}" alt="{escape(alt)}">'


def _gap(line: ChannelLine) -> str:
    if line.gap_pct is None:
        return f"<td class=num>{DASH}</td>"
    cls, word = ("under", "under") if line.gap_pct >= 0 else ("over", "over")
    return f"<td class='num {cls}'>{abs(line.gap_pct)} {word}</td>"


def _row(line: ChannelLine) -> str:
    share = DASH if line.debt_share_pct is None else f"{line.debt_share_pct} %"
    last = line.last_decision.isoformat() if line.last_decision else "none yet"
    oldest = DASH if line.oldest_debt_days is None else f"{line.oldest_debt_days} days"
    cells = [
        f"<td>{escape(line.channel_id)}</td>", f"<td>{escape(last)}</td>",
        f"<td class=num>{escape(share)}</td>", f"<td class=num>{line.budget_pct} %</td>",
        _gap(line), f"<td class=num>{line.open_debt}</td>",
        f"<td class=num>{line.interest_hours_per_week:g} h</td>",
        f"<td class=num>{escape(oldest)}</td>",
        f"<td>{'yes' if line.digest_undecided else 'no'}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def report_html(
    team_id: str,
    lines: Sequence[ChannelLine],
    *,
    overview_png: bytes | None,
    trend_pngs: Mapping[str, bytes],
    summaries: Mapping[str, str],
    generated_at: datetime,
) -> str:
    title = f"Tradeoff across channels · {team_id}"
    head = (
        "<tr><th>Channel</th><th>Last decision</th>"
        f"<th>Debt share, last {RECENT_DECISIONS}</th><th>Budget</th><th>Points vs budget</th>"
        "<th>Open debt</th><th>Interest / week</th><th>Oldest debt</th>"
        "<th>Last digest undecided</th></tr>"
    )
    trends = "".join(
        f"<section class=trend><h2>{escape(line.channel_id)}</h2>"
        f"<p>{escape(summaries.get(line.channel_id, ''))}</p>"
        f"{_png(trend_pngs[line.channel_id], f'trends of {line.channel_id}')}</section>"
        for line in lines if line.channel_id in trend_pngs
    )
    overview = _png(overview_png, "debt share per channel") if overview_png else ""
    rows = "".join(_row(line) for line in lines) or (
        "<tr><td colspan=9>No channel uses Tradeoff yet.</td></tr>"
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        # No network at all, even if someone adds a reference later.
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>Generated {escape(generated_at.isoformat(timespec='minutes'))}; channels furthest "
        "under their debt budget first.</p>"
        f"<table id=channels><thead>{head}</thead><tbody>{rows}</tbody></table>"
        f"{overview}{trends}</body></html>\n"
    )
