"""The engine interface: typed segments and transcripts, one protocol, backends chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from asr.errors import UnknownEngineError

Speaker = Literal["agent", "caller"] | None
SPEAKERS: tuple[str, str] = ("agent", "caller")


@dataclass(frozen=True)
class Segment:
    """One recognised stretch of speech; times in seconds from the start of the call/recording."""

    start: float
    end: float
    text: str
    speaker: Speaker = None
    final: bool = True

    def __post_init__(self) -> None:
        if self.speaker not in (None, "agent", "caller"):
            raise ValueError(f"speaker must be 'agent', 'caller' or None, not {self.speaker!r}")
        if self.end < self.start:
            raise ValueError("segment end before start")


@dataclass(frozen=True)
class Transcript:
    """Segments of one recording in time order (agent and caller interleaved for stereo)."""

    segments: list[Segment]
    duration: float
    engine: str
    channels: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    def for_speaker(self, speaker: Speaker) -> list[Segment]:
        return [s for s in self.segments if s.speaker == speaker]


@dataclass(frozen=True)
class ChannelAudio:
    """16 kHz mono float32 samples of one channel, with its speaker and its offset in the call."""

    samples: np.ndarray
    speaker: Speaker = None
    offset: float = 0.0


@runtime_checkable
class AsrEngine(Protocol):
    """What every backend implements. ``transcribe`` takes 16 kHz mono float32 samples."""

    name: str

    def warm_up(self) -> None:
        """Load the model once (cached per model path); raises ModelUnavailableError."""

    def transcribe(self, samples: np.ndarray, speaker: Speaker = None, offset: float = 0.0) -> list[Segment]:
        """Segment (VAD) and recognise one channel; times are ``offset`` + position in samples."""

    def transcribe_channels(self, channels: Sequence[ChannelAudio]) -> list[Segment]:
        """Several channels of one call (a backend may batch them); segments sorted by start."""

    def recognize_utterance(self, samples: np.ndarray) -> str:
        """Text of one already end-pointed utterance (live calls); no segmentation."""


_BUILTIN: dict[str, str] = {
    "whisper": "asr.whisper_engine:WhisperEngine",
    "funasr": "asr.funasr_engine:FunAsrEngine",
}
_FACTORIES: dict[str, Callable[..., AsrEngine]] = {}


def register_engine(name: str, factory: Callable[..., AsrEngine]) -> None:
    """Make ``create_engine(name, ...)`` call ``factory(...)``."""
    _FACTORIES[name] = factory


def available_engines() -> list[str]:
    return sorted(set(_BUILTIN) | set(_FACTORIES))


def create_engine(name: str, **options) -> AsrEngine:
    """A backend by name (``whisper`` is the embedded default, ``funasr`` needs a model dir)."""
    if name in _FACTORIES:
        return _FACTORIES[name](**options)
    target = _BUILTIN.get(name)
    if target is None:
        raise UnknownEngineError(f"未知的语音识别引擎：{name}（可选：{'、'.join(available_engines())}）")
    module_name, attr = target.split(":")
    factory = getattr(importlib.import_module(module_name), attr)
    return factory(**options)


def sort_segments(segments: list[Segment]) -> list[Segment]:
    return sorted(segments, key=lambda s: (s.start, s.end, s.speaker or ""))
