"""Drawing the trends as a PNG: matplotlib's object API on the Agg canvas (no display, no
global pyplot state), fixed size and fonts, no timestamps, so the same data gives the same
bytes."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.trends import Trends

WIDTH_PX, HEIGHT_PX, DPI = 1000, 900, 100
_DEBT, _BUG, _FEATURE, _BUDGET = "#c0392b", "#e67e22", "#2471a3", "#7f8c8d"


def render_trends_png(trends: Trends, *, title: str) -> bytes:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=14, fontfamily="DejaVu Sans")
    share, backlog, age = figure.subplots(3, 1, sharex=True)
    marker = "o" if len(trends.points) <= 26 else None

    if trends.decisions:
        days = [d.decided_at.date() for d in trends.decisions]
        # One stacked bar per decision: its non-feature share, debt below and bugs on top.
        bugs = [d.bug_share_pct for d in trends.decisions]
        debt = [d.debt_share_pct - b for d, b in zip(trends.decisions, bugs, strict=True)]
        share.bar(days, debt, width=4, color=_DEBT, label="debt share of planned size")
        if any(bugs):
            share.bar(days, bugs, width=4, bottom=debt, color=_BUG,
                      label="bug share of planned size")
    else:
        share.text(0.5, 0.5, "no decisions in this period", transform=share.transAxes,
                   ha="center", va="center", color=_BUDGET)
    share.axhline(trends.budget_pct, color=_BUDGET, linestyle="--",
                  label=f"budget {trends.budget_pct} %")
    share.set_ylim(0, 100)
    share.set_ylabel("% of planned size")
    share.legend(loc="upper left", fontsize=8)

    weeks = [p.week_end for p in trends.points]
    backlog.plot(weeks, [p.open_debt for p in trends.points], color=_DEBT, marker=marker,
                 label="open debt")
    if any(p.open_bugs for p in trends.points):
        backlog.plot(weeks, [p.open_bugs for p in trends.points], color=_BUG, marker=marker,
                     label="open bugs")
    backlog.plot(weeks, [p.open_features for p in trends.points], color=_FEATURE, marker=marker,
                 label="open features")
    backlog.set_ylabel("open items")
    backlog.legend(loc="upper left", fontsize=8)

    ages = [p.median_debt_age_days for p in trends.points]
    age.plot(weeks, [a if a is not None else float("nan") for a in ages], color=_DEBT,
             marker=marker)
    age.set_ylabel("median age of open debt (days)")

    for axes in (share, backlog, age):
        axes.grid(alpha=0.3)
        for label in axes.get_xticklabels():
            label.set_fontsize(8)
    figure.tight_layout()
    out = io.BytesIO()
    # No Software/creation metadata: identical data renders to identical bytes.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
