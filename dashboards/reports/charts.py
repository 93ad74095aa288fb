"""Charts for the report, as PNG bytes (matplotlib, no display needed)."""
from __future__ import annotations

import io

from escucha.errors import EscuchaError

COLORS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise EscuchaError("the report's charts need matplotlib: pip install matplotlib") from None
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)
    return buf.getvalue()


def volume_by_day(by_day: dict, labels: dict) -> bytes:
    plt = _plt()
    days = list(by_day)
    fig, ax = plt.subplots(figsize=(7, 2.6))
    bottom = [0] * len(days)
    for k in ("negative", "neutral", "positive"):
        vals = [by_day[d].get(k, 0) for d in days]
        ax.bar([d[5:] for d in days], vals, bottom=bottom, color=COLORS[k], label=labels[k])
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.legend(frameon=False, fontsize=8, ncol=3)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def trend(weeks: list[tuple[str, int, int]], labels: dict) -> bytes:
    """Mentions and negative mentions per week over the trend window; a week with no data
    (NaN) is a gap in the line, not a fall to zero."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 2.2))
    xs = [w[0] for w in weeks]
    ax.plot(xs, [w[1] for w in weeks], marker="o", color="#34495e", label=labels["mentions"])
    ax.plot(xs, [w[2] for w in weeks], marker="o", color=COLORS["negative"], label=labels["negative"])
    ax.legend(frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
