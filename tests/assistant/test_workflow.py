"""The state machine, move by move: every action from every status for every role."""

from __future__ import annotations

import itertools

import pytest

from assistant.errors import InvalidTransition, PermissionDenied
from assistant.tickets.vocab import ROLE_LABELS, STATUS_LABELS
from assistant.tickets.workflow import ACTIONS, allowed_actions, check_transition, get_action

# The legal moves, written out by hand from the counties' process (not derived from the table).
LEGAL = {
    ("dispatch", "accepted"): "dispatched",
    ("dispatch", "returned"): "dispatched",
    ("sign", "dispatched"): "handling",
    ("return", "dispatched"): "returned",
    ("return", "handling"): "returned",
    ("request_extension", "handling"): "handling",
    ("approve_extension", "handling"): "handling",
    ("reject_extension", "handling"): "handling",
    ("reply", "handling"): "closed",
    ("direct_close", "accepted"): "closed",
    ("callback", "closed"): "visited",
    ("reopen", "closed"): "dispatched",
    ("reopen", "visited"): "dispatched",
    ("supervise", "dispatched"): "dispatched",
    ("supervise", "handling"): "handling",
    ("supervise", "returned"): "returned",
    ("archive", "closed"): "archived",
    ("archive", "visited"): "archived",
}
WHO = {
    "dispatch": {"agent", "supervisor", "admin"},
    "sign": {"unit_staff"},
    "return": {"unit_staff"},
    "request_extension": {"unit_staff"},
    "approve_extension": {"supervisor", "admin"},
    "reject_extension": {"supervisor", "admin"},
    "reply": {"unit_staff"},
    "direct_close": {"agent", "supervisor"},
    "callback": {"agent", "supervisor"},
    "reopen": {"agent", "supervisor", "admin"},
    "supervise": {"supervisor", "admin"},
    "archive": {"agent", "supervisor", "admin"},
}
UNIT_ACTIONS = {"sign", "return", "request_extension", "reply"}


def test_table_covers_every_action() -> None:
    assert set(ACTIONS) == set(WHO)


@pytest.mark.parametrize(("action", "status"), list(itertools.product(sorted(WHO), sorted(STATUS_LABELS))))
def test_every_move(action: str, status: str) -> None:
    a = get_action(action)
    for role in ROLE_LABELS:
        legal = (action, status) in LEGAL and role in WHO[action]
        if legal:
            assert check_transition(a, status, role, is_lead_unit=True) == LEGAL[(action, status)]
        else:
            with pytest.raises((InvalidTransition, PermissionDenied)) as info:
                check_transition(a, status, role, is_lead_unit=True)
            assert info.value.message  # a Chinese explanation
            assert not info.value.message.isascii()


@pytest.mark.parametrize("action", sorted(UNIT_ACTIONS))
def test_only_the_lead_unit_acts(action: str) -> None:
    status = next(s for (a, s) in LEGAL if a == action)
    with pytest.raises(PermissionDenied, match="主办单位"):
        check_transition(get_action(action), status, "unit_staff", is_lead_unit=False)


def test_unknown_action_is_refused_in_chinese() -> None:
    with pytest.raises(InvalidTransition, match="未知的工单操作"):
        get_action("teleport")


def test_allowed_actions_for_buttons() -> None:
    assert set(allowed_actions("dispatched", "unit_staff", is_lead_unit=True)) == {"sign", "return"}
    assert allowed_actions("dispatched", "unit_staff", is_lead_unit=False) == []
    assert set(allowed_actions("accepted", "agent", is_lead_unit=False)) == {"dispatch", "direct_close"}
    assert allowed_actions("archived", "admin", is_lead_unit=False) == []
