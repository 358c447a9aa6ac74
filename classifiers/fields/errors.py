"""Errors of the field extractor: Chinese, user-facing messages plus a stable English ``code``."""

from __future__ import annotations


class FieldsError(Exception):
    """Base class: ``str(err)`` is a Chinese message for the user, ``code`` is stable English."""

    code = "fields_error"
    message = "智能填单出错"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(message or self.message)


class InvalidGazetteerError(FieldsError):
    code = "invalid_gazetteer"
    message = "地名库格式不正确：需要包含乡镇（townships）及其名称"


class InvalidSettingError(FieldsError):
    code = "invalid_setting"
    message = "智能填单的设置不正确"


class InvalidTurnError(FieldsError):
    code = "invalid_turn"
    message = "通话片段格式不正确：需要说话人（agent 或 caller）、起止时间和文字"


class InvalidCallTimeError(FieldsError):
    code = "invalid_call_time"
    message = "来电时间格式不正确，应为带时区的 ISO 8601 时间"


class UnknownFieldError(FieldsError):
    code = "unknown_field"
    message = "工单草稿中没有这个字段"


class InvalidFieldValueError(FieldsError):
    code = "invalid_field_value"
    message = "字段取值不正确"


class AddressLibraryUnavailableError(FieldsError):
    code = "address_library_unavailable"
    message = "地址库（jionlp）不可用，请检查是否已安装"
