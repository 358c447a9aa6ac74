"""Errors of the asr package: Chinese, user-facing messages plus a stable English ``code``."""

from __future__ import annotations


class AsrError(Exception):
    """Base class: ``str(err)`` is a Chinese message for the user, ``code`` is stable English."""

    code = "asr_error"
    message = "语音识别出错"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(message or self.message)


class NotAudioError(AsrError):
    code = "not_audio"
    message = "上传的文件不是可识别的音频格式"


class EmptyAudioError(AsrError):
    code = "empty_audio"
    message = "音频为空，没有可识别的声音内容"


class TruncatedAudioError(AsrError):
    code = "truncated_audio"
    message = "音频文件不完整（可能上传中断或已损坏）"


class AudioTooLongError(AsrError):
    code = "audio_too_long"
    message = "音频时长超出允许的上限"


class ModelUnavailableError(AsrError):
    code = "model_unavailable"
    message = "语音识别模型不可用，请检查模型文件是否完整"


class UnknownEngineError(AsrError):
    code = "unknown_engine"
    message = "未知的语音识别引擎"


class StreamError(AsrError):
    code = "stream_error"
    message = "实时音频流数据格式错误"
