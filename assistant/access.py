"""Who may see what: the acting user, per-role visibility and masking of personal data."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The user behind a request, as the assistant layer sees it."""

    user_id: int | None
    username: str
    display_name: str
    role: str
    unit_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, username="system", display_name="系统", role="system")

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise PermissionDenied("当前账号无权进行此操作")


def mask_phone(value: str) -> str:
    digits = value.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask_id_number(value: str) -> str:
    v = value.strip()
    if len(v) < 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_name(value: str) -> str:
    v = value.strip()
    if not v:
        return v
    for title in ("先生", "女士", "师傅", "老师"):
        if v.endswith(title):
            # the title alone identifies no one; a surname with it (覃先生) can in a small village
            return "*" * (len(v) - len(title)) + title
    return v[0] + "*" * (len(v) - 1)


def can_view_ticket(actor: Actor, lead_unit_id: int | None, co_unit_ids: list[int]) -> bool:
    if actor.role == "unit_staff":
        return actor.unit_id is not None and (actor.unit_id == lead_unit_id or actor.unit_id in co_unit_ids)
    return actor.role in {"agent", "qa", "supervisor", "admin", "system"}


def personal_data_policy(actor: Actor, confidential: bool) -> dict[str, bool]:
    """Which personal fields this actor sees unmasked.

    坐席、督办员、管理员 see everything. 承办单位 sees the caller's name and numbers so it can
    reply, unless the caller asked for confidentiality (保密); never the ID number. 质检员 sees
    no personal data at all.
    """
    if actor.role in {"agent", "supervisor", "admin", "system"}:
        return {"name": True, "numbers": True, "id_number": True}
    if actor.role == "unit_staff":
        return {"name": not confidential, "numbers": not confidential, "id_number": False}
    return {"name": False, "numbers": False, "id_number": False}
