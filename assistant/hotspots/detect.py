"""Rising topics: each category × township count compared with its own baseline.

Expected count = mean of the previous ``k`` periods of the same cell × a seasonal factor. The
seasonal factor (where last year's data exists) is the county-wide ratio of the category's count in
the same period last year to its mean over the ``k`` periods before that, smoothed with a pseudo
count, so that a rise every flood season is expected and not flagged again. The surprise is measured
by the Poisson upper tail P(X ≥ observed | expected) and by a z-score whose variance is the larger of
the expected count and the baseline's own variance (counts are often over-dispersed).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, pvariance

from scipy.stats import poisson

from assistant.hotspots.periods import PERIOD_LABELS, Period


@dataclass(frozen=True)
class HotspotPolicy:
    baseline_periods: dict[str, int]  # how many earlier periods form the baseline, per period kind
    min_count: int = 5  # fewer tickets than this never make a warning
    min_ratio: float = 1.5  # observed ÷ expected must reach this
    p_value: float = 0.01  # Poisson upper-tail probability must be below this
    p_warning: float = 1e-3
    p_severe: float = 1e-5
    seasonal_pseudo_count: float = 2.0
    seasonal_clip: tuple[float, float] = (0.5, 5.0)
    min_expected: float = 0.5

    @classmethod
    def default(cls) -> HotspotPolicy:
        return cls(baseline_periods={"day": 28, "week": 8, "month": 6})

    @classmethod
    def load(cls, path: Path) -> HotspotPolicy:
        """The county's ``hotspot_policy.json`` when it exists, else the defaults."""
        if not path.exists():
            return cls.default()
        raw = json.loads(path.read_text(encoding="utf-8"))
        base = cls.default()
        clip = raw.get("seasonal_clip", base.seasonal_clip)
        return cls(
            baseline_periods={**base.baseline_periods, **raw.get("baseline_periods", {})},
            min_count=int(raw.get("min_count", base.min_count)),
            min_ratio=float(raw.get("min_ratio", base.min_ratio)),
            p_value=float(raw.get("p_value", base.p_value)),
            p_warning=float(raw.get("p_warning", base.p_warning)),
            p_severe=float(raw.get("p_severe", base.p_severe)),
            seasonal_pseudo_count=float(raw.get("seasonal_pseudo_count", base.seasonal_pseudo_count)),
            seasonal_clip=(float(clip[0]), float(clip[1])),
            min_expected=float(raw.get("min_expected", base.min_expected)),
        )


@dataclass
class Finding:
    category: str
    township: str
    count: int
    expected: float
    baseline: float
    seasonal_factor: float
    z_score: float
    p_value: float
    level: str
    message: str


def last_year(period: Period) -> Period:
    """The same period one year earlier (same weekday for days and weeks)."""
    if period.kind == "month":
        return period.shift(-12)
    return period.shift(-364 if period.kind == "day" else -52)


def seasonal_factors(current_ly: dict[str, int], baseline_ly: dict[str, list[int]], policy: HotspotPolicy,
                     ) -> dict[str, float]:
    """Per category: last year's same period ÷ last year's preceding mean (smoothed, clipped)."""
    a = policy.seasonal_pseudo_count
    lo, hi = policy.seasonal_clip
    out: dict[str, float] = {}
    for cat, history in baseline_ly.items():
        ratio = (current_ly.get(cat, 0) + a) / (mean(history) + a)
        out[cat] = min(hi, max(lo, ratio))
    return out


def evaluate(category: str, township: str, count: int, history: list[int], seasonal: float,
             period: Period, policy: HotspotPolicy) -> Finding | None:
    """A finding when ``count`` is unusually high against ``history`` (the previous periods)."""
    if count < policy.min_count:
        return None
    base = mean(history) if history else 0.0
    expected = max(base * seasonal, policy.min_expected)
    ratio = count / expected
    if ratio < policy.min_ratio:
        return None
    p = float(poisson.sf(count - 1, expected))
    if p >= policy.p_value:
        return None
    variance = max(expected, pvariance(history) * seasonal**2 if len(history) > 1 else 0.0)
    z = (count - expected) / math.sqrt(variance)
    level = "严重" if p < policy.p_severe else "预警" if p < policy.p_warning else "关注"
    unit = PERIOD_LABELS[period.kind]
    season = (f"；去年同期该类诉求为其前期的 {seasonal:.2f} 倍，已按季节规律调整" if abs(seasonal - 1) > 0.05
              else "")
    message = (f"【{level}】{township}“{category}”类诉求{period.label}受理 {count} 件，预期约 {expected:.1f} 件"
               f"（前 {len(history)} 个{unit}平均 {base:.1f} 件{season}），为预期的 {ratio:.1f} 倍，"
               f"z = {z:.1f}，按泊松分布出现不少于 {count} 件的概率 p = {p:.1e}。")
    return Finding(category, township, count, round(expected, 3), round(base, 3), round(seasonal, 3),
                   round(z, 2), p, level, message)
