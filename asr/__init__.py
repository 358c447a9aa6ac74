"""Speech recognition for the hotline: audio I/O, engines (Whisper embedded, FunASR), VAD,
live streaming, and text normalisation after recognition.

Plain arguments only (paths, word lists, numbers); no settings objects, nothing above ``asr``.
Heavy modules (faster-whisper, funasr) load lazily, on ``warm_up``.
"""

from asr.audio import DecodedAudio, decode, encode_wav, pcm16_to_float, split_channels
from asr.engine import (
    AsrEngine,
    ChannelAudio,
    Segment,
    Speaker,
    Transcript,
    available_engines,
    create_engine,
    register_engine,
)
from asr.errors import (
    AsrError,
    AudioTooLongError,
    EmptyAudioError,
    ModelUnavailableError,
    NotAudioError,
    StreamError,
    TruncatedAudioError,
    UnknownEngineError,
)
from asr.gazetteer import Gazetteer
from asr.phone import simulate_phone_channel
from asr.postprocess import TextPostprocessor
from asr.recording import RecordingTranscriber
from asr.streaming import StreamingRecognizer, StreamSettings
from asr.textnorm import digit_strings_to_arabic, normalize_datetime, normalize_numbers, verbalize_cardinals
from asr.vad import VadSettings

__all__ = [
    "AsrEngine", "AsrError", "AudioTooLongError", "ChannelAudio", "DecodedAudio", "EmptyAudioError",
    "Gazetteer", "ModelUnavailableError", "NotAudioError", "RecordingTranscriber", "Segment", "Speaker",
    "StreamError", "StreamSettings", "StreamingRecognizer", "TextPostprocessor", "Transcript",
    "TruncatedAudioError", "UnknownEngineError", "VadSettings", "available_engines", "create_engine",
    "decode", "digit_strings_to_arabic", "encode_wav", "normalize_datetime", "normalize_numbers",
    "pcm16_to_float", "register_engine", "simulate_phone_channel", "split_channels", "verbalize_cardinals",
]
