"""Interim suggestions of a live call: while the caller is still speaking, the words so far are
recognised when the decode worker is idle and pushed as an ``interim`` event with provisional
suggestions; interim text is never stored, and never sent after the final words of its utterance."""

import json
import time

import numpy as np

from asr.decode_worker import DecodeWorker
from asr.streaming import StreamingRecognizer, StreamSettings
from assistant.access import Actor
from assistant.speech import LiveCall
from tests.asr.conftest import silence, vowel_speech
from tests.asr.test_streaming import LengthEngine, _pcm
from tests.conftest import login_role

AGENT = Actor(2, "agent", "坐席甲", "agent")


def test_interims_are_pushed_while_speaking_and_never_stored(kb_hotline) -> None:
    hotline = kb_hotline
    call = hotline.calls.start(AGENT, caller_number="13907180000")
    engine = LengthEngine()
    worker = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    try:
        rec = StreamingRecognizer(worker, StreamSettings(speculate_ms=224, interim_every_s=1.0))
        live = LiveCall(hotline.calls, call.id, AGENT, rec, worker)
        pcm = _pcm(np.concatenate([silence(0.3), vowel_speech(3.5), silence(1.2)]))
        interims, stored = [], []
        for i in range(0, len(pcm), 3200):
            for utt, future, interim in live.push(b"\x01" + pcm[i : i + 3200]):
                if interim:
                    interims.append((utt, live.interim(utt, future.result(10))))
            while (utt := live.take()) is not None:
                stored += live.store(utt, live.submit(utt).result(10)).segments
        assert len(interims) >= 2 and len(stored) == 1
        for utt, event in interims:
            assert set(event) == {"speaker", "start", "end", "text", "suggestions"}
            assert event["speaker"] == "caller" and event["start"] == stored[0].start and event["end"] < stored[0].end
            assert event["suggestions"] is None or (event["suggestions"]["suggestions"]
                                                    and event["suggestions"]["mode"] != "none")
            assert live.interim_stale(utt)  # the final is stored: too late to push it now
        assert [s.text for s in hotline.calls.get(call.id, AGENT).segments] == [stored[0].text]
        assert worker.stats["interim_decoded"] == len(interims) and worker.decoded == 1 + worker.stats["wasted"]
    finally:
        worker.close()


def test_the_agent_channel_gets_no_interim(hotline) -> None:
    call = hotline.calls.start(AGENT)
    engine = LengthEngine()
    worker = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    try:
        live = LiveCall(hotline.calls, call.id, AGENT, StreamingRecognizer(worker, StreamSettings(interim_every_s=1.0)),
                        worker)
        pcm = _pcm(np.concatenate([silence(0.3), vowel_speech(3.0)]))
        started = [s for i in range(0, len(pcm), 3200) for s in live.push(b"\x00" + pcm[i : i + 3200])]
        assert not [s for s in started if s[2]] and worker.stats["interim_offered"] == 0
    finally:
        worker.close()


def test_the_stream_sends_interim_events_before_the_final_words(client, kb_hotline) -> None:
    hotline = kb_hotline
    engine = LengthEngine()
    hotline.speech._engine = engine  # the decode worker's scheduling, not recognition, is under test
    hotline.speech.live_interim_s = 1.0
    hotline.speech._decoder = DecodeWorker(engine, interim_engine=engine, interim_below=1.0)
    hotline.calls.drafter, hotline.calls.on_end = None, []  # the protocol is under test: no draft or QA models
    agent = login_role(client, "agent")
    call = client.post("/api/v1/calls", json={"caller_number": "13907183333"}, headers=agent).json()
    token = agent["Authorization"].split()[1]
    pcm = _pcm(np.concatenate([silence(0.3), vowel_speech(3.5), silence(1.2)]))
    events = []
    with client.websocket_connect(f"/api/v1/calls/{call['id']}/stream?token={token}") as ws:
        for i in range(0, len(pcm), 3200):  # at twice real time: interims arrive while the caller speaks
            ws.send_bytes(b"\x01" + pcm[i : i + 3200])
            time.sleep(0.05)
        ws.send_text(json.dumps({"type": "end"}))
        while (event := json.loads(ws.receive_text()))["type"] != "ended":
            events.append(event)
    kinds = [e["type"] for e in events]
    assert "interim" in kinds and "segment" in kinds
    assert max(i for i, k in enumerate(kinds) if k == "interim") < kinds.index("segment")
    interim = next(e["data"] for e in events if e["type"] == "interim")
    assert interim["speaker"] == "caller" and interim["text"] and "suggestions" in interim
    segments = client.get(f"/api/v1/calls/{call['id']}", headers=agent).json()["segments"]
    assert [s["text"] for s in segments] == [e["data"]["text"] for e in events if e["type"] == "segment"]


def test_look_ahead_and_interim_lookups_never_wait_for_the_first_index_build(hotline) -> None:
    """Provisional lookups are optional: while the knowledge base's index is not built yet (a first
    start still warming up), they give nothing at once instead of building it (or waiting for it)."""
    assert not hotline.kb_index.ready
    call = hotline.calls.start(AGENT, caller_number="13907180001")
    assert hotline.calls.provisional_suggestions(call.id, "我们村停水三天了") is None
    hotline.calls.prepare_suggestions(call.id, "我们村停水三天了")
    assert not hotline.kb_index.ready  # neither started the build
