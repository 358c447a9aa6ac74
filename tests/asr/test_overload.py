"""Overload mode of the live decode worker: the decision from explicit queue states, and which
engine the worker picks for an utterance (no timing assertions: decodes are held at a gate)."""

import threading
import time

import numpy as np
import pytest

from asr.decode_worker import DecodeWorker
from asr.overload import BUSY, LATE, WAITING, OverloadSettings, overload_reason
from tests.asr.test_streaming import LengthEngine

DEFAULT = OverloadSettings(waiting=1, late_after_s=0.8, busy_above=0.75)


def test_no_backlog_keeps_the_usual_settings() -> None:
    assert overload_reason(DEFAULT, waiting=0, busy=0.0, age_s=None) is None
    assert overload_reason(DEFAULT, waiting=0, busy=0.75, age_s=0.8) is None  # thresholds are exclusive


@pytest.mark.parametrize(("waiting", "busy", "age_s", "reason"), [
    (1, 0.0, 0.0, WAITING),
    (3, 0.9, 5.0, WAITING),  # the queue is named first
    (0, 0.1, 0.81, LATE),
    (0, 0.9, 2.0, LATE),
    (0, 0.76, None, BUSY),
    (0, 0.76, 0.1, BUSY),
])
def test_a_backlog_decodes_cheaply(waiting: int, busy: float, age_s: float | None, reason: str) -> None:
    assert overload_reason(DEFAULT, waiting=waiting, busy=busy, age_s=age_s) == reason


def test_rules_can_be_switched_off_or_forced() -> None:
    off = OverloadSettings(waiting=None, late_after_s=None, busy_above=None)
    assert overload_reason(off, waiting=9, busy=1.0, age_s=60.0) is None
    assert overload_reason(OverloadSettings(waiting=0), waiting=0, busy=0.0) == WAITING  # always cheap
    assert overload_reason(OverloadSettings(waiting=2), waiting=1, busy=0.0) is None
    with pytest.raises(ValueError):
        OverloadSettings(busy_above=1.5)
    with pytest.raises(ValueError):
        OverloadSettings(waiting=-1)
    with pytest.raises(ValueError):
        OverloadSettings(late_after_s=-0.1)


class HeldEngine(LengthEngine):
    """Length engine whose decodes wait for a gate, recording which utterances it decoded."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.started = threading.Event()
        self.gate = threading.Event()
        self.seen: list[int] = []

    def recognize_utterance(self, samples):
        self.started.set()
        self.gate.wait(10)
        self.seen.append(len(samples))
        return f"{self.tag}{super().recognize_utterance(samples)}"


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, np.float32)


def _worker(**overload) -> tuple[DecodeWorker, HeldEngine, HeldEngine]:
    full, cheap = HeldEngine("full:"), HeldEngine("cheap:")
    cheap.gate.set()
    settings = OverloadSettings(**({"busy_above": None} | overload))  # busy share depends on timing: off here
    return DecodeWorker(full, cheap_engine=cheap, overload=settings), full, cheap


def test_an_utterance_with_another_waiting_behind_it_is_decoded_cheaply() -> None:
    worker, full, cheap = _worker(late_after_s=None)
    try:
        first = worker.submit(_zeros(160), priority=0.0)  # nothing behind it: the usual settings
        assert full.started.wait(10)
        second = worker.submit(_zeros(320), priority=1.0)
        third = worker.submit(_zeros(480), priority=2.0)
        full.gate.set()
        assert [f.result(10) for f in (first, second, third)] == ["full:10", "cheap:20", "full:30"]
        assert full.seen == [160, 480] and cheap.seen == [320]
        assert worker.stats["degraded"] == 1 and worker.stats["degraded_waiting"] == 1
        assert worker.decoded == 3
    finally:
        worker.close()


def test_a_late_utterance_is_decoded_cheaply_and_pauses_the_guesses() -> None:
    worker, full, cheap = _worker(waiting=None, late_after_s=0.8, guess_pause_s=3600.0)
    full.gate.set()
    try:
        now = time.monotonic()
        assert worker.submit(_zeros(160), ended_at=now + 5).result(10) == "full:10"  # not late
        assert worker.speculate(_zeros(16)).result(10) == "full:1"
        assert worker.submit(_zeros(160), ended_at=now - 5).result(10) == "cheap:10"  # stopped 5 s ago
        assert worker.stats["degraded_late"] == 1 and worker.stats["degraded"] == 1
        assert worker.speculate(_zeros(16)) is None  # behind a moment ago: no guesses for a while
        assert worker.stats["refused"] == 1
        assert worker.submit(_zeros(160)).result(10) == "full:10"  # age unknown, nothing waits
    finally:
        worker.close()


def test_a_confirmed_guess_carries_its_age() -> None:
    worker, full, cheap = _worker(waiting=None, late_after_s=0.8)
    try:
        busy = worker.submit(_zeros(160))
        assert full.started.wait(10)
        guess = worker.speculate(_zeros(320))  # waits: the worker is not idle
        assert guess is not None
        assert worker.confirm(guess, ended_at=time.monotonic() - 5)
        full.gate.set()
        assert busy.result(10) == "full:10" and guess.result(10) == "cheap:20"
    finally:
        worker.close()


def test_without_a_cheap_engine_nothing_is_degraded() -> None:
    full = HeldEngine("full:")
    worker = DecodeWorker(full, overload=OverloadSettings(waiting=0))
    full.gate.set()
    try:
        assert worker.submit(_zeros(160), ended_at=time.monotonic() - 60).result(10) == "full:10"
        assert worker.stats["degraded"] == 0
    finally:
        worker.close()
