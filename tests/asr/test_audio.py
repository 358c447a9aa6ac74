import io

import numpy as np
import pytest

from asr.audio import decode, encode_wav, pcm16_to_float, split_channels
from asr.errors import AsrError, AudioTooLongError, EmptyAudioError, NotAudioError, TruncatedAudioError
from asr.phone import resample, simulate_phone_channel, telephone_band
from tests.asr.conftest import tone


def _peak_freq(x: np.ndarray, rate: int = 16_000) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[spec.argmax()])


@pytest.mark.parametrize(
    ("codec", "rate", "fmt"),
    [
        ("pcm_s16le", 16000, "wav"),
        ("pcm_s16le", 8000, "wav"),
        ("pcm_alaw", 8000, "wav"),
        ("pcm_mulaw", 8000, "wav"),
        ("mp3", 16000, "mp3"),
        ("flac", 8000, "flac"),
    ],
)
def test_decode_formats_to_16k_float(codec, rate, fmt):
    data = encode_wav(tone(440, 1.0, rate), rate, codec, fmt)
    audio = decode(data)
    assert audio.sample_rate == 16000 and audio.source_rate == rate
    assert len(audio.channels) == 1 and audio.channels[0].dtype == np.float32
    assert abs(audio.duration - 1.0) < 0.08
    x = audio.channels[0][2000:14000]
    assert abs(_peak_freq(x) - 440) < 5
    assert 0.4 < np.abs(x).max() < 0.6


def test_g711_alaw_header_bytes_are_real_g711():
    data = encode_wav(tone(440, 0.5, 8000), 8000, "pcm_alaw")
    assert data[:4] == b"RIFF" and int.from_bytes(data[20:22], "little") == 6  # WAVE_FORMAT_ALAW
    data = encode_wav(tone(440, 0.5, 8000), 8000, "pcm_mulaw")
    assert int.from_bytes(data[20:22], "little") == 7  # WAVE_FORMAT_MULAW


def test_decode_from_path_and_file_object(tmp_path):
    data = encode_wav(tone(300, 0.5))
    path = tmp_path / "a.wav"
    path.write_bytes(data)
    assert abs(decode(path).duration - 0.5) < 0.01
    assert abs(decode(io.BytesIO(data)).duration - 0.5) < 0.01


def test_stereo_split_agent_channel_is_configurable():
    left, right = tone(300, 1.0), tone(1000, 1.0, amp=0.2)
    audio = decode(encode_wav([left, right], 8000 * 2, "pcm_alaw"))
    assert len(audio.channels) == 2
    parts = split_channels(audio, agent_channel=0)
    assert set(parts) == {"agent", "caller"}
    assert abs(np.abs(parts["agent"]).max() - 0.5) < 0.05 and abs(np.abs(parts["caller"]).max() - 0.2) < 0.05
    swapped = split_channels(audio, agent_channel=1)
    assert np.array_equal(swapped["agent"], parts["caller"])
    assert set(split_channels(audio, agent_channel=None)) == {""}
    mono = decode(encode_wav(left))
    assert set(split_channels(mono)) == {""}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyAudioError),
        (b"this is a text file, not a recording\n" * 20, NotAudioError),
        (bytes(range(256)) * 8, NotAudioError),
    ],
)
def test_bad_input_gets_a_clear_error(data, error):
    with pytest.raises(error) as info:
        decode(data)
    assert isinstance(info.value, AsrError) and info.value.code
    assert any("\u4e00" <= c <= "\u9fff" for c in str(info.value))


def test_truncated_wav():
    data = encode_wav(tone(440, 1.0))
    with pytest.raises(TruncatedAudioError):
        decode(data[: len(data) // 2])
    with pytest.raises(TruncatedAudioError):
        decode(data[:30])


def test_wav_without_samples_is_empty():
    header = encode_wav(tone(440, 0.1))[:44]
    empty = header[:40] + (0).to_bytes(4, "little")
    with pytest.raises(EmptyAudioError):
        decode(empty)


def test_too_long_is_refused():
    data = encode_wav(tone(440, 3.0))
    with pytest.raises(AudioTooLongError) as info:
        decode(data, max_duration_s=2.0)
    assert "上限" in str(info.value)
    assert decode(data, max_duration_s=5.0).duration == pytest.approx(3.0, abs=0.01)


def test_missing_file():
    with pytest.raises(NotAudioError):
        decode("/nonexistent/call.wav")


def test_pcm16_to_float():
    pcm = np.array([0, 16384, -32768, 32767], dtype="<i2").tobytes() + b"\x01"
    assert pcm16_to_float(pcm).tolist() == pytest.approx([0.0, 0.5, -1.0, 32767 / 32768])


def test_phone_channel_keeps_voice_band_and_cuts_the_rest():
    voice, high = tone(1000, 1.0, amp=0.3), tone(5000, 1.0, amp=0.3)
    out = simulate_phone_channel(voice + high, "alaw")
    assert len(out) == 16000
    mid = out[2000:14000]
    spec = np.abs(np.fft.rfft(mid))
    freqs = np.fft.rfftfreq(len(mid), 1 / 16000)
    assert spec[np.argmin(abs(freqs - 1000))] > 50 * spec[np.argmin(abs(freqs - 5000))]
    for law in ("alaw", "mulaw"):
        clean = simulate_phone_channel(voice, law)[2000:14000]
        snr = 10 * np.log10(np.sum(voice[2000:14000] ** 2) / np.sum((clean - voice[2000:14000]) ** 2))
        assert snr > 25  # G.711 at this level: ~35 dB
    low = telephone_band(tone(100, 1.0, 8000), 8000)
    assert np.abs(low).max() < 0.01
    assert len(resample(tone(440, 1.0), 16000, 8000)) == pytest.approx(8000, abs=40)
