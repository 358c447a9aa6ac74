"""FunASR backend through its real loading path, on tiny models this test builds and saves itself
(random weights; the released config.yaml / model.pt / tokens.json / am.mvn / configuration.json
layout of Paraformer-zh, FSMN-VAD and CT-Transformer punctuation)."""

import numpy as np
import pytest

from asr.engine import create_engine
from asr.errors import ModelUnavailableError
from tests.asr.conftest import silence, vowel_speech

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    from funasr_tiny import build_all

    return build_all(tmp_path_factory.mktemp("funasr-models"))


def test_tiny_paraformer_with_vad_and_punctuation_runs(tiny_dirs):
    engine = create_engine("funasr", model_dir=tiny_dirs["model_dir"], vad_dir=tiny_dirs["vad_dir"],
                           punc_dir=tiny_dirs["punc_dir"], cpu_threads=1)
    engine.warm_up()
    speech = np.concatenate([silence(0.5), vowel_speech(2.0), silence(0.5)])
    text = engine.recognize_utterance(speech)  # Paraformer (random weights) + CT-Transformer punctuation
    assert isinstance(text, str)
    regions = engine.regions(speech)  # FSMN-VAD with random weights: any spans, but well-formed
    assert all(0 <= r.start < r.end <= len(speech) for r in regions)
    for seg in engine.transcribe(speech, speaker="caller", offset=10.0):
        assert seg.speaker == "caller" and 10.0 <= seg.start < seg.end <= 13.0 and seg.text


def test_tiny_paraformer_with_silero_segmentation(tiny_dirs):
    engine = create_engine("funasr", model_dir=tiny_dirs["model_dir"], cpu_threads=1)
    speech = np.concatenate([silence(1.0), vowel_speech(2.0), silence(1.0)])
    engine.warm_up()
    asr = engine._asr  # the loaded AutoModel: the random decoder emits tokens from tokens.json
    raw = asr.generate(input=speech)[0]["text"]
    allowed = set("".join(__import__("funasr_tiny").TOKENS[3:-1])) | {" "}
    assert set(raw) <= allowed
    segments = engine.transcribe(speech)
    assert all(0.5 <= s.start < s.end <= 3.6 for s in segments)


def test_missing_or_incomplete_model_dir(tmp_path):
    engine = create_engine("funasr", model_dir=tmp_path / "nothing")
    with pytest.raises(ModelUnavailableError) as info:
        engine.warm_up()
    assert "config.yaml" in str(info.value)
