"""Bar charts as inline SVG (matplotlib's Figure, no pyplot; no external assets), for the eval and usage reports.

Two axes, never mixed: `share_bars` draws shares on a fixed 0-1 axis (so two charts compare at a
glance), `count_bars` draws counts on an axis that fits the largest count. Each chart marks its
plot area, bars and x labels with ids (`<slug>-plot`, `<slug>-bar-<n>`, `<slug>-label-<n>`) so a
browser test can measure them; the SVG sits in `<figure class="chart" data-axis=...>`.
"""
from __future__ import annotations

import io
import math
import re

HEADROOM = 1.08  # a count axis ends this far above the largest count
MAX_LABELS = 14  # x labels shown at most; more are thinned to every k-th (7 in, 8 pt: no overlap)


def share_bars(title: str, labels: list[str], series: dict[str, list[float]],
               ylabel: str = "", percent: bool = False) -> str:
    """A grouped bar chart of shares (0-1; None or NaN draws no bar) on a 0-1.05 axis."""
    return _chart(title, labels, series, "share", ylabel, percent)


def count_bars(title: str, labels: list[str], series: dict[str, list[float]],
               ylabel: str = "") -> str:
    """A grouped bar chart of counts on an integer axis from 0 to just above the largest count."""
    return _chart(title, labels, series, "count", ylabel, False)


def count_limit(values: list[float]) -> float:
    """The top of a count axis: the largest count plus HEADROOM (1 when there is none), so the
    tallest bar fills most of the plot and still fits; the ticks below it are whole numbers."""
    largest = max([v for v in values if v is not None and not math.isnan(v)], default=0.0)
    return largest * HEADROOM if largest > 0 else 1.0


def slug(title: str) -> str:
    """"Questions per day" -> "questions-per-day" (the chart's id prefix)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "chart"


def shown_labels(labels: list[str], most: int = MAX_LABELS) -> list[int]:
    """Positions whose (non-empty) label is drawn: every k-th one so that at most `most` show."""
    positions = [i for i, label in enumerate(labels) if label]
    step = max(1, math.ceil(len(positions) / most))
    return positions[::step]


def _chart(title: str, labels: list[str], series: dict[str, list[float]], axis: str,
           ylabel: str, percent: bool) -> str:
    from matplotlib.figure import Figure  # not pyplot: no backend, no global state, a faster import
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    name = slug(title)
    values = {key: [float("nan") if v is None else float(v) for v in vals]
              for key, vals in series.items()}
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    ax.patch.set_gid(f"{name}-plot")
    width = 0.8 / max(len(values), 1)
    n = 0
    for k, (key, vals) in enumerate(values.items()):
        drawn = [i for i, v in enumerate(vals) if not math.isnan(v)]  # no value, no bar
        bars = ax.bar([i + k * width for i in drawn], [vals[i] for i in drawn], width, label=key)
        for bar in bars:
            bar.set_gid(f"{name}-bar-{n}")
            n += 1
    shown = shown_labels(labels)
    ax.set_xticks([i + width * (len(values) - 1) / 2 for i in shown])
    ax.set_xticklabels([labels[i] for i in shown], fontsize=8)
    for i, text in enumerate(ax.get_xticklabels()):
        text.set_gid(f"{name}-label-{i}")
    ax.set_xlim(-0.6, len(labels) - 0.4 + width * (len(values) - 1))
    if axis == "share":
        ax.set_ylim(0, 1.05)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.set_ylim(0, count_limit([v for vals in values.values() for v in vals]))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.tick_params(axis="y", labelsize=8)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=10)
    if len(values) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return (f'<figure class="chart" data-axis="{axis}" data-chart="{name}">'
            f'{svg[svg.index("<svg"):]}</figure>')
