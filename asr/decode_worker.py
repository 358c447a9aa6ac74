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
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from concurrent.futures import Future

import numpy as np

from asr.errors import AsrError

log = logging.getLogger(__name__)


class DecodeWorker:
    def __init__(self, engine, *, batch_size: int = 1, name: str = "asr-decode") -> None:  # type: ignore[no-untyped-def]
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.engine = engine
        self.name = getattr(engine, "name", "engine")
        self.batch_size = batch_size
        self._heap: list[tuple[float, int, np.ndarray, Future]] = []
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

    def recognize_utterance(self, samples: np.ndarray) -> str:
        return self.submit(samples).result()

    # -- queue ------------------------------------------------------------------------------
    def submit(self, samples: np.ndarray, priority: float | None = None) -> Future:
        """Queue one end-pointed utterance (16 kHz float32); lower ``priority`` is decoded first."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("decode worker is closed")
            key = time.monotonic() if priority is None else priority
            heapq.heappush(self._heap, (key, next(self._seq), samples, future))
            self._cond.notify()
        return future

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
                while not self._heap and not self._closed:
                    self._cond.wait()
                if not self._heap:
                    return
                batch = [heapq.heappop(self._heap) for _ in range(min(self.batch_size, len(self._heap)))]
            jobs = [(samples, fut) for _k, _s, samples, fut in batch if fut.set_running_or_notify_cancel()]
            if not jobs:
                continue
            t0 = time.perf_counter()
            try:
                if len(jobs) == 1:
                    texts = [self.engine.recognize_utterance(jobs[0][0])]
                else:
                    texts = self.engine.recognize_many([s for s, _f in jobs])
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
            self.decoded += len(jobs)
            for (_s, fut), text in zip(jobs, texts, strict=True):
                fut.set_result(text)
