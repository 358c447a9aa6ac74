"""Fixtures for the asr tests: synthetic voiced audio and the assembled Whisper base model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

SR = 16_000
_VOWELS = [(700, 1200, 2600), (300, 2300, 3000), (500, 900, 2400), (400, 1900, 2600), (350, 800, 2300)]


def vowel_speech(seconds: float, seed: int = 0) -> np.ndarray:
    """Speech-like audio: a glottal pulse train through vowel formants, 4 syllables a second.
    Silero VAD takes it for speech; a recogniser will not understand it."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f0 = 130 + 25 * np.sin(2 * np.pi * 0.7 * t)
    pulses = (np.diff(np.floor(np.cumsum(f0 / SR)), prepend=0) > 0).astype(np.float64)
    out = np.zeros(n)
    syl = SR // 4
    for k in range(0, n, syl):
        y = pulses[k : k + syl]
        for fc, bw in zip(_VOWELS[rng.integers(len(_VOWELS))], (80, 100, 120), strict=True):
            r, th = np.exp(-np.pi * bw / SR), 2 * np.pi * fc / SR
            y = lfilter([1 - r], [1, -2 * r * np.cos(th), r * r], y)
        out[k : k + syl] = y * np.sin(np.pi * np.arange(len(y)) / syl) ** 0.5
    return (out / np.abs(out).max() * 0.5).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def tone(freq: float, seconds: float, rate: int = SR, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


@pytest.fixture(scope="session")
def whisper_data_dir(tmp_path_factory):
    """A data dir with the Whisper base model assembled from the PyPI wheels (once per session)."""
    from asr.whisper_model import ensure_whisper_base

    data_dir = tmp_path_factory.mktemp("asr-data")
    ensure_whisper_base(data_dir)
    return data_dir
