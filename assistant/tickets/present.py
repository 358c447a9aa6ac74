"""ORM ticket → public schema, with personal data masked for roles that must not see it."""

from __future__ import annotations

from typing import Any

from assistant.access import Actor, mask_id_number, mask_name, mask_phone, personal_data_policy
from assistant.db.models import Ticket, TicketEvent, Unit
from assistant.tickets.schemas import TicketEventPublic, TicketPublic, UnitRef
from assistant.tickets.vocab import STATUS_LABELS
from assistant.tickets.workflow import allowed_actions

AUDITED_FIELDS = (
    "caller_name", "caller_number", "contact_number", "id_number", "confidential", "callback_ok",
    "appeal_type", "category", "title", "content", "township", "village", "address_detail",
    "event_time", "urgency", "status", "lead_unit_id", "handling_level", "direct_answer", "supervised",
    "dispatched_at", "sign_by", "signed_at", "close_by", "return_by", "max_close_by", "closed_at",
    "extension_count", "extension_status", "extension_days", "extension_reason", "reply",
    "return_count", "reopen_count", "resolution", "satisfaction", "callback_at",
)
PERSONAL = {"caller_name", "caller_number", "contact_number", "id_number"}


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return {f: _plain(getattr(ticket, f)) for f in AUDITED_FIELDS} | {
        "co_units": sorted(c.unit_id for c in ticket.co_units)
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def _unit_ref(unit: Unit | None) -> UnitRef | None:
    return UnitRef(code=unit.code, name=unit.name, level=unit.level) if unit else None


def is_lead(actor: Actor, ticket: Ticket) -> bool:
    return actor.unit_id is not None and actor.unit_id == ticket.lead_unit_id


def to_public(ticket: Ticket, actor: Actor) -> TicketPublic:
    see = personal_data_policy(actor, ticket.confidential)
    name = ticket.caller_name if see["name"] else mask_name(ticket.caller_name)
    numbers = (
        (ticket.caller_number, ticket.contact_number)
        if see["numbers"]
        else (mask_phone(ticket.caller_number), mask_phone(ticket.contact_number))
    )
    id_number = ticket.id_number if see["id_number"] else mask_id_number(ticket.id_number)
    return TicketPublic(
        id=ticket.id,
        number=ticket.number,
        channel=ticket.channel,
        caller_name=name,
        caller_number=numbers[0],
        contact_number=numbers[1],
        id_number=id_number,
        confidential=ticket.confidential,
        callback_ok=ticket.callback_ok,
        appeal_type=ticket.appeal_type,
        category=list(ticket.category or []),
        title=ticket.title,
        content=ticket.content,
        township=ticket.township,
        village=ticket.village,
        address_detail=ticket.address_detail,
        event_time=ticket.event_time,
        urgency=ticket.urgency,
        status=ticket.status,
        status_label=STATUS_LABELS.get(ticket.status, ticket.status),
        lead_unit=_unit_ref(ticket.lead_unit),
        co_units=[r for r in (_unit_ref(c.unit) for c in ticket.co_units) if r],
        handling_level=ticket.handling_level,
        direct_answer=ticket.direct_answer,
        supervised=ticket.supervised,
        dispatched_at=ticket.dispatched_at,
        sign_by=ticket.sign_by,
        signed_at=ticket.signed_at,
        close_by=ticket.close_by,
        return_by=ticket.return_by,
        max_close_by=ticket.max_close_by,
        closed_at=ticket.closed_at,
        extension_count=ticket.extension_count,
        extension_status=ticket.extension_status,
        extension_days=ticket.extension_days,
        extension_reason=ticket.extension_reason,
        reply=ticket.reply,
        return_count=ticket.return_count,
        reopen_count=ticket.reopen_count,
        resolution=ticket.resolution,
        satisfaction=ticket.satisfaction,
        callback_at=ticket.callback_at,
        call_id=ticket.call_id,
        recording_uri=ticket.recording_uri,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        version=ticket.version,
        allowed_actions=allowed_actions(ticket.status, actor.role, is_lead_unit=is_lead(actor, ticket)),
    )


def event_public(event: TicketEvent, actor: Actor, confidential: bool) -> TicketEventPublic:
    changes = dict(event.changes or {})
    see = personal_data_policy(actor, confidential)
    if not all(see.values()):
        for key in PERSONAL & changes.keys():
            changes[key] = ["***", "***"]
    return TicketEventPublic(
        id=event.id,
        at=event.at,
        actor_name=event.actor_name,
        actor_role=event.actor_role,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        changes=changes,
        comment=event.comment,
    )
