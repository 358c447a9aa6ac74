"""FunASR backend: Paraformer or SenseVoice, FSMN-VAD and CT-Transformer punctuation, all loaded
from local folders the operator provides (the released ``config.yaml`` / ``model.pt`` /
``tokens.json`` / ``am.mvn`` layout); nothing is downloaded (``disable_update``, offline hub).

Why ``funasr`` (1.4.16, extra ``knf``) and not ``funasr-onnx``: ``funasr[knf]`` installs beside
torch 2.13.0 without torchaudio or another torch (features come from kaldi-native-fbank) and loads
the PyTorch checkpoints counties can copy as released; ``funasr-onnx`` 0.4.3 forces numpy 1.26.4
(the project uses numpy 2) and needs models exported to ONNX first, which itself needs ``funasr``.

Segmentation: the operator's FSMN-VAD when ``vad_dir`` is given, else the silero VAD the Whisper
engine uses. Punctuation is added per segment when ``punc_dir`` is given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from asr.engine import ChannelAudio, Segment, Speaker, sort_segments
from asr.errors import ModelUnavailableError
from asr.vad import SpeechRegion, VadSettings, speech_regions

SAMPLE_RATE = 16_000
_CACHE: dict[tuple, object] = {}
_LOCK = threading.Lock()


def _check_dir(path: Path, what: str) -> None:
    if not (path / "config.yaml").is_file() or not (path / "model.pt").is_file():
        raise ModelUnavailableError(
            f"{what}目录不完整：{path} 中需要 config.yaml 和 model.pt", detail=str(path)
        )


def _auto_model(model_dir: Path, threads: int):
    key = (str(model_dir.resolve()), threads)
    with _LOCK:
        if key not in _CACHE:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("MODELSCOPE_OFFLINE", "1")
            try:
                from funasr import AutoModel
            except ImportError as exc:
                raise ModelUnavailableError("未安装 FunASR（funasr 软件包），无法使用该引擎", detail=str(exc)) from exc
            try:
                _CACHE[key] = AutoModel(
                    model=key[0], device="cpu", ncpu=threads, disable_update=True, disable_pbar=True,
                    disable_log=True, log_level="ERROR", hub="ms",
                )
            except (RuntimeError, ValueError, OSError, KeyError, AssertionError) as exc:
                raise ModelUnavailableError(detail=f"{model_dir}: {exc}") from exc
        return _CACHE[key]


class FunAsrEngine:
    """``model_dir``: Paraformer/SenseVoice folder; ``vad_dir``/``punc_dir``: optional folders."""

    name = "funasr"

    def __init__(
        self,
        model_dir: str | Path,
        vad_dir: str | Path | None = None,
        punc_dir: str | Path | None = None,
        *,
        cpu_threads: int = 2,
        vad: VadSettings | None = None,
        language: str = "zh",
        **_unused,
    ) -> None:
        if cpu_threads < 1:
            raise ValueError("cpu_threads must be >= 1")
        self.model_dir = Path(model_dir)
        self.vad_dir = Path(vad_dir) if vad_dir else None
        self.punc_dir = Path(punc_dir) if punc_dir else None
        self.cpu_threads = cpu_threads
        self.vad = vad or VadSettings()
        self.language = language
        self._asr = self._vad_model = self._punc = None

    def warm_up(self) -> None:
        if self._asr is not None:
            return
        _check_dir(self.model_dir, "语音识别模型")
        for path, what in ((self.vad_dir, "语音端点检测模型"), (self.punc_dir, "标点模型")):
            if path is not None:
                _check_dir(path, what)
        self._asr = _auto_model(self.model_dir, self.cpu_threads)
        self._vad_model = _auto_model(self.vad_dir, self.cpu_threads) if self.vad_dir else None
        self._punc = _auto_model(self.punc_dir, self.cpu_threads) if self.punc_dir else None

    def regions(self, samples: np.ndarray) -> list[SpeechRegion]:
        """Speech regions: FSMN-VAD if configured, else silero."""
        if self._vad_model is None:
            return speech_regions(samples, self.vad)
        result = self._vad_model.generate(input=samples.astype(np.float32))
        spans = result[0].get("value", []) if result else []
        out = []
        for start_ms, end_ms in spans:
            start = max(0, int(start_ms) * SAMPLE_RATE // 1000)
            end = len(samples) if int(end_ms) < 0 else min(len(samples), int(end_ms) * SAMPLE_RATE // 1000)
            if end > start:
                out.append(SpeechRegion(start, end))
        return out

    def transcribe(self, samples: np.ndarray, speaker: Speaker = None, offset: float = 0.0) -> list[Segment]:
        return self.transcribe_channels([ChannelAudio(samples, speaker, offset)])

    def transcribe_channels(self, channels: Sequence[ChannelAudio]) -> list[Segment]:
        self.warm_up()
        segments = []
        for ch in channels:
            for region in self.regions(ch.samples):
                text = self.recognize_utterance(ch.samples[region.start : region.end])
                if text:
                    segments.append(Segment(
                        round(ch.offset + region.start / SAMPLE_RATE, 2),
                        round(ch.offset + region.end / SAMPLE_RATE, 2), text, ch.speaker,
                    ))
        return sort_segments(segments)

    def recognize_utterance(self, samples: np.ndarray) -> str:
        self.warm_up()
        if len(samples) < SAMPLE_RATE // 10:
            return ""
        result = self._asr.generate(input=samples.astype(np.float32), language=self.language, use_itn=False)
        text = _clean(result[0].get("text", "")) if result else ""
        if text and self._punc is not None:
            punct = self._punc.generate(input=text)
            text = punct[0].get("text", text) if punct else text
        return text


def _clean(text: str) -> str:
    """Paraformer separates tokens with spaces; SenseVoice prefixes tags such as <|zh|>."""
    import re

    text = re.sub(r"<\|[^|]*\|>", "", text)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text).strip()
