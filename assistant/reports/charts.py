"""Report charts as PNG (matplotlib, Agg, no pyplot state) with a CJK font for the Chinese text."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from assistant.reports.figures import ReportData

_LOCK = threading.Lock()  # matplotlib's font cache and rc settings are process-wide
_REGISTERED: dict[str, str] = {}


def _family(font: Path) -> str:
    from matplotlib import font_manager

    key = str(font)
    if key not in _REGISTERED:
        font_manager.fontManager.addfont(key)
        _REGISTERED[key] = font_manager.FontProperties(fname=key).get_name()
    return _REGISTERED[key]


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _hbar(title: str, data: dict[str, int], color: str, top: int = 12):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    items = list(data.items())[:top][::-1]
    fig = Figure(figsize=(7, max(2.2, 0.38 * len(items) + 1)))
    ax = fig.add_subplot()
    ax.barh([k for k, _ in items] or ["（无）"], [v for _, v in items] or [0], color=color)
    for i, (_k, v) in enumerate(items):
        ax.text(v, i, f" {v}", va="center", fontsize=9)
    ax.set_title(title)
    ax.set_xlabel("件数")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def render_charts(data: ReportData, font: Path) -> dict[str, bytes]:
    """名称 → PNG: daily volume, categories, townships, unit rates."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    # DejaVu Sans (bundled with matplotlib) for Latin letters and digits, the CJK font for the rest
    families = ["DejaVu Sans", _family(font)]
    with _LOCK, rc_context({"font.family": families, "axes.unicode_minus": False}):
        charts: dict[str, bytes] = {}
        fig = Figure(figsize=(7, 2.8))
        ax = fig.add_subplot()
        days = list(data.by_day)
        ax.bar(range(len(days)), list(data.by_day.values()), color="#3b7dd8")
        step = max(1, len(days) // 10)
        ax.set_xticks(range(0, len(days), step), [d[5:] for d in days[::step]])
        ax.set_title(f"每日受理量（{data.label}，合计 {data.total} 件）")
        ax.set_ylabel("件数")
        ax.spines[["top", "right"]].set_visible(False)
        charts["每日受理量"] = _png(fig)
        charts["诉求分类"] = _png(_hbar("诉求分类（一级）", data.by_category, "#e07b39"))
        charts["乡镇分布"] = _png(_hbar("乡镇分布", data.by_township, "#4a9d5b"))
        units = [u for u in data.units if u.dispatched][:10]
        fig = Figure(figsize=(7, max(2.6, 0.45 * len(units) + 1.2)))
        ax = fig.add_subplot()
        names = [u.unit.removeprefix("鹤峰县")[:12] for u in units][::-1] or ["（无）"]
        width = 0.27
        for j, (label, attr, color) in enumerate((("签收率", "sign_rate", "#3b7dd8"),
                                                  ("按期办结率", "on_time_rate", "#4a9d5b"),
                                                  ("满意率", "satisfaction_rate", "#e07b39"))):
            vals = [(getattr(u, attr) or 0) * 100 for u in units][::-1] or [0]
            ax.barh([i + (j - 1) * width for i in range(len(vals))], vals, height=width, label=label, color=color)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlim(0, 105)
        ax.set_xlabel("%")
        ax.set_title("承办单位考核（派单量前 10）")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        charts["单位考核"] = _png(fig)
        return charts
