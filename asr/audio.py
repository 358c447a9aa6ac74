"""Audio input: decode what call systems export, resample to 16 kHz float32, split stereo.

PyAV (FFmpeg, shipped with faster-whisper) decodes WAV (PCM 8/16 kHz, G.711 A-law/μ-law,
ADPCM), MP3, AAC/M4A, Opus/OGG, FLAC, AMR and GSM. Every failure becomes an :class:`AsrError`
with a Chinese message: not audio, empty, truncated or too long. Output is always 16 kHz mono
float32 per channel in -1..1; a stereo file gives two channels (call systems record the agent on
one side and the caller on the other; which is which is the caller's parameter).
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from asr.errors import AudioTooLongError, EmptyAudioError, NotAudioError, TruncatedAudioError

SAMPLE_RATE = 16_000
DEFAULT_MAX_DURATION_S = 2 * 3600.0
_GROUP_SAMPLES = 1 << 18

AudioSource = str | os.PathLike[str] | bytes | bytearray | BinaryIO


@dataclass(frozen=True)
class DecodedAudio:
    """Decoded audio: one float32 array per channel (1 or 2), all at ``sample_rate``."""

    channels: list[np.ndarray]
    sample_rate: int = SAMPLE_RATE
    codec: str = ""
    source_rate: int = 0
    source_channels: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / self.sample_rate if self.channels else 0.0

    def mono(self) -> np.ndarray:
        """Both channels mixed down (mean); the single channel when mono."""
        if len(self.channels) == 1:
            return self.channels[0]
        return np.mean(np.stack(self.channels), axis=0).astype(np.float32)


def _read_bytes(source: AudioSource) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise NotAudioError("找不到音频文件", detail=str(path))
        return path.read_bytes()
    return source.read()


def _wav_data(data: bytes) -> tuple[int, int] | None:
    """(declared, present) byte counts of a RIFF/WAVE ``data`` chunk; None if not such a file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk_id == b"data":
            return size, len(data) - pos - 8
        pos += 8 + size + (size & 1)
    return (0xFFFFFFFE, 0) if pos > len(data) + 1 else (0, 0)  # a chunk header pointing past the end


def _check_wav(data: bytes) -> None:
    found = _wav_data(data)
    if found is None:
        return
    declared, present = found
    if present == 0 and declared in (0, 0xFFFFFFFF):
        raise EmptyAudioError("音频文件只有文件头，没有声音数据")
    # 0 and 0xFFFFFFFF are written by streaming recorders that never fix the header
    if declared not in (0, 0xFFFFFFFF) and declared > present + 1:
        raise TruncatedAudioError(detail=f"data chunk declares {declared} bytes, {present} present")


def decode(
    source: AudioSource,
    *,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    sample_rate: int = SAMPLE_RATE,
) -> DecodedAudio:
    """Decode ``source`` (path, bytes or binary file object) to float32 channels at ``sample_rate``.

    Raises NotAudioError, EmptyAudioError, TruncatedAudioError or AudioTooLongError.
    """
    data = _read_bytes(source)
    if not data:
        raise EmptyAudioError("音频文件为空（0 字节）")
    _check_wav(data)
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError) as exc:
        raise NotAudioError(detail=str(exc)) from exc
    with container:
        if not container.streams.audio:
            raise NotAudioError("文件中没有音频轨道")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        src_channels = ctx.channels or 1
        declared = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
        if declared is None and container.duration:
            declared = container.duration / 1_000_000
        if max_duration_s is not None and declared is not None and declared > max_duration_s + 1:
            raise _too_long(declared, max_duration_s)
        layout = "mono" if src_channels == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
        fifo = av.AudioFifo()
        pieces: list[np.ndarray] = []
        total = 0
        errors = 0
        limit = None if max_duration_s is None else int((max_duration_s + 1) * sample_rate)
        try:
            for frame in _frames(container, stream):
                frame.pts = None
                fifo.write(frame)
                if fifo.samples >= _GROUP_SAMPLES:
                    total += _drain(fifo, resampler, pieces)
                    if limit is not None and total > limit:
                        raise _too_long(total / sample_rate, max_duration_s)
        except _DecodeFailure as exc:
            errors = exc.count
        if fifo.samples:
            _drain(fifo, resampler, pieces)
        for out in resampler.resample(None):
            pieces.append(out.to_ndarray())
    if not pieces or sum(p.shape[1] for p in pieces) == 0:
        if errors:
            raise TruncatedAudioError() if total == 0 and declared else NotAudioError()
        raise EmptyAudioError()
    joined = np.concatenate(pieces, axis=1).astype(np.float32, copy=False)
    if errors and declared and joined.shape[1] < 0.9 * declared * sample_rate:
        raise TruncatedAudioError(detail=f"decoded {joined.shape[1] / sample_rate:.2f}s of {declared:.2f}s")
    if max_duration_s is not None and joined.shape[1] > (max_duration_s + 0.05) * sample_rate:
        raise _too_long(joined.shape[1] / sample_rate, max_duration_s)
    channels = [np.ascontiguousarray(np.clip(ch, -1.0, 1.0)) for ch in joined]
    return DecodedAudio(channels, sample_rate, ctx.name, ctx.sample_rate or 0, src_channels)


