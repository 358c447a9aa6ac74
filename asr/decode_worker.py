"""One decode worker shared by every live call of a process.

On a 2-core box several live calls decoding at once only take turns inside CTranslate2 (one model
replica runs one job at a time) and interleave badly there: the encoder of call B runs between the
encoder and the decoder of call A, so every call waits for all the others. This worker owns the
engine's live decoding and runs utterances whole, one after another, oldest speech first
(``priority``: when the utterance ended, in call seconds on the caller's clock — any monotonic
number works), so the first utterance waiting is the first finished.

``batch_size`` > 1 hands several waiting utterances to the engine at once (``recognize_many``);
measured on 2 cores it costs more CPU than one after another (the int8 encoder gains nothing from
a batch, beam search over a batch loses), so the default is 1.

``submit(samples, priority)`` returns a ``concurrent.futures.Future`` (wrap it with
``asyncio.wrap_future`` in async code, no thread waits); ``recognize_utterance`` blocks on it, so
the worker can stand in for the engine wherever an ``AsrEngine`` is expected for live decoding.
The queue holds at most one utterance per call when callers submit one at a time (as the live
route does); the per-call ``StreamingRecognizer`` keeps the rest, bounded.

Speculative work (``speculate``): an utterance offered before its end-point is confirmed. It waits
in a second queue that runs only while no confirmed utterance waits, so finals always go first; it
is refused (``None``) when finals are waiting, when ``max_speculative`` guesses already wait or run,
or when the worker was busy more than ``speculate_below`` of the last ``busy_window_s`` seconds —
when the system is loaded or behind, nothing is guessed (a guess is a whole decode, a third of them
wasted on live calls; an engine that takes ``should_stop`` skips the decoding after its encoder
when the guess was withdrawn meanwhile, others run it to the end). ``confirm(future)`` turns a waiting guess into a confirmed
job (same queue as ``submit``) or keeps the one running or done; ``withdraw(future)`` drops a guess
that will not be needed (not started: never runs; running or done: counted as wasted).

Overload mode (``cheap_engine``, ``overload``: :mod:`asr.overload`): when a confirmed utterance's
decode starts while another one waits behind it, its speaker stopped more than
``late_after_s`` ago (``submit(..., ended_at=…)``, on ``time.monotonic``'s clock), or the worker was
busy more than ``busy_above`` of the recent window, it is decoded by ``cheap_engine`` (the same
model with cheaper settings) and counted in ``stats["degraded"]`` and ``degraded_<reason>``; for
``guess_pause_s`` after such a decode nothing is guessed (``in_overload()`` is true, so callers can
put off their own work too). Without a backlog nothing changes.

Interim work (``interim``, lowest priority): :mod:`asr.interim`.
"""

from __future__ import annotations

import heapq
import inspect
import itertools
import logging
import threading
import time
from collections import deque
from concurrent.futures import Future

import numpy as np

from asr.errors import AsrError
from asr.interim import InterimMixin
from asr.overload import REASONS, OverloadSettings, overload_reason

log = logging.getLogger(__name__)


