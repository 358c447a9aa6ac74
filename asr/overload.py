"""When the shared live decode worker falls back to cheaper decoding settings (overload mode).

One decode worker serves every live call of a process; with 4 calls on 2 cores it is busy about
80 % of the time, so an utterance that has to wait for another one's decode misses the 1.5 s
text-lag aim, and the calls fall behind. In overload the worker decodes an utterance with the
engine's cheaper settings (for Whisper base: greedy, 10 s window; asr/README.md has what that
costs in accuracy), so the queue drains and the later utterances are not late as well.

The decision is taken when an utterance's decode starts, from plain numbers, so it is tested
without clocks or threads: :func:`overload_reason`. With no backlog it answers ``None`` and the
utterance is decoded with the usual settings, exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass

WAITING = "waiting"  # another confirmed utterance waits behind this one
LATE = "late"  # the speaker stopped long ago: a full decode would come too late
BUSY = "busy"  # the worker was busy most of the recent window
REASONS = (WAITING, LATE, BUSY)


@dataclass(frozen=True)
class OverloadSettings:
    """Thresholds of overload mode; a rule set to ``None`` is off.

    - ``waiting``: this many confirmed utterances (or more) still waiting behind the one that starts;
    - ``late_after_s``: seconds since the speaker stopped (the utterance's end in the call) when its
      decode starts; a full decode takes ~0.5 s on 2 cores and the aim is 1.5 s, the end-point
      itself 0.4–0.5 s;
    - ``busy_above``: share of the worker's recent window (``DecodeWorker.busy_window_s``) spent
      decoding;
    - ``guess_pause_s``: after a decode in overload mode, no speculative recognition for this long
      (a guess is a whole decode that finals from other calls would queue behind).
    """

    waiting: int | None = 1
    late_after_s: float | None = 0.8
    busy_above: float | None = 0.75
    guess_pause_s: float = 10.0

    def __post_init__(self) -> None:
        if self.waiting is not None and self.waiting < 0:
            raise ValueError("waiting must be >= 0 or None")
        if self.late_after_s is not None and self.late_after_s < 0:
            raise ValueError("late_after_s must be >= 0 or None")
        if self.busy_above is not None and not 0 <= self.busy_above <= 1:
            raise ValueError("busy_above must be in [0, 1] or None")
        if self.guess_pause_s < 0:
            raise ValueError("guess_pause_s must be >= 0")


def overload_reason(settings: OverloadSettings, *, waiting: int, busy: float,
                    age_s: float | None = None) -> str | None:
    """Why the utterance starting now is decoded cheaply (``waiting``, ``late`` or ``busy``), or
    ``None`` for the usual settings. ``waiting``: confirmed utterances still queued behind it;
    ``busy``: share of the recent window spent decoding; ``age_s``: seconds since its speaker
    stopped (``None``: unknown, the late rule does not apply)."""
    if settings.waiting is not None and waiting >= settings.waiting:
        return WAITING
    if settings.late_after_s is not None and age_s is not None and age_s > settings.late_after_s:
        return LATE
    if settings.busy_above is not None and busy > settings.busy_above:
        return BUSY
    return None
