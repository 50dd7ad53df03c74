"""The report's small multiples: one panel per channel with the debt share of its last
decisions against its budget, on a shared 0-100 % scale so the panels compare at a glance."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.channel_report import ChannelLine

MAX_PANELS = 24  # past that the panels are too small to read; the text lists every channel
COLUMNS, PANEL_PX, DPI = 4, 250, 100
_DEBT, _BUDGET = "#c0392b", "#7f8c8d"


def draw_report(lines: Sequence[ChannelLine], names: dict[str, str], *, title: str) -> Figure:
    shown = list(lines)[:MAX_PANELS]
    rows = max(1, math.ceil(len(shown) / COLUMNS))
    figure = Figure(figsize=(COLUMNS * PANEL_PX / DPI, rows * PANEL_PX / DPI + 0.6), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=12, fontfamily="DejaVu Sans")
    axes = figure.subplots(rows, COLUMNS, squeeze=False)
    for index, panel in enumerate(axes.flat):
        if index >= len(shown):
            panel.set_axis_off()
            continue
        line = shown[index]
        positions = list(range(1, len(line.recent_shares) + 1))
        panel.bar(positions, list(line.recent_shares), color=_DEBT)
        panel.axhline(line.budget_pct, color=_BUDGET, linestyle="--")
        panel.set_ylim(0, 100)
        panel.set_xlim(0.4, 4.6)
        panel.set_xticks([])
        share = "no decisions" if line.debt_share_pct is None else f"{line.debt_share_pct} %"
        # Raw text, not mathtext: a channel name with `$` must not be parsed.
        panel.set_title(f"#{names.get(line.channel_id, line.channel_id)} · {share}",
                        fontsize=8, usetex=False, parse_math=False)
        panel.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def render_report_png(lines: Sequence[ChannelLine], names: dict[str, str], *, title: str) -> bytes:
    out = io.BytesIO()
    draw_report(lines, names, title=title).savefig(
        out, format="png", dpi=DPI, metadata={"Software": None}
    )
    return out.getvalue()
