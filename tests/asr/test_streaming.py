"""Live-call recognizer: VAD end-pointing, timing, bounded buffers, real engine once."""

import numpy as np
import pytest

from asr.errors import StreamError
from asr.streaming import StreamingRecognizer, StreamSettings
from tests.asr.conftest import silence, vowel_speech


class LengthEngine:
    """A deterministic engine for the buffering rules: the text is the utterance length in ms."""

    name = "length"

    def __init__(self):
        self.calls = 0

    def warm_up(self):
        pass

    def recognize_utterance(self, samples):
        self.calls += 1
        return str(round(len(samples) / 16))


def _pcm(x, rate=16000):
    if rate != 16000:
        x = x[:: 16000 // rate]
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def _frames(x, ms=20, rate=16000):
    pcm = _pcm(x, rate)
    step = rate * ms // 1000 * 2
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def test_two_channels_give_timed_final_segments():
    agent = np.concatenate([silence(0.5), vowel_speech(1.5), silence(3.0)])
    caller = np.concatenate([silence(2.6), vowel_speech(1.5, 1), silence(0.9)])
    rec = StreamingRecognizer(LengthEngine())
    out = []
    for fa, fc in zip(_frames(agent), _frames(caller), strict=True):
        rec.push("agent", fa)
        rec.push("caller", fc[:7])  # odd, ragged frame sizes are fine
        rec.push("caller", fc[7:])
        out += rec.decode()
    out += rec.close()
    assert [s.speaker for s in out] == ["agent", "caller"]
    a, c = out
    assert a.final and 0.2 < a.start < 0.75 and 1.9 < a.end < 2.5
    assert 2.3 < c.start < 2.85 and 4.0 < c.end < 4.7


def test_utterance_is_final_soon_after_speech_stops():
    x = np.concatenate([silence(0.3), vowel_speech(1.5), silence(2.0)])
    rec = StreamingRecognizer(LengthEngine(), speakers=(None,))
    for i, frame in enumerate(_frames(x)):
        got = rec.feed(None, frame)
        if got:
            heard_at = (i + 1) * 0.02
            break
    else:
        pytest.fail("no final segment before the end of the stream")
    assert heard_at - got[0].end < 0.8  # end-point delay (hangover) before the engine runs


def test_8k_input_and_bad_frames():
    x = np.concatenate([silence(0.3), vowel_speech(1.5), silence(1.0)])
    rec = StreamingRecognizer(LengthEngine(), StreamSettings(sample_rate=8000), speakers=(None,))
    out = []
    for frame in _frames(x, rate=8000):
        out += rec.feed(None, frame)
    out += rec.close()
    assert len(out) == 1 and 0.1 < out[0].start < 0.75
    with pytest.raises(StreamError):
        rec.push("agent", b"\0\0")
    with pytest.raises(StreamError):
        rec.push(None, "text")


def test_long_speech_is_cut_and_memory_stays_bounded():
    settings = StreamSettings(max_utterance_s=2.0, max_pending=2)
    engine = LengthEngine()
    rec = StreamingRecognizer(engine, settings, speakers=(None,))
    speech = vowel_speech(12.0)
    peak = 0.0
    for frame in _frames(speech):
        rec.push(None, frame)  # a consumer that never decodes
        peak = max(peak, rec.buffered_seconds())
    assert rec.pending <= 2
    assert peak <= 2.0 * 3 + 0.5  # open utterance + two waiting
    assert rec.stats.dropped >= 1 and rec.stats.dropped_s > 0
    finals = rec.close()
    assert all(int(s.text) <= 2000 for s in finals)


def test_waiting_utterances_of_one_speaker_are_merged():
    settings = StreamSettings(max_pending=1, max_utterance_s=10.0)
    rec = StreamingRecognizer(LengthEngine(), settings, speakers=(None,))
    x = np.concatenate([vowel_speech(1.0), silence(1.0), vowel_speech(1.0, 2), silence(1.0)])
    for frame in _frames(x):
        rec.push(None, frame)
    assert rec.pending == 1 and rec.stats.merged == 1 and rec.stats.dropped == 0
    (seg,) = rec.decode()
    assert seg.start < 0.3 and seg.end > 2.9


def test_partials_for_long_utterances():
    rec = StreamingRecognizer(LengthEngine(), StreamSettings(partial_every_s=1.0), speakers=(None,))
    out = []
    for frame in _frames(np.concatenate([vowel_speech(3.0), silence(1.0)])):
        out += rec.feed(None, frame)
    assert [s.final for s in out].count(False) >= 2 and out[-1].final


@pytest.mark.slow
def test_real_whisper_engine_streams(whisper_data_dir):
    from asr.whisper_engine import WhisperEngine

    engine = WhisperEngine(whisper_data_dir, beam_size=1)
    rec = StreamingRecognizer(engine, speakers=(None,))
    out = []
    for frame in _frames(np.concatenate([silence(0.5), vowel_speech(2.0), silence(1.0)])):
        out += rec.feed(None, frame)
    out += rec.close()
    assert len(out) == 1 and out[0].text and out[0].final


def _run(x, settings):
    rec = StreamingRecognizer(LengthEngine(), settings, speakers=(None,))
    offered, withdrawn, finals = [], [], []
    for frame in _frames(x):
        rec.push(None, frame)
        offered += rec.take_speculative()
        withdrawn += rec.take_withdrawn()
        utt = rec.take()
        if utt is not None:
            finals.append(utt)
    return rec, offered, withdrawn, finals


def test_speculative_utterance_is_the_final_one_when_the_silence_lasts():
    x = np.concatenate([silence(0.3), vowel_speech(1.5), silence(1.5)])
    rec, offered, withdrawn, finals = _run(x, StreamSettings(speculate_ms=224))
    assert len(offered) == 1 and not withdrawn and len(finals) == 1
    assert offered[0].key == finals[0].key
    assert np.array_equal(offered[0].samples, finals[0].samples)
    assert rec.stats.speculated == 1 and rec.stats.withdrawn == 0


def test_speculation_is_withdrawn_when_speech_resumes_and_finals_do_not_change():
    x = np.concatenate([silence(0.3), vowel_speech(1.0), silence(0.35), vowel_speech(1.0, 3), silence(1.0)])
    _rec, offered, withdrawn, finals = _run(x, StreamSettings(speculate_ms=224))
    _plain, none_offered, _w, plain_finals = _run(x, StreamSettings())
    assert not none_offered
    assert [u.key for u in finals] == [u.key for u in plain_finals] and len(finals) == 1
    assert len(offered) == 2 and withdrawn == [offered[0].key]  # the pause was not the end
    assert offered[1].key == finals[0].key and np.array_equal(offered[1].samples, finals[0].samples)


def test_speculate_ms_is_checked():
    with pytest.raises(ValueError):
        StreamingRecognizer(LengthEngine(), StreamSettings(speculate_ms=480))
    with pytest.raises(ValueError):
        StreamingRecognizer(LengthEngine(), StreamSettings(speculate_ms=32))
