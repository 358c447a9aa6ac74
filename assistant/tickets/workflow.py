"""The ticket state machine: 受理 → 派单 → 签收 → 办理 → 答复/办结 → 回访 → 归档,
with 退单, 延期, 重办, 直接办结 and 督办.

Each action names the statuses it may start from, the status it leads to (``None``: unchanged),
the roles that may take it, and whether the actor must belong to the ticket's lead unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import InvalidTransition, PermissionDenied
from assistant.tickets.vocab import ROLE_LABELS, STATUS_LABELS


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    lead_unit_only: bool = False


def _a(name: str, label: str, sources: set[str], target: str | None, roles: set[str], lead: bool = False) -> Action:
    return Action(name, label, frozenset(sources), target, frozenset(roles), lead)


CENTER = {"agent", "supervisor", "admin"}
SUPERVISORS = {"supervisor", "admin"}
UNIT = {"unit_staff"}

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a("dispatch", "派单", {"accepted", "returned"}, "dispatched", CENTER),
        _a("sign", "签收", {"dispatched"}, "handling", UNIT, lead=True),
        _a("return", "退单", {"dispatched", "handling"}, "returned", UNIT, lead=True),
        _a("request_extension", "申请延期", {"handling"}, None, UNIT, lead=True),
        _a("approve_extension", "批准延期", {"handling"}, None, SUPERVISORS),
        _a("reject_extension", "驳回延期", {"handling"}, None, SUPERVISORS),
        _a("reply", "答复办结", {"handling"}, "closed", UNIT, lead=True),
        _a("direct_close", "直接办结", {"accepted"}, "closed", {"agent", "supervisor"}),
        _a("callback", "回访", {"closed"}, "visited", {"agent", "supervisor"}),
        # 重办: a supervisor's decision, or the agent's confirmation of an unsatisfied callback
        _a("reopen", "重办", {"closed", "visited"}, "dispatched", {"agent", "supervisor", "admin"}),
        _a("supervise", "督办", {"dispatched", "handling", "returned"}, None, SUPERVISORS),
        _a("archive", "归档", {"closed", "visited"}, "archived", CENTER),
    )
}

STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)


def get_action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        known = "、".join(f"{a.name}（{a.label}）" for a in ACTIONS.values())
        raise InvalidTransition(f"未知的工单操作：{name}。可用操作：{known}") from None


def check_transition(action: Action, status: str, role: str, *, is_lead_unit: bool) -> str:
    """Return the status after ``action``; raise if the move or the actor is not allowed."""
    if role not in action.roles:
        allowed = "、".join(ROLE_LABELS[r] for r in sorted(action.roles))
        raise PermissionDenied(f"“{action.label}”只能由{allowed}操作")
    if action.lead_unit_only and not is_lead_unit:
        raise PermissionDenied(f"只有主办单位可以“{action.label}”")
    if status not in action.sources:
        raise InvalidTransition(
            f"工单当前状态为“{STATUS_LABELS.get(status, status)}”，不能“{action.label}”",
            details={"status": status, "action": action.name},
        )
    return action.target or status


def allowed_actions(status: str, role: str, *, is_lead_unit: bool) -> list[str]:
    """The actions this actor could take now (for the console's buttons)."""
    out = []
    for action in ACTIONS.values():
        if status in action.sources and role in action.roles and (is_lead_unit or not action.lead_unit_only):
            out.append(action.name)
    return out
