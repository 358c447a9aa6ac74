"""Whisper base through faster-whisper / CTranslate2 (int8): the embedded default engine.

Pipeline per channel: silero VAD (shipped in faster-whisper) finds speech, nearby speech is merged
into utterances of at most ``max_chunk_s`` (a channel shorter than that is decoded whole, with its
silences: Whisper does worse on speech cut tight), each utterance gets ``context_s`` of audio on
both sides and is decoded on its own with the encoder input cut to ``max(min_window_s, length)``
(rounded up to ``pad_step_s``) instead of a fixed 30 s window: the encoder's cost grows faster
than linearly with its input (30 s ≈ 4× the CPU of 15 s here), and call audio is mostly short turns.
The ``cpu_threads`` are split into ``workers`` CTranslate2 replicas (default 2 of 1 thread on
2 cores) that decode a recording's utterances side by side: one thread per decode costs 9 % less
CPU than two threads on one decode (asr/README.md); a single utterance then runs on one thread.
Windows under ~15 s make Whisper base loop and hallucinate, so ``min_window_s`` defaults to 20. Decoding is forced to Chinese without timestamps or an initial prompt, with a
temperature fallback against repetition loops, and the output goes through OpenCC t2s.
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from asr.engine import ChannelAudio, Segment, Speaker, sort_segments
from asr.errors import ModelUnavailableError
from asr.vad import SpeechRegion, VadSettings, speech_regions
from asr.whisper_model import ensure_whisper_base

SAMPLE_RATE = 16_000
FRAMES_PER_SECOND = 100
MAX_FRAMES = 3000
_CACHE: dict[tuple[str, str, int, int], object] = {}
_CACHE_LOCK = threading.Lock()


def load_model(model_dir: str, compute_type: str = "int8", cpu_threads: int = 2, workers: int = 1):
    """A ``faster_whisper.WhisperModel`` loaded once per (path, compute type, threads, workers):
    ``workers`` CTranslate2 replicas (inter_threads) of ``cpu_threads`` threads each."""
    key = (str(Path(model_dir).resolve()), compute_type, cpu_threads, workers)
    with _CACHE_LOCK:
        if key not in _CACHE:
            from faster_whisper import WhisperModel

            try:
                _CACHE[key] = WhisperModel(
                    key[0], device="cpu", compute_type=compute_type, cpu_threads=cpu_threads,
                    num_workers=workers, local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelUnavailableError(detail=str(exc)) from exc
        return _CACHE[key]


class WhisperEngine:
    """Embedded default engine. Give ``model_dir`` (a CTranslate2 Whisper folder) or ``data_dir``
    (the base model is assembled there from the PyPI wheels on ``warm_up``)."""

    name = "whisper"

    def __init__(
        self,
        data_dir: str | Path | None = None,
        model_dir: str | Path | None = None,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 5,
        pad_step_s: float = 2.0,
        min_window_s: float = 20.0,
        max_chunk_s: float = 28.0,
        context_s: float = 0.5,
        batch_size: int = 1,
        workers: int | None = None,
        vad: VadSettings | None = None,
        temperatures: Sequence[float] = (0.0, 0.4, 0.8),
        to_simplified: bool = True,
        pad_silence: bool = False,
    ) -> None:
        if data_dir is None and model_dir is None:
            raise ValueError("WhisperEngine needs data_dir or model_dir")
        workers = min(2, cpu_threads) if workers is None else workers
        if beam_size < 1 or cpu_threads < 1 or batch_size < 1 or not 1 <= workers <= cpu_threads:
            raise ValueError("beam_size, cpu_threads and batch_size must be >= 1, workers in [1, cpu_threads]")
        if not 0 < max_chunk_s <= 30:
            raise ValueError("max_chunk_s must be in (0, 30]")
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.cpu_threads = cpu_threads
        self.compute_type = compute_type
        self.beam_size = beam_size
        self.pad_step_s = pad_step_s
        self.min_window_s = min_window_s
        self.max_chunk_s = max_chunk_s
        self.context_s = context_s
        self.batch_size = batch_size
        self.workers = workers
        self._pool = None
        self.vad = vad or VadSettings(
            speech_pad_ms=400, min_silence_ms=1000, merge_gap_s=3.0, max_speech_s=max_chunk_s - 2 * context_s
        )
        self.temperatures = tuple(temperatures)
        self.to_simplified = to_simplified
        self.pad_silence = pad_silence
        self._model = None
        self._converter = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        model_dir = self.model_dir or ensure_whisper_base(self.data_dir)
        self._model = load_model(str(model_dir), self.compute_type, self.cpu_threads // self.workers, self.workers)
        if self.workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="whisper")
        if self.to_simplified:
            import opencc

            self._converter = opencc.OpenCC("t2s")
        self._decode_batch([np.zeros(SAMPLE_RATE, dtype=np.float32)])  # first call allocates buffers

    # -- public API -------------------------------------------------------------------------
    def transcribe(self, samples: np.ndarray, speaker: Speaker = None, offset: float = 0.0) -> list[Segment]:
        return self.transcribe_channels([ChannelAudio(samples, speaker, offset)])

    def transcribe_channels(self, channels: Sequence[ChannelAudio]) -> list[Segment]:
        self.warm_up()
        jobs: list[tuple[ChannelAudio, SpeechRegion, SpeechRegion]] = []
        for channel in channels:
            regions = speech_regions(channel.samples, self.vad)
            n = len(channel.samples)
            if regions and n <= self.max_chunk_s * SAMPLE_RATE:
                # a short recording is decoded whole: Whisper does worse on speech cut tight
                jobs.append((channel, SpeechRegion(regions[0].start, regions[-1].end), SpeechRegion(0, n)))
                continue
            pad = int(self.context_s * SAMPLE_RATE)
            for region in regions:
                window = SpeechRegion(max(0, region.start - pad), min(n, region.end + pad))
                jobs.append((channel, region, window))
        texts = self._recognize_many([ch.samples[w.start : w.end] for ch, _r, w in jobs])
        segments = [
            Segment(
                start=round(ch.offset + r.start / SAMPLE_RATE, 2),
                end=round(ch.offset + r.end / SAMPLE_RATE, 2),
                text=text, speaker=ch.speaker,
            )
            for (ch, r, _w), text in zip(jobs, texts, strict=True)
            if text
        ]
        return sort_segments(segments)

    def recognize_utterance(self, samples: np.ndarray, should_stop: Callable[[], bool] | None = None) -> str:
        """Text of one utterance. ``should_stop`` is asked once the encoder has run: if it answers
        true, the decoding (the other ~40 % of the work) is skipped and the text is empty (a
        speculative recognition withdrawn meanwhile)."""
        self.warm_up()
        if should_stop is None:
            return self._recognize_many([samples])[0]
        return self._decode_batch([samples], should_stop)[0]

    def recognize_many(self, pieces: Sequence[np.ndarray]) -> list[str]:
        """Texts of several end-pointed utterances, decoded ``batch_size`` at a time."""
        self.warm_up()
        return self._recognize_many(list(pieces))

    # -- decoding ---------------------------------------------------------------------------
    def _window_frames(self, n_samples: int) -> int:
        seconds = max(self.min_window_s, n_samples / SAMPLE_RATE + 0.3)
        seconds = math.ceil(seconds / self.pad_step_s) * self.pad_step_s
        return min(MAX_FRAMES, int(seconds * FRAMES_PER_SECOND))

    def _recognize_many(self, pieces: list[np.ndarray]) -> list[str]:
        results = [""] * len(pieces)
        # pieces longer than one window are split; order by window size so batches pad little
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
        groups = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        if self._pool is not None and len(groups) > 1:  # replicas of one thread each, side by side
            done = self._pool.map(lambda idx: self._decode_batch([pieces[i] for i in idx]), groups[::-1])
            outputs = list(done)[::-1]
        else:
            outputs = [self._decode_batch([pieces[i] for i in idx]) for idx in groups]
        for idx, texts in zip(groups, outputs, strict=True):
            for i, text in zip(idx, texts, strict=True):
                results[i] = text
        return results

    def _decode_batch(self, pieces: list[np.ndarray], should_stop: Callable[[], bool] | None = None) -> list[str]:
        model = self._model
        limit = MAX_FRAMES * SAMPLE_RATE // FRAMES_PER_SECOND - SAMPLE_RATE // 2
        if any(len(p) > limit for p in pieces):  # longer than a window: one by one, in windows
            return ["".join(self._decode_batch([p[i : i + limit]], should_stop)[0] for i in range(0, len(p), limit))
                    for p in pieces]
        frames = max(self._window_frames(len(p)) for p in pieces)
        feats = []
        hop = SAMPLE_RATE // FRAMES_PER_SECOND
        for piece in pieces:
            # pad_silence: the window is padded with silent audio (as Whisper was trained), not zero features
            padding = max(160, frames * hop + hop - len(piece)) if self.pad_silence else 160
            mel = model.feature_extractor(piece.astype(np.float32), padding=padding)[:, :frames]
            feats.append(np.pad(mel, ((0, 0), (0, frames - mel.shape[1]))))
        encoded = model.encode(np.stack(feats).astype(np.float32))
        if should_stop is not None and should_stop():
            return [""] * len(pieces)
        tokenizer = self._tokenizer()
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        max_len = [min(440, len(prompt) + 12 + int(len(p) / SAMPLE_RATE * 10)) for p in pieces]
        texts: list[str | None] = [None] * len(pieces)
        for temperature in self.temperatures:
            todo = [i for i, t in enumerate(texts) if t is None]
            if not todo:
                break
            if temperature > 0:
                kwargs = {"beam_size": 1, "sampling_topk": 0, "sampling_temperature": temperature}
                enc = _select(encoded, todo, len(pieces))
            else:
                kwargs = {"beam_size": self.beam_size}
                enc = encoded
            results = model.model.generate(
                enc, [prompt] * len(todo), max_length=max(max_len[i] for i in todo),
                return_scores=True, return_no_speech_prob=True, suppress_blank=True,
                suppress_tokens=_suppress(model), **kwargs,
            )
            last = temperature == self.temperatures[-1]
            for i, res in zip(todo, results, strict=True):
                text = tokenizer.decode(res.sequences_ids[0]).strip()
                broken = _looks_broken(text, len(res.sequences_ids[0]), max_len[i] - len(prompt))
                if last or not broken:
                    if res.no_speech_prob > 0.6 and _avg_logprob(res) < -1.0:
                        text = ""
                    texts[i] = self._postprocess(trim_repetition(text) if broken else text)
        return [t or "" for t in texts]

    def _tokenizer(self):
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        if getattr(self, "_tok", None) is None:
            self._tok = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="zh")
        return self._tok

    def _postprocess(self, text: str) -> str:
        if self._converter is not None:
            text = self._converter.convert(text)
        return text


def _avg_logprob(result) -> float:
    n = len(result.sequences_ids[0])
    return result.scores[0] * n / (n + 1) if n else 0.0


_LOOP = re.compile(r"(.{4,12}?)\1{2,}|(.{2,3}?)\2{3,}|(.)\3{5,}")


def _looks_broken(text: str, n_tokens: int, budget: int) -> bool:
    """Repetition loop: text compresses too well, repeats a unit, or ran to the token budget."""
    if not text:
        return False
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) > 2.4 or n_tokens >= budget or bool(_LOOP.search(text))


def trim_repetition(text: str) -> str:
    """Collapse a decoding loop to one occurrence: a unit of 4–12 characters three times or more
    in a row, of 2–3 characters four times or more, or one character six times or more."""
    return _LOOP.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)


def _suppress(model) -> list[int]:
    from faster_whisper.transcribe import get_suppressed_tokens

    if not hasattr(model, "_hotline_suppress"):
        model._hotline_suppress = get_suppressed_tokens(model.hf_tokenizer and _tok_for(model), [-1])
    return model._hotline_suppress


def _tok_for(model):
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="zh")


def _select(encoded, indices: list[int], total: int):
    """Encoder outputs for a subset of the batch (a StorageView cannot be indexed directly)."""
    if len(indices) == total:
        return encoded
    import ctranslate2

    arr = np.array(encoded)
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(arr[indices]))
