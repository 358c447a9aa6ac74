"""Label sets, reason codes and the typed result of reading one callback."""

from __future__ import annotations

from dataclasses import dataclass, field

RESOLUTIONS = ("解决", "部分解决", "未解决")
SATISFACTIONS = ("满意", "基本满意", "不满意")

# Which side an unsatisfied answer's reason lies on.
UNIT_SIDE = "unit"          # on the handling unit's side: suggest 重办 (re-open to the same unit)
EXTERNAL_SIDE = "external"  # outside the unit's power: record the reason, do not re-open
UNKNOWN_SIDE = "unknown"    # no reason given: ask the caller
REASON_SIDES = (UNIT_SIDE, EXTERNAL_SIDE, UNKNOWN_SIDE)

ACTION_REOPEN = "重办"
ACTION_RECORD = "记录原因"
ACTION_ASK = "人工确认原因"
ACTIONS = {UNIT_SIDE: ACTION_REOPEN, EXTERNAL_SIDE: ACTION_RECORD, UNKNOWN_SIDE: ACTION_ASK}

# Reason codes (Chinese, as the counties name them) and their side.
REASON_CODES = {
    "态度差": UNIT_SIDE,
    "没人来": UNIT_SIDE,
    "推诿": UNIT_SIDE,
    "敷衍": UNIT_SIDE,
    "没按承诺办": UNIT_SIDE,
    "拖延": UNIT_SIDE,
    "政策不允许": EXTERNAL_SIDE,
    "诉求超出范围": EXTERNAL_SIDE,
    "要求不合理": EXTERNAL_SIDE,
    "历史遗留需更高层解决": EXTERNAL_SIDE,
}


@dataclass(frozen=True)
class ReasonSuggestion:
    """Suggested side of an unsatisfied answer's reason; a person confirms it."""

    side: str                    # UNIT_SIDE | EXTERNAL_SIDE | UNKNOWN_SIDE
    confidence: float            # probability of ``side`` (0..1)
    action: str                  # 重办 | 记录原因 | 人工确认原因
    code: str | None = None      # one of REASON_CODES, when a cue names it
    evidence: str | None = None  # the key phrase of the reply that supports the suggestion


@dataclass(frozen=True)
class Outcome:
    """What one callback says: both answers with calibrated confidences, and the reason if unsatisfied."""

    resolution: str
    resolution_confidence: float
    satisfaction: str
    satisfaction_confidence: float
    resolution_proba: dict[str, float] = field(default_factory=dict)
    satisfaction_proba: dict[str, float] = field(default_factory=dict)
    reason: ReasonSuggestion | None = None
    source: str = "text"              # text | turns | notes | ivr
    evidence: tuple[str, ...] = ()    # cue phrases found in the reply
    needs_review: bool = False        # True when a confidence is under the reader's threshold

    @property
    def reopen(self) -> bool:
        """Whether the suggestion is to re-open the ticket to the same unit (重办)."""
        return self.reason is not None and self.reason.side == UNIT_SIDE
