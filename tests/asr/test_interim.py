"""Interim (provisional) recognition of an utterance still being spoken: the recogniser offers the
audio so far every ``interim_every_s``, and the shared decode worker runs it only when nothing
else waits, stops it after its encoder when a final arrives, and never lets it go first."""

import threading

import numpy as np

from asr.decode_worker import DecodeWorker
from asr.streaming import StreamingRecognizer, StreamSettings
from tests.asr.conftest import silence, vowel_speech
from tests.asr.test_streaming import LengthEngine, _pcm


class EncoderGate(LengthEngine):
    """An engine whose 'encoder' waits at a gate; after it, ``should_stop`` skips the decoding."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.stopped = 0

    def recognize_utterance(self, samples, should_stop=None):
        self.entered.set()
        self.gate.wait(10)
        if should_stop is not None and should_stop():
            self.stopped += 1
            return ""
        return super().recognize_utterance(samples)


def _zeros(n):
    return np.zeros(n, np.float32)


def test_the_open_utterance_is_offered_every_interval_while_spoken():
    rec = StreamingRecognizer(LengthEngine(), StreamSettings(interim_every_s=1.0), speakers=(None,))
    pcm = _pcm(np.concatenate([silence(0.3), vowel_speech(3.5), silence(1.0)]))
    offered = []
    for i in range(0, len(pcm), 3200):
        rec.push(None, pcm[i : i + 3200])
        offered += rec.take_interim()
    assert 2 <= len(offered) <= 3
    assert all(b.end - a.end >= 0.99 for a, b in zip(offered, offered[1:], strict=False))
    assert len({u.start for u in offered}) == 1  # one utterance, growing
    final = rec.take()
    assert final is not None and final.start == offered[0].start and final.end > offered[-1].end
    assert rec.take_interim() == [] and rec.pending == 0  # never queued as a final


def test_no_interim_without_the_setting_or_for_other_speakers():
    pcm = _pcm(np.concatenate([silence(0.3), vowel_speech(3.0)]))
    plain = StreamingRecognizer(LengthEngine(), StreamSettings())
    interim = StreamingRecognizer(LengthEngine(), StreamSettings(interim_every_s=1.0))
    for i in range(0, len(pcm), 3200):
        plain.push("caller", pcm[i : i + 3200])
        interim.push("agent", pcm[i : i + 3200])
        assert plain.take_interim() == [] and interim.take_interim(("caller",)) == []


def test_an_interim_is_refused_while_a_final_waits_and_runs_after_it():
    engine = EncoderGate()
    worker = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    try:
        first = worker.submit(_zeros(160))  # taken at once, held at the gate
        assert engine.entered.wait(5)
        waiting = worker.submit(_zeros(320))
        assert worker.interim(_zeros(480), stream="a") is None  # a final waits
        engine.gate.set()
        assert first.result(10) == "10" and waiting.result(10) == "20"
        later = worker.interim(_zeros(480), stream="a")
        assert later is not None and later.result(10) == "30"
        assert worker.stats["interim_refused"] == 1 and worker.stats["interim_decoded"] == 1
    finally:
        worker.close()


def test_a_final_arriving_during_an_interim_stops_it_after_its_encoder():
    engine = EncoderGate()
    worker = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    try:
        interim = worker.interim(_zeros(480), stream="a")
        assert interim is not None and engine.entered.wait(5)
        final = worker.submit(_zeros(160))  # arrives while the interim's encoder runs
        engine.gate.set()
        assert interim.result(10) == "" and final.result(10) == "10"
        assert engine.stopped == 1 and worker.stats["interim_stopped"] == 1
        assert worker.decoded == 1  # interim decodes are not counted as decodes
    finally:
        worker.close()


def test_a_newer_interim_of_a_stream_replaces_the_waiting_one_and_busy_refuses():
    engine = EncoderGate()
    worker = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    try:
        running = worker.interim(_zeros(160), stream="a")  # held at the gate
        assert engine.entered.wait(5)
        old = worker.interim(_zeros(320), stream="b")
        new = worker.interim(_zeros(480), stream="b")
        engine.gate.set()
        assert running.result(10) == "10" and new.result(10) == "30" and old.cancelled()
        assert worker.stats["interim_replaced"] == 1
    finally:
        worker.close()
    engine = LengthEngine()
    busy = DecodeWorker(engine, interim_engine=engine, interim_below=0.0)
    try:
        busy.submit(_zeros(160)).result(10)  # any decode in the window is too busy
        busy._busy.append((busy._busy[-1][0], busy._busy[-1][1] + 0.5))
        assert busy.interim(_zeros(160)) is None and busy.stats["interim_refused"] == 1
    finally:
        busy.close()