class _DecodeFailure(Exception):
    def __init__(self, count: int) -> None:
        self.count = count


def _frames(container, stream):
    """Decoded frames; a damaged packet is skipped, a file that stops mid-way ends the loop."""
    bad = 0
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except av.error.FFmpegError as exc:
            raise _DecodeFailure(bad + 1) from exc
        try:
            yield from packet.decode()
        except av.error.FFmpegError:
            bad += 1
            if bad > 50:
                raise _DecodeFailure(bad) from None
    if bad:
        raise _DecodeFailure(bad)


def _drain(fifo, resampler, pieces: list[np.ndarray]) -> int:
    n = 0
    for out in resampler.resample(fifo.read()):
        arr = out.to_ndarray()
        pieces.append(arr)
        n += arr.shape[1]
    return n


def _too_long(duration: float, limit: float) -> AudioTooLongError:
    return AudioTooLongError(f"音频时长约 {_human(duration)}，超过上限 {_human(limit)}")


def _human(seconds: float) -> str:
    return f"{seconds:.0f} 秒" if seconds < 120 else f"{seconds / 60:.1f} 分钟"


def split_channels(audio: DecodedAudio, agent_channel: int | None = 0) -> dict[str, np.ndarray]:
    """Speaker → samples. Stereo: ``agent_channel`` (0 = left, 1 = right) is the agent, the other
    the caller; ``agent_channel=None`` mixes down. Mono: ``{"": samples}`` (speaker unknown)."""
    if len(audio.channels) == 1 or agent_channel is None:
        return {"": audio.mono()}
    if agent_channel not in (0, 1):
        raise ValueError("agent_channel must be 0, 1 or None")
    return {"agent": audio.channels[agent_channel], "caller": audio.channels[1 - agent_channel]}


def pcm16_to_float(data: bytes) -> np.ndarray:
    """Little-endian signed 16-bit PCM bytes → float32 in -1..1 (odd trailing byte ignored)."""
    usable = len(data) - (len(data) % 2)
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def encode_wav(
    samples: np.ndarray | list[np.ndarray], sample_rate: int = SAMPLE_RATE, codec: str = "pcm_s16le",
    container_format: str = "wav",
) -> bytes:
    """Encode float32 samples (one array, or one per channel) to a file in memory.

    ``codec`` is any PyAV encoder: ``pcm_s16le``, ``pcm_alaw``, ``pcm_mulaw``, ``mp3``...; with
    ``container_format`` ``wav``, ``mp3``, ``ogg``... Used for the phone-channel simulator and tests.
    """
    chans = [samples] if isinstance(samples, np.ndarray) and samples.ndim == 1 else list(samples)
    pcm = np.stack([np.clip(c, -1.0, 1.0) for c in chans]).astype(np.float32)
    s16 = (pcm * 32767.0).round().astype("<i2")
    layout = "mono" if len(chans) == 1 else "stereo"
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container_format) as out:
        stream = out.add_stream(codec, rate=sample_rate, layout=layout)
        interleaved = s16.T.reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(interleaved), format="s16", layout=layout)
        frame.sample_rate = sample_rate
        if s16.shape[1]:
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()
