"""Speech in the service: one recognition engine per process (loaded once), recorded calls
transcribed into a call's segments, and live calls streamed through a per-call recogniser whose
utterances are recognised by one decode worker shared by every live call of the process (oldest
speech first, one at a time: calls never interleave inside the engine) and whose final segments flow
into the call session (suggestions, draft)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from asr import RecordingTranscriber, StreamingRecognizer, StreamSettings, TextPostprocessor, create_engine
from asr.audio import decode
from asr.decode_worker import DecodeWorker
from asr.errors import AsrError
from asr.overload import OverloadSettings
from asr.streaming import Utterance
from assistant.access import Actor
from assistant.calls import CallPublic, CallService, CallUpdate, SegmentIn
from assistant.errors import ValidationFailed

log = logging.getLogger(__name__)

# Live decoding with the embedded Whisper engine (the same loaded model, other decoding settings)
# and the live end-point; chosen by `python -m eval asr --live`, figures in asr/README.md: a live
# utterance is cut tight by the end-point, and a 14 s window padded with silent audio reads it
# better than the recorded path's 20 s window padded with zero features (CER 0.191 vs 0.212 on the
# 141 clips streamed live) for 21 % less CPU.
# One replica with every thread: a live utterance is decoded alone and waited for (the recorded
# path's default splits the threads into replicas that decode utterances side by side).
LIVE_WHISPER_OPTIONS: dict[str, Any] = {"min_window_s": 14.0, "pad_silence": True, "workers": 1}
# Speculative end-pointing: after 224 ms of silence the utterance (cut exactly as the 480 ms
# end-point will cut it) is recognised on the decode worker while it is idle; if the silence
# lasts, that text is the final one, if speech resumes it is thrown away (asr/README.md).
LIVE_STREAM_OPTIONS: dict[str, Any] = {"speculate_ms": 224}
# Overload mode: when the shared decode worker has a backlog (another utterance waiting, a speaker
# who stopped more than 0.8 s ago, or busy more than 75 % of the last 10 s), an utterance is decoded
# greedily in a 10 s window, on the same loaded model (accuracy cost measured in asr/README.md);
# without a backlog nothing changes. For 10 s after such a decode nothing is guessed.
LIVE_OVERLOAD_WHISPER_OPTIONS: dict[str, Any] = {"min_window_s": 10.0, "beam_size": 1}
LIVE_OVERLOAD = OverloadSettings(waiting=1, late_after_s=0.8, busy_above=0.75, guess_pause_s=10.0)
# Meanwhile a call's ticket draft is refreshed at most every 5 s (words stored in between are drafted
# together): at 4 calls the drafts' category embedding took ~14 CPU s a minute beside the decoder.
LIVE_DRAFT_PAUSE_S = 5.0
# Interim suggestions: while the caller is still speaking, every `HOTLINE_ASR_LIVE_INTERIM_S` (1.2 s)
# of new speech the audio so far is recognised when the decode worker is otherwise idle (lowest
# priority, stopped after its encoder when a final or a guess arrives) and its suggestions are pushed
# as provisional (`interim` event). Greedy in an 8 s window, no temperature fallback, on the same
# loaded model: a provisional text only has to find the article (live path, first 60 of the 141
# clips, greedy: 8 s CER 0.171, cpu_rtf 0.124; 10 s 0.185, 0.138; 6 s 0.370, loops). Never stored.
LIVE_INTERIM_WHISPER_OPTIONS: dict[str, Any] = {"min_window_s": 8.0, "beam_size": 1, "temperatures": (0.0,)}
LIVE_INTERIM_BELOW = 0.6  # no interim decode while the worker was busy more than this share of the last 10 s


class SpeechService:
    def __init__(self, calls: CallService, *, engine: str, data_dir: Path, model_dir: Path | None = None,
                 agent_channel: int = 0, max_duration_s: float = 3600.0, gazetteer_words: list[str] | None = None,
                 cpu_threads: int = 2, live_interim_s: float | None = None) -> None:
        self.calls = calls
        self.live_interim_s = live_interim_s or None  # None/0: no interim decodes
        self.engine_name = engine
        self.data_dir = Path(data_dir)
        self.model_dir = model_dir
        self.agent_channel = agent_channel
        self.max_duration_s = max_duration_s
        self.gazetteer_words = list(gazetteer_words or [])
        self.cpu_threads = cpu_threads
        self._engine = None
        self._decoder: DecodeWorker | None = None
        self._options: dict[str, Any] = {}
        self.live_overload = LIVE_OVERLOAD  # read when the decode worker starts
        self._lock = threading.Lock()
        self.error: str | None = None

    @property
    def ready(self) -> bool:
        return self._engine is not None

    def engine(self):  # type: ignore[no-untyped-def]
        """The process-wide engine, loaded on first use."""
        with self._lock:
            if self._engine is None:
                options: dict[str, Any] = {"cpu_threads": self.cpu_threads}
                if self.engine_name == "whisper":
                    options["data_dir"] = self.data_dir
                if self.model_dir is not None:
                    options["model_dir"] = self.model_dir
                try:
                    engine = create_engine(self.engine_name, **options)
                    engine.warm_up()
                except AsrError as exc:
                    self.error = f"语音识别不可用：{exc}"
                    raise
                self._engine, self.error = engine, None
                self._options = options
            return self._engine

    def decoder(self) -> DecodeWorker:
        """The decode worker every live call of this process shares (started on first use); for
        Whisper it decodes with the live settings on the model already loaded."""
        engine = self.engine()
        with self._lock:
            if self._decoder is None:
                cheap = interim = None
                if self.engine_name == "whisper" and LIVE_WHISPER_OPTIONS:
                    engine = create_engine("whisper", **self._options, **LIVE_WHISPER_OPTIONS)
                    engine.warm_up()
                    # overload mode: the same loaded model (cached by path and threads), cheaper settings
                    cheap = create_engine("whisper", **self._options,
                                          **(LIVE_WHISPER_OPTIONS | LIVE_OVERLOAD_WHISPER_OPTIONS))
                    cheap.warm_up()
                    if self.live_interim_s:
                        interim = create_engine("whisper", **self._options,
                                                **(LIVE_WHISPER_OPTIONS | LIVE_INTERIM_WHISPER_OPTIONS))
                        interim.warm_up()
                self._decoder = DecodeWorker(engine, cheap_engine=cheap, overload=self.live_overload,
                                             interim_engine=interim, interim_below=LIVE_INTERIM_BELOW)
            return self._decoder

    def live_stats(self) -> dict[str, Any] | None:
        """The shared decode worker's counts (utterances decoded, seconds busy, speculative
        recognitions offered / refused / used / dropped / wasted, decodes in overload mode and
        why), None before the first live call."""
        worker = self._decoder
        if worker is None:
            return None
        return {"decoded": worker.decoded, "busy_s": round(worker.busy_s, 1), "waiting": worker.waiting,
                **{k: round(v, 1) if isinstance(v, float) else v for k, v in worker.stats.items()}}

    def postprocessor(self) -> TextPostprocessor:
        """Spoken numbers → digits, and place / unit names corrected against the county's words."""
        return TextPostprocessor(numbers="display", gazetteer_words=self.gazetteer_words or None)

    def transcribe_recording(self, data: bytes, actor: Actor, *, caller_number: str = "") -> CallPublic:
        """A recorded call (WAV/G.711/MP3 …) → a new call with speaker-labelled segments, scored."""
        if not data:
            raise ValidationFailed("录音文件为空")
        # decoded before any model loads: a file that is not audio, lies about its format or is too
        # long is refused (AsrError, 422 at the API) without costing a model load
        audio = decode(bytes(data), max_duration_s=self.max_duration_s)
        transcriber = RecordingTranscriber(self.engine(), agent_channel=self.agent_channel,
                                           max_duration_s=self.max_duration_s, postprocessor=self.postprocessor())
        transcript = transcriber.run_audio(audio)
        call = self.calls.start(actor, caller_number=caller_number, source="recording")
        segments = [SegmentIn(speaker=s.speaker, start=s.start, end=s.end, text=s.text[:2000])
                    for s in transcript.segments if s.text.strip()]
        for i in range(0, len(segments), 100):
            self.calls.add_segments(call.id, segments[i:i + 100], actor, suggest=False)
        return self.calls.end(call.id, actor)

    def live(self, call_id: int, actor: Actor, *, sample_rate: int = 16000) -> LiveCall:
        if sample_rate not in (8000, 16000):
            raise ValidationFailed("采样率只支持 8000 或 16000")
        decoder = self.decoder()
        settings = StreamSettings(sample_rate=sample_rate, interim_every_s=self.live_interim_s, **LIVE_STREAM_OPTIONS)
        recognizer = StreamingRecognizer(decoder, settings, postprocessor=self.postprocessor())
        return LiveCall(self.calls, call_id, actor, recognizer, decoder)


