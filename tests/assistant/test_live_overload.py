"""A live call tells the shared decode worker when its speaker stopped (from the call's own audio
clock), so an utterance taken long after its end is decoded in overload mode and a prompt one is
not; both are stored as the call's segments, and meanwhile the call's draft refreshes wait."""

import numpy as np

from asr.decode_worker import DecodeWorker
from asr.overload import OverloadSettings
from asr.streaming import StreamingRecognizer, StreamSettings
from assistant.access import Actor
from assistant.speech import LIVE_DRAFT_PAUSE_S, LiveCall
from tests.asr.conftest import silence, vowel_speech
from tests.asr.test_streaming import LengthEngine, _pcm

AGENT = Actor(2, "agent", "坐席甲", "agent")


class Tagged(LengthEngine):
    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def recognize_utterance(self, samples):
        return f"{self.tag}{super().recognize_utterance(samples)}"


def _push(live: LiveCall, x: np.ndarray) -> None:
    pcm = _pcm(x)
    for i in range(0, len(pcm), 3200):  # 100 ms frames on the caller's channel
        live.push(b"\x01" + pcm[i : i + 3200])


def test_an_utterance_taken_late_is_decoded_cheaply_and_stored(hotline) -> None:
    call = hotline.calls.start(AGENT, caller_number="13907180000")
    full, cheap = Tagged("全"), Tagged("简")
    worker = DecodeWorker(full, cheap_engine=cheap,
                          overload=OverloadSettings(waiting=None, busy_above=None, late_after_s=0.8,
                                                   guess_pause_s=3600.0))
    try:
        rec = StreamingRecognizer(worker, StreamSettings())
        live = LiveCall(hotline.calls, call.id, AGENT, rec, worker)
        _push(live, np.concatenate([silence(0.3), vowel_speech(1.0), silence(0.7)]))
        prompt = live.take()  # taken at its end-point: the usual settings
        assert prompt is not None and 0.3 <= rec.heard_s("caller") - prompt.end <= 0.8
        first = live.store(prompt, live.submit(prompt).result(10))
        assert live.draft_pause() == 0.0 and not worker.in_overload()  # drafts follow every stored turn
        _push(live, np.concatenate([vowel_speech(1.0, 3), silence(3.0)]))
        late = live.take()  # its speaker stopped ~3 s of call audio ago
        assert late is not None and rec.heard_s("caller") - late.end > 2.5
        second = live.store(late, live.submit(late).result(10))
        assert first.segments[0].text.startswith("全") and second.segments[0].text.startswith("简")
        assert worker.stats["degraded"] == worker.stats["degraded_late"] == 1
        assert worker.in_overload() and live.draft_pause() == LIVE_DRAFT_PAUSE_S > 0  # drafts wait meanwhile
        assert [s.text[0] for s in hotline.calls.get(call.id, AGENT).segments] == ["全", "简"]
        assert rec.heard_s("agent") == 0.0 and rec.heard_s(None) == 0.0  # no agent audio; no such channel
    finally:
        worker.close()
