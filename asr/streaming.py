"""Live calls: a per-call streaming recognizer over 16-bit PCM frames, one stream per channel.

Pure and synchronous (the caller runs it in a worker thread). ``push`` is cheap: it resamples if
needed, scores 32 ms windows with silero VAD (state carried over) and end-points utterances.
``decode`` runs the engine on finished utterances. ``feed`` does both.

End-pointing: speech starts after ``min_speech_ms`` above ``threshold``; it ends after
``end_silence_ms`` below ``neg_threshold`` (hangover), or is cut at ``max_utterance_s``. Each
utterance keeps ``pre_roll_ms`` of audio before its start.

Bounds (a slow consumer never grows memory without bound): an open utterance holds at most
``max_utterance_s`` of audio; at most ``max_pending`` finished utterances wait for ``decode``.
When one more arrives, it is merged into the newest waiting utterance of the same speaker if the
two fit in ``max_utterance_s`` together (one decode instead of two); otherwise the *oldest* waiting
utterance is dropped, its span counted in ``stats.dropped_s``. Silence is never buffered.

Speculative end-pointing (``speculate_ms``): when an utterance's trailing silence reaches this
shorter mark, the utterance *as the end-point would cut it* (the hangover is trimmed to the same
3 windows either way) is offered through :meth:`take_speculative`, so a consumer can start
recognising it at once. If speech resumes before ``end_silence_ms``, its key comes back through
:meth:`take_withdrawn` and its result must be thrown away; if the silence reaches the end-point,
the final utterance has the same :attr:`Utterance.key` and exactly the same samples, so the
speculative result *is* the final one. Segmentation is the end-point's alone: finals do not change.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from asr.audio import pcm16_to_float
from asr.engine import AsrEngine, Segment, Speaker
from asr.errors import StreamError
from asr.postprocess import TextPostprocessor
from asr.vad import WINDOW, SileroStream

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class StreamSettings:
    sample_rate: int = 16_000  # of the incoming PCM: 8000 or 16000
    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_ms: int = 96
    end_silence_ms: int = 480
    pre_roll_ms: int = 192
    max_utterance_s: float = 15.0
    max_pending: int = 8
    partial_every_s: float | None = None  # e.g. 2.0 for partial results of long utterances
    vad_batch_ms: int = 96  # score VAD windows in groups: fewer model calls, that much more delay
    speculate_ms: int | None = None  # e.g. 224: offer the utterance for recognition after this much silence
    interim_every_s: float | None = None  # e.g. 1.2: offer the open utterance so far after each 1.2 s of speech


@dataclass
class StreamStats:
    utterances: int = 0
    merged: int = 0
    dropped: int = 0
    dropped_s: float = 0.0
    partials: int = 0
    speculated: int = 0  # utterances offered early (speculate_ms)
    withdrawn: int = 0  # of those, taken back: speech resumed, or the final came out otherwise


@dataclass
class Utterance:
    """One end-pointed stretch of one speaker's speech; times in seconds from the call's start."""

    speaker: Speaker
    start: float
    end: float
    samples: np.ndarray

    @property
    def key(self) -> tuple[Speaker, float, float]:
        """Same key, same samples: a speculative utterance and the final one it became."""
        return (self.speaker, self.start, self.end)


@dataclass
class _Channel:
    speaker: Speaker
    vad: SileroStream
    resampler: object | None
    carry: bytes = b""
    rest: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    position: int = 0  # samples (16 kHz) scored so far
    pre: deque = field(default_factory=deque)
    speech: list = field(default_factory=list)
    speech_len: int = 0
    start: int = 0
    in_speech: bool = False
    voiced_run: int = 0
    silent_run: int = 0
    last_partial: int = 0
    last_interim: int = 0  # speech_len when the open utterance was last offered as an interim
    spec: Utterance | None = None  # offered early, not yet confirmed or withdrawn


class StreamingRecognizer:
    """One per call. Speakers are ``agent`` and ``caller`` (stereo fork) or ``None`` (mono)."""

    def __init__(self, engine: AsrEngine, settings: StreamSettings | None = None,
                 speakers: tuple[Speaker, ...] = ("agent", "caller"),
                 postprocessor: TextPostprocessor | None = None) -> None:
        self.engine = engine
        self.postprocessor = postprocessor
        self.settings = s = settings or StreamSettings()
        if s.sample_rate not in (8000, 16000):
            raise ValueError("sample_rate must be 8000 or 16000")
        if s.max_pending < 1 or s.max_utterance_s <= 0:
            raise ValueError("max_pending and max_utterance_s must be positive")
        if s.speculate_ms is not None and not 96 <= s.speculate_ms < s.end_silence_ms:
            raise ValueError("speculate_ms must be in [96, end_silence_ms)")
        self.stats = StreamStats()
        self._pending: deque[Utterance] = deque()
        self._channels = {sp: self._new_channel(sp) for sp in speakers}
        self._pre_windows = max(1, s.pre_roll_ms * SAMPLE_RATE // 1000 // WINDOW)
        self._min_voiced = max(1, s.min_speech_ms * SAMPLE_RATE // 1000 // WINDOW)
        self._end_windows = max(1, s.end_silence_ms * SAMPLE_RATE // 1000 // WINDOW)
        self._max_samples = int(s.max_utterance_s * SAMPLE_RATE)
        self._spec_windows = 0 if s.speculate_ms is None else max(3, s.speculate_ms * SAMPLE_RATE // 1000 // WINDOW)
        self._speculative: deque[Utterance] = deque(maxlen=4)
        self._withdrawn: deque[tuple] = deque(maxlen=64)

    def _new_channel(self, speaker: Speaker) -> _Channel:
        resampler = None
        if self.settings.sample_rate != SAMPLE_RATE:
            import av

            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        return _Channel(speaker, SileroStream(), resampler)

    # -- input ------------------------------------------------------------------------------
    def push(self, speaker: Speaker, pcm: bytes) -> None:
        """Add little-endian 16-bit mono PCM of one channel (any frame size)."""
        channel = self._channels.get(speaker)
        if channel is None:
            raise StreamError(f"未知的声道：{speaker}")
        if not isinstance(pcm, bytes | bytearray | memoryview):
            raise StreamError("音频帧必须是二进制的 16 位 PCM 数据")
        data = channel.carry + bytes(pcm)
        channel.carry = data[len(data) - len(data) % 2 :]
        samples = pcm16_to_float(data)
        if channel.resampler is not None and len(samples):
            samples = self._resample(channel, samples)
        self._score(channel, np.concatenate([channel.rest, samples]))

    def _resample(self, channel: _Channel, samples: np.ndarray) -> np.ndarray:
        import av

        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = self.settings.sample_rate
        out = [f.to_ndarray().reshape(-1) for f in channel.resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    def _score(self, ch: _Channel, samples: np.ndarray, flush: bool = False) -> None:
        s = self.settings
        n = len(samples) // WINDOW
        if n == 0 or (not flush and n * WINDOW * 1000 < s.vad_batch_ms * SAMPLE_RATE):
            ch.rest = samples
            return
        ch.rest = samples[n * WINDOW :].copy()
        windows = samples[: n * WINDOW].reshape(n, WINDOW)
        for window, prob in zip(windows, ch.vad(windows), strict=True):
            if not ch.in_speech:
                ch.voiced_run = ch.voiced_run + 1 if prob >= s.threshold else 0
                ch.pre.append(window)
                if len(ch.pre) > self._pre_windows + self._min_voiced:
                    ch.pre.popleft()
                if ch.voiced_run >= self._min_voiced:
                    ch.in_speech, ch.silent_run = True, 0
                    ch.speech = list(ch.pre)
                    ch.speech_len = len(ch.pre) * WINDOW
                    ch.start = ch.position + WINDOW - ch.speech_len
                    ch.last_partial = ch.last_interim = ch.speech_len
                    ch.pre.clear()
            else:
                ch.speech.append(window)
                ch.speech_len += WINDOW
                ch.silent_run = ch.silent_run + 1 if prob < s.neg_threshold else 0
                if ch.silent_run == 0 and ch.spec is not None:  # speech resumed: the guess is void
                    self._withdraw(ch.spec)
                    ch.spec = None
                if ch.silent_run >= self._end_windows or ch.speech_len + WINDOW > self._max_samples:
                    self._finish(ch)
                elif self._spec_windows and ch.silent_run == self._spec_windows:
                    ch.spec = self._cut(ch)
                    self._speculative.append(ch.spec)
                    self.stats.speculated += 1
            ch.position += WINDOW

    def _cut(self, ch: _Channel) -> Utterance:
        """The open utterance as it ends now, most of the hangover trimmed (the last 3 windows of
        silence kept, so a cut after 3 or more silent windows always gives the same samples)."""
        keep = ch.speech_len - max(0, ch.silent_run - 3) * WINDOW
        samples = np.concatenate(ch.speech)[:keep]
        start = max(0, ch.start)
        return Utterance(ch.speaker, start / SAMPLE_RATE, (start + keep) / SAMPLE_RATE, samples)

    def _finish(self, ch: _Channel) -> None:
        utt = self._cut(ch)
        if ch.spec is not None and ch.spec.key != utt.key:  # cut otherwise (length limit)
            self._withdraw(ch.spec)
        ch.spec = None
        ch.in_speech, ch.speech, ch.speech_len, ch.voiced_run, ch.silent_run = False, [], 0, 0, 0
        self._enqueue(utt)

    def _withdraw(self, utt: Utterance) -> None:
        self.stats.withdrawn += 1
        self._withdrawn.append(utt.key)

    def _enqueue(self, utt: Utterance) -> None:
        self.stats.utterances += 1
        if len(self._pending) < self.settings.max_pending:
            self._pending.append(utt)
            return
        for i in range(len(self._pending) - 1, -1, -1):
            prev = self._pending[i]
            if prev.speaker == utt.speaker:
                if len(prev.samples) + len(utt.samples) <= self._max_samples:
                    self._pending[i] = Utterance(prev.speaker, prev.start, utt.end,
                                                  np.concatenate([prev.samples, utt.samples]))
                    self.stats.merged += 1
                    if self._spec_windows:  # neither is decoded as it was offered
                        self._withdrawn.extend([prev.key, utt.key])
                    return
                break
        dropped = self._pending.popleft()
        if self._spec_windows:
            self._withdrawn.append(dropped.key)
        self.stats.dropped += 1
        self.stats.dropped_s += dropped.end - dropped.start
        self._pending.append(utt)

    # -- output -----------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._pending)

    def heard_s(self, speaker: Speaker) -> float:
        """Seconds of ``speaker``'s audio scored so far (the call's clock for that channel)."""
        channel = self._channels.get(speaker)
        return 0.0 if channel is None else channel.position / SAMPLE_RATE

    def buffered_seconds(self) -> float:
        """Audio held in memory: open utterances plus waiting ones."""
        held = sum(ch.speech_len + len(ch.pre) * WINDOW + len(ch.rest) for ch in self._channels.values())
        held += sum(len(u.samples) for u in self._pending)
        return held / SAMPLE_RATE

    def decode(self, max_items: int | None = None) -> list[Segment]:
        """Recognise waiting utterances (oldest first) → final segments; then partials if due."""
        out: list[Segment] = []
        while self._pending and (max_items is None or len(out) < max_items):
            utt = self._pending.popleft()
            text = self._text(utt.samples)
            if text:
                out.append(Segment(round(utt.start, 2), round(utt.end, 2), text, utt.speaker, True))
        every = self.settings.partial_every_s
        if every and not self._pending:
            for ch in self._channels.values():
                if ch.in_speech and ch.speech_len - ch.last_partial >= every * SAMPLE_RATE:
                    ch.last_partial = ch.speech_len
                    text = self._text(np.concatenate(ch.speech))
                    if text:
                        self.stats.partials += 1
                        start = max(0, ch.start) / SAMPLE_RATE
                        out.append(Segment(round(start, 2), round(start + ch.speech_len / SAMPLE_RATE, 2),
                                           text, ch.speaker, False))
        return out

    def take(self) -> Utterance | None:
        """The oldest waiting utterance, taken off the queue to be recognised elsewhere (a shared
        :class:`~asr.decode_worker.DecodeWorker`); :meth:`segment` turns its text into a segment."""
        return self._pending.popleft() if self._pending else None

    def take_speculative(self) -> list[Utterance]:
        """Utterances offered early since the last call (``speculate_ms``), oldest first; at most
        the 4 newest are kept for a consumer that does not ask."""
        out = list(self._speculative)
        self._speculative.clear()
        return out

    def take_interim(self, speakers: tuple[Speaker, ...] | None = None) -> list[Utterance]:
        """Open utterances (of ``speakers``, default all) as heard so far, each offered once per
        ``interim_every_s`` of new audio while its speaker is still talking (not in a pause): a
        consumer may recognise them for an interim (provisional) hypothesis. Never final."""
        every = self.settings.interim_every_s
        if not every:
            return []
        out = []
        for ch in self._channels.values():
            if (ch.in_speech and ch.silent_run == 0 and (speakers is None or ch.speaker in speakers)
                    and ch.speech_len - ch.last_interim >= every * SAMPLE_RATE):
                ch.last_interim = ch.speech_len
                start = max(0, ch.start)
                out.append(Utterance(ch.speaker, start / SAMPLE_RATE, (start + ch.speech_len) / SAMPLE_RATE,
                                     np.concatenate(ch.speech)))
        return out

    def take_withdrawn(self) -> list[tuple]:
        """Keys of offered utterances whose result must be thrown away, since the last call."""
        out = list(self._withdrawn)
        self._withdrawn.clear()
        return out

    def segment(self, utt: Utterance, text: str) -> Segment | None:
        """The final segment of a recognised utterance (text post-processed), or None if empty."""
        text = self.postprocessor.run(text) if text and self.postprocessor else text
        if not text:
            return None
        return Segment(round(utt.start, 2), round(utt.end, 2), text, utt.speaker, True)

    def _text(self, samples: np.ndarray) -> str:
        text = self.engine.recognize_utterance(samples)
        return self.postprocessor.run(text) if text and self.postprocessor else text

    def feed(self, speaker: Speaker, pcm: bytes) -> list[Segment]:
        """``push`` then ``decode``."""
        self.push(speaker, pcm)
        return self.decode()

    def flush(self) -> None:
        """End of the stream: open utterances are finished and wait like the others."""
        for ch in self._channels.values():
            self._score(ch, ch.rest, flush=True)
            if ch.in_speech and ch.speech_len:
                self._finish(ch)

    def close(self) -> list[Segment]:
        """End of call: recognise what waits, then finish open utterances and recognise them."""
        out = self.decode()
        self.flush()
        return out + self.decode()