class LiveCall:
    """One live call: frames in (per channel), final segments out through the call session.

    ``push`` only runs voice detection (cheap) and queues finished utterances. The live route takes
    them one at a time (``take``), has the shared decode worker recognise them (``submit``, a future:
    no thread waits), stores the text (``store``) and sends it, then asks for suggestions and the
    draft off that path (``suggest``, ``draft``). ``step`` does the same synchronously. The
    recogniser's queue is bounded: when recognition falls behind, the oldest waiting utterances are
    merged or dropped there, never buffered without end."""

    CHANNELS = {0: "agent", 1: "caller"}

    def __init__(self, calls: CallService, call_id: int, actor: Actor, recognizer: StreamingRecognizer,
                 decoder: DecodeWorker | None = None) -> None:
        self.calls = calls
        self.call_id = call_id
        self.actor = actor
        self.recognizer = recognizer
        self.decoder = decoder
        self.draft_pause_s = LIVE_DRAFT_PAUSE_S
        self._lock = threading.Lock()
        self._guesses: dict[tuple, Future] = {}  # utterance key → speculative recognition
        self._stored_end: dict[str | None, float] = {}  # per speaker: end of the newest stored segment

    def push(self, frame: bytes) -> list[tuple[Utterance, Future, bool]]:
        """A binary frame: one byte channel tag (0 agent, 1 caller), then 16-bit little-endian PCM.
        Utterances the recogniser offers early are recognised speculatively (the decode worker runs
        them only when no confirmed utterance waits); withdrawn ones are dropped there. A caller
        still speaking has the audio so far recognised as an interim hypothesis when the worker
        has nothing else to do. Returns ``(utterance, future, interim)`` for each recognition
        started: guesses for :meth:`prepare`, interims for :meth:`interim`."""
        if len(frame) < 3:
            raise ValidationFailed("音频帧过短")
        speaker = self.CHANNELS.get(frame[0])
        if speaker is None:
            raise ValidationFailed("音频帧的声道标记只能是 0（坐席）或 1（来电人）")
        with self._lock:
            self.recognizer.push(speaker, frame[1:])
            offered = self.recognizer.take_speculative()
            withdrawn = set(self.recognizer.take_withdrawn())
            started: list[tuple[Utterance, Future, bool]] = []
            if self.decoder is None:
                return started
            for key in withdrawn:
                guess = self._guesses.pop(key, None)
                if guess is not None:
                    self.decoder.withdraw(guess)
            for utt in offered:
                if utt.key in withdrawn:  # offered and void within one frame
                    continue
                # only while this call keeps up: a call with utterances waiting guesses nothing
                guess = self.decoder.speculate(utt.samples) if not self.recognizer.pending else None
                if guess is not None:
                    self._guesses[utt.key] = guess
                    started.append((utt, guess, False))
            if not self.recognizer.pending and not self._guesses:  # lowest priority: this call keeps up
                for utt in self.recognizer.take_interim(("caller", None)):
                    interim = self.decoder.interim(utt.samples, stream=(id(self), utt.speaker))
                    if interim is not None:
                        started.append((utt, interim, True))
        return started

    def interim(self, utt: Utterance, text: str) -> dict[str, Any] | None:
        """An interim hypothesis of a caller still speaking → the ``interim`` event (its words and
        provisional suggestions, None when they show no article), or None when empty or its final
        segment is already stored. Nothing is stored."""
        seg = self.recognizer.segment(utt, text)
        if seg is None or self.interim_stale(utt):
            return None
        found = self.calls.provisional_suggestions(self.call_id, seg.text[:2000])
        if found is not None and (found.mode == "none" or not found.suggestions):
            found = None  # a provisional "no answer" must not take the answer on screen away
        return {"speaker": seg.speaker, "start": seg.start, "end": seg.end, "text": seg.text[:2000],
                "suggestions": None if found is None else found.model_dump(mode="json")}

    def interim_stale(self, utt: Utterance) -> bool:
        """A final segment of the same speaker ending after ``utt`` began has been stored."""
        with self._lock:
            return self._stored_end.get(utt.speaker, -1.0) > utt.start

    def still_guessed(self, utt: Utterance) -> bool:
        """The guess for ``utt`` is neither withdrawn nor used yet."""
        with self._lock:
            return utt.key in self._guesses

    def prepare(self, utt: Utterance, text: str) -> None:
        """A caller utterance recognised speculatively: its suggestions are looked up ahead (the
        knowledge base keeps the query's embedding), so they follow the words at once when it
        turns out final. Nothing is stored."""
        seg = self.recognizer.segment(utt, text)
        if seg is not None and seg.speaker in ("caller", None) and self.still_guessed(utt):
            self.calls.prepare_suggestions(self.call_id, seg.text[:2000])

    def pending(self) -> int:
        return self.recognizer.pending  # a property of the recogniser

    def recognise(self, *, final: bool = False) -> CallUpdate | None:
        """Decode what is waiting and store the final text durably; suggestions and the draft come
        separately (:meth:`enrich`) so the agent sees the words as soon as they are known."""
        with self._lock:
            segments = self.recognizer.close() if final else self.recognizer.decode(max_items=1)
        finals = [SegmentIn(speaker=s.speaker, start=s.start, end=s.end, text=s.text[:2000])
                  for s in segments if s.final and s.text.strip()]
        if not finals:
            return None
        return self.calls.add_segments(self.call_id, finals, self.actor, enrich=False)

    def take(self) -> Utterance | None:
        """The oldest utterance waiting for recognition, taken off this call's queue."""
        with self._lock:
            return self.recognizer.take()

    def submit(self, utt: Utterance) -> Future:
        """Recognise ``utt`` on the shared decode worker → a future of its raw text (the
        speculative one when the utterance was offered early and ended exactly as offered)."""
        if self.decoder is None:
            future: Future = Future()
            future.set_result(self.recognizer.engine.recognize_utterance(utt.samples))
            return future
        with self._lock:
            guess = self._guesses.pop(utt.key, None)
            # when the speaker stopped: as much earlier as the call's audio has run on since then
            ended_at = time.monotonic() - max(0.0, self.recognizer.heard_s(utt.speaker) - utt.end)
        if guess is not None and self.decoder.confirm(guess, ended_at=ended_at):
            return guess
        return self.decoder.submit(utt.samples, ended_at=ended_at)

    def drop_guesses(self) -> None:
        """End of call: speculative work nobody will ask for is dropped."""
        with self._lock:
            guesses, self._guesses = list(self._guesses.values()), {}
        if self.decoder is not None:
            for guess in guesses:
                self.decoder.withdraw(guess)

    def store(self, utt: Utterance, text: str) -> CallUpdate | None:
        """The recognised utterance as a final segment, stored durably (no lookups yet)."""
        seg = self.recognizer.segment(utt, text)
        if seg is None or not seg.text.strip():
            return None
        final = SegmentIn(speaker=seg.speaker, start=seg.start, end=seg.end, text=seg.text[:2000])
        update = self.calls.add_segments(self.call_id, [final], self.actor, enrich=False)
        with self._lock:
            self._stored_end[seg.speaker] = max(seg.end, self._stored_end.get(seg.speaker, -1.0))
        return update

    def enrich(self, update: CallUpdate) -> CallUpdate:
        return self.calls.enrich(update)

    def suggest(self, update: CallUpdate) -> CallUpdate:
        """Suggested answers only (the knowledge base, tens of milliseconds)."""
        return self.calls.enrich(update, draft=False)

    def draft(self, update: CallUpdate) -> CallUpdate:
        """The refreshed ticket draft only."""
        return self.calls.enrich(update, suggest=False)

    def draft_pause(self) -> float:
        """Seconds to wait before the next draft refresh: ``draft_pause_s`` while the shared decode
        worker is in overload mode (the CPU goes to the words first), else 0."""
        if self.decoder is not None and self.decoder.in_overload():
            return self.draft_pause_s
        return 0.0

    def step(self, on_update: Callable[[CallUpdate], None] | None = None, *, final: bool = False) -> list[CallUpdate]:
        update = self.recognise(final=final)
        if update is None:
            return []
        update = self.enrich(update)
        if on_update:
            on_update(update)
        return [update]

    def finish(self) -> CallPublic:
        self.drop_guesses()
        self.step(final=True)
        return self.calls.end(self.call_id, self.actor)
