"""A live call's speculative recognition: the guess made after a short silence becomes the final
text when the silence lasts (decoded once), and is thrown away when speech resumes."""

import numpy as np

from asr.decode_worker import DecodeWorker
from asr.streaming import StreamingRecognizer, StreamSettings
from assistant.access import Actor
from assistant.speech import LiveCall
from tests.asr.conftest import silence, vowel_speech
from tests.asr.test_streaming import LengthEngine, _pcm

AGENT = Actor(2, "agent", "坐席甲", "agent")


def play(live: LiveCall, x: np.ndarray, channel: int = 1, wait_s: float = 10) -> list:
    """Stream ``x`` in 100 ms frames on ``channel`` (0 agent, 1 caller); the segments stored."""
    stored = []
    pcm = _pcm(x)
    for i in range(0, len(pcm), 3200):
        live.push(bytes([channel]) + pcm[i : i + 3200])
        while (utt := live.take()) is not None:
            update = live.store(utt, live.submit(utt).result(wait_s))
            if update is not None:
                stored += update.segments
    return stored


def test_speculative_text_is_the_stored_final_and_is_decoded_once(hotline) -> None:
    call = hotline.calls.start(AGENT, caller_number="13907180000")
    engine = LengthEngine()
    worker = DecodeWorker(engine)
    try:
        rec = StreamingRecognizer(worker, StreamSettings(speculate_ms=224))
        live = LiveCall(hotline.calls, call.id, AGENT, rec, worker)
        x = np.concatenate([silence(0.3), vowel_speech(1.0), silence(0.35), vowel_speech(1.0, 3), silence(1.2)])
        stored = play(live, x)
        assert len(stored) == 1 and stored[0].speaker == "caller"
        assert rec.stats.speculated == 2 and rec.stats.withdrawn == 1
        assert worker.stats["confirmed"] == 1  # the final is the guess made after 224 ms of silence
        void = rec.stats.speculated - worker.stats["speculated"]  # offered and withdrawn within one frame
        assert void + worker.stats["wasted"] + worker.stats["dropped"] == 1
        assert engine.calls == 1 + worker.stats["wasted"]  # the final was not decoded again
        live.drop_guesses()
        assert [s.text for s in hotline.calls.get(call.id, AGENT).segments] == [stored[0].text]
    finally:
        worker.close()


def test_without_speculation_the_same_final_is_stored(hotline) -> None:
    x = np.concatenate([silence(0.3), vowel_speech(1.0), silence(0.35), vowel_speech(1.0, 3), silence(1.2)])
    texts = []
    for speculate in (None, 224):
        call = hotline.calls.start(AGENT)
        worker = DecodeWorker(LengthEngine())
        try:
            rec = StreamingRecognizer(worker, StreamSettings(speculate_ms=speculate))
            texts.append([(s.start, s.end, s.text) for s in play(LiveCall(hotline.calls, call.id, AGENT, rec, worker), x)])
        finally:
            worker.close()
    assert texts[0] == texts[1] and len(texts[0]) == 1


def test_the_suggestion_looked_up_ahead_is_the_one_asked_for_once_stored(hotline) -> None:
    from assistant.calls import SUGGEST_QUERY_CHARS, SegmentIn

    call = hotline.calls.start(AGENT)
    for i, (speaker, text) in enumerate([("agent", "您好，请讲"), ("caller", "我们村里的路垮了"),
                                          ("caller", "下雨以后一直没人来修，" * 12)]):
        hotline.calls.add_segments(call.id, [SegmentIn(speaker=speaker, start=i, end=i + 1, text=text)], AGENT,
                                   enrich=False)
    ahead = hotline.calls.recent_caller_text(call.id, SUGGEST_QUERY_CHARS, then=" 白果村到官仓村那段 ")
    hotline.calls.add_segments(call.id, [SegmentIn(speaker="caller", start=3, end=4, text="白果村到官仓村那段")],
                               AGENT, enrich=False)
    assert ahead == hotline.calls.recent_caller_text(call.id, SUGGEST_QUERY_CHARS)
    assert len(ahead) == SUGGEST_QUERY_CHARS and ahead.endswith("白果村到官仓村那段")
