"""Errors of the callback classifiers: Chinese, user-facing messages plus a stable English ``code``."""

from __future__ import annotations


class CallbackError(Exception):
    """Base class: ``str(err)`` is a Chinese message for the user, ``code`` is stable English."""

    code = "callback_error"
    message = "回访结果识别出错"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(message or self.message)


class EmptyReplyError(CallbackError):
    code = "empty_reply"
    message = "没有可识别的回访答复内容"


class InvalidKeypressError(CallbackError):
    code = "invalid_keypress"
    message = "按键无法识别：请按 1、2、3 依次回答“是否解决”和“是否满意”"


class InvalidSettingError(CallbackError):
    code = "invalid_setting"
    message = "回访识别的参数设置不正确"


class TrainingDataError(CallbackError):
    code = "training_data"
    message = "回访训练数据格式不正确"


class ModelUnavailableError(CallbackError):
    code = "model_unavailable"
    message = "回访识别模型不可用，请检查模型文件或重新训练"


class ModelVersionError(ModelUnavailableError):
    code = "model_version"
    message = "回访识别模型与当前 scikit-learn 版本不符，请重新训练"


class NotFittedError(CallbackError):
    code = "not_fitted"
    message = "回访识别模型尚未训练"