class DecodeWorker(InterimMixin):
    def __init__(self, engine, *, batch_size: int = 1, max_speculative: int = 1,  # type: ignore[no-untyped-def]
                 speculate_below: float = 0.5, busy_window_s: float = 10.0, name: str = "asr-decode",
                 cheap_engine=None, overload: OverloadSettings | None = None,  # type: ignore[no-untyped-def]
                 interim_engine=None, interim_below: float = 0.6) -> None:  # type: ignore[no-untyped-def]
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.engine = engine
        self.cheap_engine = cheap_engine  # overload mode: the same model, cheaper settings (None: off)
        self.overload = overload or OverloadSettings()
        self._ended_at: dict[Future, float] = {}  # when the speaker stopped, monotonic, if known
        self._degraded_at: float | None = None
        self.name = getattr(engine, "name", "engine")
        # an engine that can stop after its encoder lets a guess withdrawn meanwhile skip the rest
        self._stoppable = "should_stop" in inspect.signature(engine.recognize_utterance).parameters
        self.interim_engine = interim_engine  # None: no interim decodes
        self.interim_below = interim_below
        self._interim: list[tuple[object, np.ndarray, Future]] = []  # (stream, samples, future), oldest first
        self._interim_stoppable = interim_engine is not None and "should_stop" in inspect.signature(
            interim_engine.recognize_utterance).parameters
        self.batch_size = batch_size
        self._heap: list[tuple[float, int, np.ndarray, Future]] = []
        self._spec: list[tuple[float, int, np.ndarray, Future]] = []  # guesses, run only when _heap is empty
        self._spec_state: dict[Future, str] = {}  # waiting / running / done / withdrawn (running)
        self.max_speculative = max_speculative
        self.speculate_below = speculate_below
        self.busy_window_s = busy_window_s
        self._busy: deque[tuple[float, float]] = deque()  # (start, end) of recent decodes, monotonic
        self._running_since: float | None = None
        self.stats = {"speculated": 0, "refused": 0, "confirmed": 0, "dropped": 0, "wasted": 0,
                      "spec_decoded": 0, "wasted_s": 0.0, "degraded": 0, "interim_offered": 0,
                      "interim_refused": 0, "interim_replaced": 0, "interim_decoded": 0, "interim_stopped": 0,
                      "interim_s": 0.0,
                      **{f"degraded_{reason}": 0 for reason in REASONS}}
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self.decoded = 0
        self.busy_s = 0.0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    # -- engine-like ------------------------------------------------------------------------
    def warm_up(self) -> None:
        self.engine.warm_up()
        if self.cheap_engine is not None:
            self.cheap_engine.warm_up()

    def recognize_utterance(self, samples: np.ndarray) -> str:
        return self.submit(samples).result()

    # -- queue ------------------------------------------------------------------------------
    def submit(self, samples: np.ndarray, priority: float | None = None, ended_at: float | None = None) -> Future:
        """Queue one end-pointed utterance (16 kHz float32); lower ``priority`` is decoded first;
        ``ended_at``: when its speaker stopped (``time.monotonic``), for overload mode's late rule."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("decode worker is closed")
            key = time.monotonic() if priority is None else priority
            if ended_at is not None:
                self._ended_at[future] = ended_at
            heapq.heappush(self._heap, (key, next(self._seq), samples, future))
            self._cond.notify()
        return future

    def speculate(self, samples: np.ndarray, priority: float | None = None) -> Future | None:
        """Queue a guess (an utterance whose end-point is not confirmed yet) → a future, or None
        when confirmed work waits or enough guesses already wait (nothing is guessed when behind)."""
        with self._cond:
            active = sum(1 for state in self._spec_state.values() if state in ("waiting", "running"))
            if (self._closed or self._heap or active >= self.max_speculative or self._in_overload()
                    or self._busy_fraction() > self.speculate_below):
                self.stats["refused"] += 1
                return None
            future: Future = Future()
            key = time.monotonic() if priority is None else priority
            heapq.heappush(self._spec, (key, next(self._seq), samples, future))
            if len(self._spec_state) > 64:  # guesses their caller never settled (a call cut off)
                for old in [f for f, state in self._spec_state.items() if state == "done"]:
                    del self._spec_state[old]
                    self.stats["wasted"] += 1
            self._spec_state[future] = "waiting"
            self.stats["speculated"] += 1
            self._cond.notify()
        return future

    def confirm(self, future: Future, ended_at: float | None = None) -> bool:
        """The guess turned out final: a waiting one moves to the confirmed queue (its place by
        when it was offered), a running or finished one is kept. False if it was withdrawn."""
        with self._cond:
            state = self._spec_state.pop(future, None)
            if state in (None, "withdrawn") or future.cancelled():
                return False
            self.stats["confirmed"] += 1
            if state == "waiting":
                if ended_at is not None:
                    self._ended_at[future] = ended_at
                for i, entry in enumerate(self._spec):
                    if entry[3] is future:
                        self._spec.pop(i)
                        heapq.heapify(self._spec)
                        heapq.heappush(self._heap, entry)
                        self._cond.notify()
                        break
            return True

    def withdraw(self, future: Future) -> None:
        """The guess will not be used: dropped if not started, else counted as wasted."""
        with self._cond:
            state = self._spec_state.pop(future, None)
            if state == "waiting":
                self._spec = [e for e in self._spec if e[3] is not future]
                heapq.heapify(self._spec)
                future.cancel()
                self.stats["dropped"] += 1
            elif state == "running":
                self._spec_state[future] = "withdrawn"  # counted when it ends
            elif state == "done":
                self.stats["wasted"] += 1

    def in_overload(self) -> bool:
        """An utterance was decoded in overload mode less than ``guess_pause_s`` ago."""
        with self._cond:
            return self._in_overload()

    def _in_overload(self) -> bool:
        return self._degraded_at is not None and time.monotonic() - self._degraded_at < self.overload.guess_pause_s

    def _busy_fraction(self) -> float:
        """Share of the last ``busy_window_s`` seconds spent decoding (call with the lock held)."""
        now = time.monotonic()
        since = now - self.busy_window_s
        while self._busy and self._busy[0][1] < since:
            self._busy.popleft()
        busy = sum(end - max(start, since) for start, end in self._busy)
        if self._running_since is not None:
            busy += now - max(self._running_since, since)
        return busy / self.busy_window_s

    def _mark(self, start: float | None) -> None:
        """A decode starts (``start`` None: the running one ended); with the lock held."""
        if start is None and self._running_since is not None:
            self._busy.append((self._running_since, time.monotonic()))
        self._running_since = start

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._heap)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap and not self._spec and not self._interim and not self._closed:
                    self._cond.wait()
                guess = interim = None
                if self._heap:
                    batch = [heapq.heappop(self._heap) for _ in range(min(self.batch_size, len(self._heap)))]
                    engine = self._engine_for([item[3] for item in batch])
                elif self._spec:  # nothing confirmed waits: one guess
                    entry = heapq.heappop(self._spec)
                    self._spec_state[entry[3]] = "running"
                    guess = entry[3]
                elif self._interim and not self._closed:  # nothing else waits: one interim decode
                    interim = self._interim.pop(0)
                    if not self._interim_allowed():  # the worker got busy since it was offered
                        interim[2].cancel()
                        self.stats["interim_refused"] += 1
                        continue
                else:  # closed, nothing confirmed or guessed left
                    for _stream, _samples, future in self._interim:
                        future.cancel()
                    self._interim.clear()
                    return
                if interim is None:
                    self._mark(time.monotonic())
            if interim is not None:
                self._run_interim(interim)
                continue
            if guess is not None:
                self._guess(entry)
                self._ended()
                continue
            jobs = [(samples, fut) for _k, _s, samples, fut in batch if fut.set_running_or_notify_cancel()]
            if not jobs:
                self._ended()
                continue
            t0 = time.perf_counter()
            try:
                if len(jobs) == 1:
                    texts = [engine.recognize_utterance(jobs[0][0])]
                else:
                    texts = engine.recognize_many([s for s, _f in jobs])
            except (AsrError, RuntimeError, ValueError) as exc:
                for _s, fut in jobs:
                    fut.set_exception(exc)
                continue
            except BaseException as exc:  # never leave a caller waiting forever
                log.exception("语音识别解码线程出错")
                for _s, fut in jobs:
                    fut.set_exception(exc)
                continue
            finally:
                self.busy_s += time.perf_counter() - t0
                self._ended()
            self.decoded += len(jobs)
            for (_s, fut), text in zip(jobs, texts, strict=True):
                fut.set_result(text)

    def _engine_for(self, futures: list[Future]) -> object:
        """The engine for confirmed utterances about to start (lock held, before ``_mark``): the
        cheap one in overload (:func:`asr.overload.overload_reason`), counted, else the usual one."""
        ended = [self._ended_at.pop(f) for f in futures if f in self._ended_at]
        if self.cheap_engine is None:
            return self.engine
        now = time.monotonic()
        reason = overload_reason(self.overload, waiting=len(self._heap), busy=self._busy_fraction(),
                                 age_s=now - min(ended) if ended else None)
        if reason is None:
            return self.engine
        self.stats["degraded"] += len(futures)
        self.stats[f"degraded_{reason}"] += len(futures)
        self._degraded_at = now
        return self.cheap_engine

    def _withdrawn(self, future: Future) -> bool:
        with self._cond:
            return self._spec_state.get(future) == "withdrawn"

    def _ended(self) -> None:
        with self._cond:
            self._mark(None)

    def _guess(self, entry: tuple[float, int, np.ndarray, Future]) -> None:
        _key, _seq, samples, future = entry
        if not future.set_running_or_notify_cancel():
            return
        t0 = time.perf_counter()
        try:
            if self._stoppable:
                text = self.engine.recognize_utterance(samples, should_stop=lambda: self._withdrawn(future))
            else:
                text = self.engine.recognize_utterance(samples)
        except BaseException as exc:  # reaches the caller if confirmed, else thrown away
            text, error = None, exc
        else:
            error = None
        spent = time.perf_counter() - t0
        with self._cond:
            self.busy_s += spent
            self.decoded += 1
            self.stats["spec_decoded"] += 1
            state = self._spec_state.get(future)
            if state == "withdrawn":
                del self._spec_state[future]
                self.stats["wasted"] += 1
                self.stats["wasted_s"] += spent
            elif state == "running":
                self._spec_state[future] = "done"
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(text)
