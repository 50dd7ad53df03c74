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
    figure = draw_trends(trends, title=title)
    out = io.BytesIO()
    # No Software/creation metadata: identical data renders to identical bytes.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def draw_trends(trends: Trends, *, title: str) -> Figure:
    """The figure itself, so what is drawn can be checked without reading pixels."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=14, fontfamily="DejaVu Sans")
    share, backlog, age = figure.subplots(3, 1, sharex=True)
    marker = "o" if len(trends.points) <= 26 else None

    if trends.decisions:
        days = [d.decided_at.date() for d in trends.decisions]
        # One stacked bar per decision: its non-feature share, debt below and bugs on top.
        shares = [d.debt_share_pct for d in trends.decisions]
        bugs = [d.bug_share_pct for d in trends.decisions]
        debt = [pct - b for pct, b in zip(shares, bugs, strict=True)]
        if any(bugs):
            share.bar(days, debt, width=4, color=_DEBT, label="debt share of planned size")
            top = share.bar(days, bugs, width=4, bottom=debt, color=_BUG,
                            label=_share_label(trends, "bug share on top; non-feature"))
        else:
            top = share.bar(days, debt, width=4, color=_DEBT, label=_share_label(trends))
        share.bar_label(top, labels=[f"{pct} %" for pct in shares], padding=5, fontsize=8)
        # A bar of height 0 draws nothing: mark those decisions on the axis so they count.
        zero_days = [day for day, pct in zip(days, shares, strict=True) if pct == 0]
        if zero_days:
            share.plot(zero_days, [0] * len(zero_days), linestyle="none", marker="D",
                       markersize=7, color=_DEBT, clip_on=False, label="decision with no debt")
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
    return figure


def _share_label(trends: Trends, what: str = "debt") -> str:
    """The same totals as Trends.summary(), so the legend and the words agree."""
    count = len(trends.decisions)
    decisions = f"{count} decision{'s' if count != 1 else ''}"
    if trends.debt_share_pct is None:
        return f"{what} share of planned size ({decisions})"
    return f"{what} share of planned size: {trends.debt_share_pct} % over {decisions}"
