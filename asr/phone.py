"""A simulated telephone channel: 300–3400 Hz band, 8 kHz, G.711 A-law or μ-law, back to 16 kHz.

Used by the evaluation (``python -m eval asr --phone``) because no real phone recordings exist for
evaluation. The codec is FFmpeg's real G.711 encoder (through PyAV), and the result is read back
through :func:`asr.audio.decode`, the same path an uploaded 8 kHz G.711 WAV takes.
"""

from __future__ import annotations

import av
import numpy as np

from asr.audio import SAMPLE_RATE, decode, encode_wav

PHONE_RATE = 8_000
_CODECS = {"alaw": "pcm_alaw", "mulaw": "pcm_mulaw", "ulaw": "pcm_mulaw"}


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample mono float32 samples with FFmpeg's resampler."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst_rate)
    frame = av.AudioFrame.from_ndarray(samples.astype(np.float32).reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = src_rate
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def telephone_band(samples: np.ndarray, rate: int, low_hz: float = 300.0, high_hz: float = 3400.0) -> np.ndarray:
    """Band-limit to the telephone band with a raised-cosine FFT mask (100 Hz transitions)."""
    n = len(samples)
    if n == 0:
        return samples
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    width = 100.0
    low = np.clip((freqs - (low_hz - width)) / width, 0.0, 1.0)
    high = np.clip(((high_hz + width) - freqs) / width, 0.0, 1.0)
    mask = (0.5 - 0.5 * np.cos(np.pi * low)) * (0.5 - 0.5 * np.cos(np.pi * high))
    return np.fft.irfft(spectrum * mask, n).astype(np.float32)


def simulate_phone_channel(samples: np.ndarray, law: str = "alaw", sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Pass mono float32 audio through a simulated 8 kHz G.711 line; returns 16 kHz float32."""
    codec = _CODECS.get(law)
    if codec is None:
        raise ValueError(f"unknown G.711 law {law!r}; use 'alaw' or 'mulaw'")
    narrow = resample(samples, sample_rate, PHONE_RATE)
    narrow = telephone_band(narrow, PHONE_RATE)
    wav = encode_wav(narrow, PHONE_RATE, codec)
    return decode(wav, max_duration_s=None).channels[0]
