"""The county's time rules for tickets (sign-for, close, return, extension, reminders, callback).

The rules are data the county edits (``assistant/demo/<county>/policy.json``); the defaults below
follow the usual 12345 rules:

* sign for (签收) within 24 natural hours of dispatch;
* close (办结) within 5 working days of dispatch;
* a unit may return (退单) a wrongly assigned ticket within 2 working days of dispatch;
* at most 1 extension (延期), and never beyond 10 working days from dispatch in all;
* urgency 紧急: sign within 2 h, close within 2 working days; 特急: sign within 1 h, close within
  1 working day; appeal type 咨询: close within 1 working day;
* remind when 75 % of the time to a deadline has passed, and again 2 h before it;
* call back (回访) within 3 working days of closing.

Overrides by urgency or appeal type can only shorten a limit: the strictest applicable limit wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import RuleViolation, ValidationFailed
from assistant.workcalendar import WorkCalendar, require_aware

URGENCIES: tuple[str, ...] = ("一般", "紧急", "特急")
APPEAL_TYPES: tuple[str, ...] = ("咨询", "求助", "投诉", "举报", "建议", "表扬")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LimitOverride(_Model):
    """Shorter limits for one urgency level or appeal type; ``None`` keeps the general limit."""

    sign_hours: float | None = Field(default=None, gt=0, description="签收时限（自然小时）")
    close_working_days: int | None = Field(default=None, ge=1, description="办结时限（工作日）")
    return_working_days: int | None = Field(default=None, ge=0, description="退单时限（工作日）")


class ExtensionRule(_Model):
    max_extensions: int = Field(default=1, ge=0, description="每张工单最多延期次数")
    max_total_working_days: int = Field(default=10, ge=1, description="自派单起累计办理时限上限（工作日）")


class ReminderRule(_Model):
    elapsed_fractions: list[float] = Field(default=[0.75], description="已用时限比例达到这些值时提醒")
    hours_before: list[float] = Field(default=[2.0], description="截止前这些小时提醒")

    @field_validator("elapsed_fractions")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        for f in value:
            if not 0 < f < 1:
                raise ValueError(f"提醒比例必须在 0 与 1 之间（不含端点），收到 {f}")
        return sorted(set(value))

    @field_validator("hours_before")
    @classmethod
    def _hours(cls, value: list[float]) -> list[float]:
        for h in value:
            if h <= 0:
                raise ValueError(f"截止前提醒小时数必须大于 0，收到 {h}")
        return sorted(set(value), reverse=True)


class TimePolicy(_Model):
    """A county's ticket time rules. Load with :meth:`load` or :meth:`from_dict`."""

    version: int = Field(default=1, ge=1)
    county: str = ""
    description: str = ""
    sign_hours: float = Field(default=24.0, gt=0, description="派单后签收时限（自然小时）")
    close_working_days: int = Field(default=5, ge=1, description="派单后办结时限（工作日）")
    return_working_days: int = Field(default=2, ge=0, description="派单后可退单时限（工作日）")
    extension: ExtensionRule = ExtensionRule()
    urgency: dict[str, LimitOverride] = Field(
        default={
            "紧急": LimitOverride(sign_hours=2, close_working_days=2),
            "特急": LimitOverride(sign_hours=1, close_working_days=1),
        }
    )
    appeal_types: dict[str, LimitOverride] = Field(default={"咨询": LimitOverride(close_working_days=1)})
    reminders: ReminderRule = ReminderRule()
    callback_working_days: int = Field(default=3, ge=1, description="办结后回访时限（工作日）")

    @field_validator("urgency")
    @classmethod
    def _known_urgencies(cls, value: dict[str, LimitOverride]) -> dict[str, LimitOverride]:
        _check_keys(value, URGENCIES, "紧急程度")
        return value

    @field_validator("appeal_types")
    @classmethod
    def _known_appeal_types(cls, value: dict[str, LimitOverride]) -> dict[str, LimitOverride]:
        _check_keys(value, APPEAL_TYPES, "诉求类型")
        return value

    @model_validator(mode="after")
    def _close_within_cap(self) -> TimePolicy:
        cap = self.extension.max_total_working_days
        if self.close_working_days > cap:
            raise ValueError(f"办结时限 {self.close_working_days} 个工作日超过了累计上限 {cap} 个工作日")
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimePolicy:
        if not isinstance(data, dict):
            raise ValidationFailed(f"时限规则必须是 JSON 对象，收到的是 {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            problems = "；".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(根)'}：{_message(e)}" for e in err.errors()
            )
            raise ValidationFailed(f"时限规则配置有误：{problems}", details=err.errors()) from None

    @classmethod
    def load(cls, path: str | Path) -> TimePolicy:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValidationFailed(f"找不到时限规则文件：{path}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ValidationFailed(f"无法读取时限规则文件 {path}：{err}") from None
        except json.JSONDecodeError as err:
            raise ValidationFailed(
                f"时限规则文件 {path} 不是合法的 JSON（第 {err.lineno} 行）：{err.msg}"
            ) from None
        return cls.from_dict(data)

    # -- effective limits ------------------------------------------------------------------

    def limits_for(self, urgency: str, appeal_type: str) -> Limits:
        """The strictest limits that apply to a ticket of this urgency and appeal type."""
        check_urgency(urgency)
        check_appeal_type(appeal_type)
        found = [o for o in (self.urgency.get(urgency), self.appeal_types.get(appeal_type)) if o is not None]

        def strictest(name: str) -> Any:
            return min([getattr(self, name)] + [v for o in found if (v := getattr(o, name)) is not None])

        return Limits(
            sign_hours=strictest("sign_hours"),
            close_working_days=strictest("close_working_days"),
            return_working_days=strictest("return_working_days"),
        )


@dataclass(frozen=True)
class Limits:
    """The limits that apply to one ticket after overrides."""

    sign_hours: float
    close_working_days: int
    return_working_days: int


@dataclass(frozen=True)
class Deadlines:
    """Deadlines of one ticket, all in the time zone of ``dispatched_at``."""

    sign_by: datetime
    close_by: datetime
    return_by: datetime
    max_close_by: datetime


def check_urgency(urgency: str) -> str:
    if urgency not in URGENCIES:
        raise ValidationFailed(f"未知的紧急程度：{urgency!r}（可选：{'、'.join(URGENCIES)}）")
    return urgency


def check_appeal_type(appeal_type: str) -> str:
    if appeal_type not in APPEAL_TYPES:
        raise ValidationFailed(f"未知的诉求类型：{appeal_type!r}（可选：{'、'.join(APPEAL_TYPES)}）")
    return appeal_type


def compute_deadlines(
    policy: TimePolicy, calendar: WorkCalendar, dispatched_at: datetime, urgency: str, appeal_type: str
) -> Deadlines:
    """Deadlines from dispatch. Sign-for and return windows never end after the close deadline."""
    require_aware(dispatched_at, "派单时间")
    limits = policy.limits_for(urgency, appeal_type)
    close_by = calendar.add_working_days(dispatched_at, limits.close_working_days)
    return Deadlines(
        sign_by=min(calendar.add_hours(dispatched_at, limits.sign_hours), close_by),
        close_by=close_by,
        return_by=min(calendar.add_working_days(dispatched_at, limits.return_working_days), close_by),
        max_close_by=calendar.add_working_days(dispatched_at, policy.extension.max_total_working_days),
    )


def extension_deadline(
    policy: TimePolicy,
    calendar: WorkCalendar,
    dispatched_at: datetime,
    current_close_by: datetime,
    requested_working_days: int,
    extensions_used: int,
) -> datetime:
    """The new close deadline after extending ``current_close_by`` by ``requested_working_days``.

    Raises :class:`RuleViolation` when the ticket has used up its extensions or when the new
    deadline would pass the cap (``extension.max_total_working_days`` from dispatch).
    """
    require_aware(dispatched_at, "派单时间")
    require_aware(current_close_by, "当前办结时限")
    _require_int(requested_working_days, "延期工作日数", 1)
    _require_int(extensions_used, "已延期次数", 0)
    rule = policy.extension
    if extensions_used >= rule.max_extensions:
        if rule.max_extensions == 0:
            message = "按本县规定，工单不允许延期"
        else:
            message = (
                f"每张工单最多延期 {rule.max_extensions} 次，本工单已延期 {extensions_used} 次，不能再次延期"
            )
        raise RuleViolation(message, details={"max_extensions": rule.max_extensions, "used": extensions_used})
    cap = calendar.add_working_days(dispatched_at, rule.max_total_working_days)
    new_close_by = calendar.add_working_days(current_close_by, requested_working_days)
    if new_close_by > cap:
        room = calendar.working_days_between(current_close_by, cap)
        raise RuleViolation(
            f"延期后办结时限（{_fmt(new_close_by, calendar)}）将超出自派单起 {rule.max_total_working_days} 个工作日的上限"
            f"（{_fmt(cap, calendar)}），本次最多可延期 {room} 个工作日",
            details={"cap": cap.isoformat(), "max_requestable_working_days": room},
        )
    return new_close_by


def reminder_times(policy: TimePolicy, start: datetime, deadline: datetime) -> list[datetime]:
    """When to remind before ``deadline`` for a period that began at ``start``.

    One reminder when each configured fraction of the (natural) time has elapsed and one at each
    configured number of hours before the deadline; only instants strictly between ``start`` and
    ``deadline`` are kept, sorted, without duplicates, in ``deadline``'s time zone.
    """
    require_aware(start, "起始时间")
    require_aware(deadline, "截止时间")
    span = deadline - start
    if span <= timedelta(0):
        return []
    rule = policy.reminders
    candidates = [start + span * f for f in rule.elapsed_fractions]
    candidates += [deadline - timedelta(hours=h) for h in rule.hours_before]
    tz = deadline.tzinfo
    return sorted({c.astimezone(tz) for c in candidates if start < c < deadline})


def callback_deadline(policy: TimePolicy, calendar: WorkCalendar, closed_at: datetime) -> datetime:
    """By when the caller must be called back after the ticket was closed."""
    require_aware(closed_at, "办结时间")
    return calendar.add_working_days(closed_at, policy.callback_working_days)


def check_return_allowed(deadlines: Deadlines, at: datetime) -> None:
    """Raise :class:`RuleViolation` when a return (退单) at ``at`` is past its window."""
    require_aware(at, "退单时间")
    if at > deadlines.return_by:
        raise RuleViolation(
            f"已超过退单时限（{_fmt(deadlines.return_by)}），不能退单，请按规定办理或申请改派",
            details={"return_by": deadlines.return_by.isoformat()},
        )


def _require_int(value: Any, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationFailed(f"{name}必须是不小于 {minimum} 的整数，收到的是 {value!r}")


def _check_keys(value: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise ValueError(f"未知的{what}：{'、'.join(unknown)}（可选：{'、'.join(allowed)}）")


_PYDANTIC_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的配置项（请检查拼写）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "float_type": "必须是数字",
    "float_parsing": "必须是数字",
    "string_type": "必须是字符串",
    "dict_type": "必须是 JSON 对象",
    "model_type": "必须是 JSON 对象",
    "list_type": "必须是列表",
}


def _message(error: Any) -> str:
    ctx = error.get("ctx") or {}
    kind = error.get("type")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in _PYDANTIC_MESSAGES:
        try:
            return _PYDANTIC_MESSAGES[kind].format(**ctx)
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", ""))


def _fmt(value: datetime, calendar: WorkCalendar | None = None) -> str:
    local = value.astimezone(calendar.tz) if calendar is not None else value
    return local.strftime("%Y-%m-%d %H:%M")
