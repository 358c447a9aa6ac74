"""Voice activity detection with the silero model shipped inside faster-whisper (ONNX).

``speech_regions`` segments a whole channel (recorded calls); ``SileroStream`` scores 32 ms windows
one after another with the model state carried over, for live calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000
WINDOW = 512  # samples per silero window (32 ms)
_CONTEXT = 64


@dataclass(frozen=True)
class VadSettings:
    threshold: float = 0.5
    min_speech_ms: int = 150
    min_silence_ms: int = 300
    speech_pad_ms: int = 200
    max_speech_s: float = 20.0
    merge_gap_s: float = 1.0


@dataclass(frozen=True)
class SpeechRegion:
    start: int  # sample index, inclusive
    end: int  # sample index, exclusive


def speech_regions(samples: np.ndarray, settings: VadSettings | None = None) -> list[SpeechRegion]:
    """Speech regions of a 16 kHz channel; neighbours closer than ``merge_gap_s`` are joined while
    the result stays within ``max_speech_s``."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    settings = settings or VadSettings()
    if len(samples) < WINDOW:
        return []
    options = VadOptions(
        threshold=settings.threshold,
        min_speech_duration_ms=settings.min_speech_ms,
        max_speech_duration_s=settings.max_speech_s,
        min_silence_duration_ms=settings.min_silence_ms,
        speech_pad_ms=settings.speech_pad_ms,
    )
    stamps = get_speech_timestamps(samples.astype(np.float32, copy=False), options)
    merged: list[SpeechRegion] = []
    max_len = int(settings.max_speech_s * SAMPLE_RATE)
    gap = int(settings.merge_gap_s * SAMPLE_RATE)
    for stamp in stamps:
        start, end = int(stamp["start"]), min(int(stamp["end"]), len(samples))
        if merged and start - merged[-1].end <= gap and end - merged[-1].start <= max_len:
            merged[-1] = SpeechRegion(merged[-1].start, end)
        else:
            merged.append(SpeechRegion(start, end))
    return merged


class SileroStream:
    """Speech probability of consecutive 512-sample windows, carrying the model state along.

    The ONNX model shipped by faster-whisper runs a batch of windows as one sequence, so one
    call scores many windows at once with the same result as one window at a time."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        """``windows``: float32 array of shape (n, 512) → n speech probabilities."""
        if len(windows) == 0:
            return np.zeros(0, dtype=np.float32)
        windows = windows.astype(np.float32, copy=False)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.ascontiguousarray(np.concatenate([contexts, windows], axis=1))
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)[: len(windows)]
