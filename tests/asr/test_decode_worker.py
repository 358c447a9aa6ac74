"""The decode worker shared by live calls: order, batching, errors, and the real engine through it."""

import threading
import time

import numpy as np
import pytest

from asr.decode_worker import DecodeWorker
from asr.errors import StreamError
from asr.streaming import StreamingRecognizer
from tests.asr.conftest import silence, vowel_speech
from tests.asr.test_streaming import LengthEngine, _frames


class GatedEngine(LengthEngine):
    """Length engine that holds its first decode until released, and records the order it ran in."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.order: list[str] = []
        self.batches: list[int] = []

    def recognize_utterance(self, samples):
        self.gate.wait(10)
        self.order.append(str(len(samples)))
        return super().recognize_utterance(samples)

    def recognize_many(self, pieces):
        self.gate.wait(10)
        self.batches.append(len(pieces))
        return [super(GatedEngine, self).recognize_utterance(p) for p in pieces]


def _zeros(n):
    return np.zeros(n, np.float32)


def test_oldest_speech_is_decoded_first_one_at_a_time():
    engine = GatedEngine()
    worker = DecodeWorker(engine)
    try:
        first = worker.submit(_zeros(160), priority=0.0)  # taken at once, held at the gate
        later = worker.submit(_zeros(480), priority=5.0)
        earlier = worker.submit(_zeros(320), priority=1.0)
        engine.gate.set()
        assert [f.result(10) for f in (first, earlier, later)] == ["10", "20", "30"]
        assert engine.order == ["160", "320", "480"] and worker.decoded == 3
    finally:
        worker.close()


def test_batches_take_what_waits():
    engine = GatedEngine()
    worker = DecodeWorker(engine, batch_size=4)
    try:
        futures = [worker.submit(_zeros(160 * (i + 1)), priority=i) for i in range(3)]
        engine.gate.set()
        assert [f.result(10) for f in futures] == ["10", "20", "30"]
        assert sum(engine.batches) + len(engine.order) == 3
    finally:
        worker.close()


def test_an_engine_error_reaches_the_caller_and_the_worker_goes_on():
    class Failing(LengthEngine):
        def recognize_utterance(self, samples):
            if len(samples) == 1:
                raise StreamError("坏的音频")
            return super().recognize_utterance(samples)

    worker = DecodeWorker(Failing())
    try:
        with pytest.raises(StreamError):
            worker.submit(_zeros(1)).result(10)
        assert worker.recognize_utterance(_zeros(1600)) == "100"
    finally:
        worker.close()
    with pytest.raises(RuntimeError):
        worker.submit(_zeros(16))


def test_recognizer_take_and_segment():
    worker = DecodeWorker(LengthEngine())
    rec = StreamingRecognizer(worker, speakers=(None,))
    for frame in _frames(np.concatenate([silence(0.3), vowel_speech(1.5), silence(1.0)])):
        rec.push(None, frame)
    utt = rec.take()
    assert utt is not None and rec.take() is None
    seg = rec.segment(utt, worker.submit(utt.samples).result(10))
    assert seg.final and 0.0 < seg.start < 0.9 and 1.5 < seg.end < 2.4
    assert rec.segment(utt, "") is None
    worker.close()


@pytest.mark.slow
def test_real_whisper_through_the_worker_matches_the_engine(whisper_data_dir):
    from asr.whisper_engine import WhisperEngine

    engine = WhisperEngine(whisper_data_dir, beam_size=1)
    speech = np.concatenate([silence(0.3), vowel_speech(2.0, 5), silence(0.3)])
    worker = DecodeWorker(engine)
    try:
        assert worker.submit(speech).result(120) == engine.recognize_utterance(speech)
    finally:
        worker.close()


def test_confirmed_utterances_go_before_guesses_and_nothing_is_guessed_when_behind():
    engine = GatedEngine()
    worker = DecodeWorker(engine, max_speculative=2)
    try:
        busy = worker.submit(_zeros(160), priority=0.0)  # held at the gate
        time.sleep(0.05)
        guess = worker.speculate(_zeros(320))
        final = worker.submit(_zeros(480), priority=1.0)
        assert guess is not None and worker.speculate(_zeros(640)) is None  # finals wait: refused
        engine.gate.set()
        assert busy.result(10) == "10" and final.result(10) == "30" and guess.result(10) == "20"
        assert engine.order == ["160", "480", "320"]
        assert worker.stats["refused"] == 1 and worker.stats["spec_decoded"] == 1
    finally:
        worker.close()


def test_a_confirmed_guess_is_decoded_once_and_a_withdrawn_one_never():
    engine = GatedEngine()
    worker = DecodeWorker(engine, max_speculative=2)
    try:
        busy = worker.submit(_zeros(160))
        time.sleep(0.05)
        kept = worker.speculate(_zeros(320))
        dropped = worker.speculate(_zeros(480))
        assert worker.confirm(kept)  # still waiting: moves to the confirmed queue
        worker.withdraw(dropped)
        engine.gate.set()
        assert busy.result(10) == "10" and kept.result(10) == "20" and dropped.cancelled()
        worker.submit(_zeros(16)).result(10)
        assert engine.order == ["160", "320", "16"]
        done = worker.speculate(_zeros(640))
        assert done.result(10) == "40"
        worker.withdraw(done)  # ran for nothing
        assert not worker.confirm(done)
        assert worker.stats["dropped"] == 1 and worker.stats["wasted"] == 1 and worker.stats["confirmed"] == 1
    finally:
        worker.close()


def test_nothing_is_guessed_while_the_worker_was_mostly_busy():
    class Slow(LengthEngine):
        def recognize_utterance(self, samples):
            time.sleep(0.3)
            return super().recognize_utterance(samples)

    worker = DecodeWorker(Slow(), speculate_below=0.5, busy_window_s=0.5)
    try:
        worker.submit(_zeros(16)).result(10)
        assert worker.speculate(_zeros(16)) is None  # busy 0.3 of the last 0.5 s
        time.sleep(0.5)
        assert worker.speculate(_zeros(16)).result(10) == "1"
        assert worker.stats["refused"] == 1
    finally:
        worker.close()


def test_a_guess_withdrawn_while_running_stops_after_the_encoder():
    class Stoppable(LengthEngine):
        def __init__(self):
            super().__init__()
            self.started, self.gate, self.stopped = threading.Event(), threading.Event(), []

        def recognize_utterance(self, samples, should_stop=None):
            self.started.set()
            self.gate.wait(10)  # the encoder
            if should_stop is not None and should_stop():
                self.stopped.append(len(samples))
                return ""
            return super().recognize_utterance(samples)

    engine = Stoppable()
    worker = DecodeWorker(engine)
    try:
        guess = worker.speculate(_zeros(320))
        assert engine.started.wait(10)
        worker.withdraw(guess)
        engine.gate.set()
        assert guess.result(10) == "" and engine.stopped == [320]
        assert worker.submit(_zeros(160)).result(10) == "10" and engine.stopped == [320]  # finals run through
        assert worker.stats["wasted"] == 1
    finally:
        worker.close()
