"""Interim decodes on the shared live decode worker (:class:`asr.decode_worker.DecodeWorker`).

An interim decode recognises the audio of an utterance still being spoken, for a provisional
hypothesis (the live route looks suggestions up on it while the caller is still talking). It is
the worker's lowest priority: it runs on ``interim_engine`` only while no confirmed utterance and
no guess waits; it is refused (``None``) in overload or when the worker was busy more than
``interim_below`` of the recent window (checked again when it would start); a newer one of the
same ``stream`` replaces one still waiting; and one running stops after its encoder as soon as a
confirmed utterance or a guess arrives (its text is then ""), so a final waits at most one interim
encoder pass. Interim decodes are counted apart (``stats["interim_*"]``, ``interim_s``) and not in
the busy window that gates guesses and overload mode: they only fill the worker's idle time.
"""

from __future__ import annotations

import time
from concurrent.futures import Future

import numpy as np


class InterimMixin:
    """The worker's interim queue; the worker holds ``_cond``, ``_heap``, ``_spec``, ``_closed``,
    ``stats``, ``busy_s``, ``_busy_fraction()``, ``_in_overload()`` and sets ``interim_engine``,
    ``interim_below``, ``_interim`` and ``_interim_stoppable`` in its ``__init__``."""

    def interim(self, samples: np.ndarray, stream: object = None) -> Future | None:
        """Queue an interim decode of an utterance still being spoken → a future of its raw text, or
        None when refused (no interim engine, confirmed work or a guess waiting, overload, busy)."""
        with self._cond:
            if self._closed or self.interim_engine is None or not self._interim_allowed():
                self.stats["interim_refused"] += 1
                return None
            for i, (other, _samples, old) in enumerate(self._interim):
                if stream is not None and other == stream:  # only the newest audio of a stream matters
                    self._interim.pop(i)
                    old.cancel()
                    self.stats["interim_replaced"] += 1
                    break
            future: Future = Future()
            self._interim.append((stream, samples, future))
            self.stats["interim_offered"] += 1
            self._cond.notify()
        return future

    def _interim_allowed(self) -> bool:
        return (not self._heap and not self._spec and not self._in_overload()
                and self._busy_fraction() <= self.interim_below)

    def _run_interim(self, job: tuple[object, np.ndarray, Future]) -> None:
        """One interim decode; it stops after the encoder once confirmed work or a guess waits."""
        _stream, samples, future = job
        if not future.set_running_or_notify_cancel():
            return
        t0 = time.perf_counter()
        try:
            if self._interim_stoppable:
                text = self.interim_engine.recognize_utterance(samples, should_stop=lambda: bool(self._heap or self._spec))
            else:
                text = self.interim_engine.recognize_utterance(samples)
        except BaseException as exc:  # provisional: the caller drops it
            future.set_exception(exc)
            return
        finally:
            spent = time.perf_counter() - t0
            with self._cond:
                self.busy_s += spent
                self.stats["interim_s"] += spent
        with self._cond:
            stopped = not text and bool(self._heap or self._spec)
            self.stats["interim_stopped" if stopped else "interim_decoded"] += 1
        future.set_result(text)
