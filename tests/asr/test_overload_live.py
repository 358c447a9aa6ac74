"""Overload mode through the real path: the service's decode worker (real Whisper base, the cheap
settings on the same model) decodes a live call's utterance cheaply, and the text is stored as
the call's segment and counted in the health capabilities."""

from __future__ import annotations

import numpy as np
import pytest

from api.demo_call import CALL_DIR
from asr.audio import decode
from asr.overload import OverloadSettings
from asr.streaming import StreamingRecognizer, StreamSettings
from assistant.access import Actor
from assistant.speech import LIVE_OVERLOAD_WHISPER_OPTIONS, LiveCall
from tests.assistant.test_live_speculation import play

pytestmark = pytest.mark.slow

AGENT = Actor(2, "agent", "坐席甲", "agent")


def test_an_overloaded_decode_is_stored_as_a_segment(hotline, whisper_data_dir, db_url) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("sqlite"):
        pytest.skip("一次就够：存储在两种数据库上的行为由存储测试覆盖，这里测的是解码")
    models = hotline.data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "whisper-base-ct2").symlink_to(whisper_data_dir / "whisper-base-ct2")
    hotline.speech.live_overload = OverloadSettings(waiting=0)  # every decode as under a backlog
    worker = hotline.speech.decoder()
    assert worker.cheap_engine is not None
    assert worker.cheap_engine.beam_size == LIVE_OVERLOAD_WHISPER_OPTIONS["beam_size"] == 1
    assert worker.cheap_engine.min_window_s == LIVE_OVERLOAD_WHISPER_OPTIONS["min_window_s"]
    assert worker.cheap_engine._model is worker.engine._model  # the same loaded model

    call = hotline.calls.start(AGENT, caller_number="13907180000")
    rec = StreamingRecognizer(worker, StreamSettings(), postprocessor=hotline.speech.postprocessor())
    live = LiveCall(hotline.calls, call.id, AGENT, rec, worker)
    greeting = decode(CALL_DIR / "call.ogg").channels[0][: 16000 * 6]  # the agent's opening words
    stored = play(live, np.concatenate([greeting, np.zeros(16000, np.float32)]), channel=0, wait_s=120)
    assert stored and all(s.speaker == "agent" and s.text.strip() for s in stored)
    assert worker.stats["degraded"] == worker.stats["degraded_waiting"] == worker.decoded >= 1
    assert [s.text for s in hotline.calls.get(call.id, AGENT).segments] == [s.text for s in stored]
    live_caps = hotline.capabilities()["asr"]["live"]
    assert live_caps["degraded"] == worker.decoded and live_caps["degraded_late"] == 0
