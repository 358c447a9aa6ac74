"""Ticket attachments (附件): photos of the site, scans of a reply. Files are kept under the data
directory, checked by their leading bytes (not by the name the client sends), and every upload is
an event in the ticket's audit trail."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import select

from assistant.access import Actor
from assistant.db.attachment_models import TicketAttachment
from assistant.db.models import TicketEvent
from assistant.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from assistant.tickets.service import TicketService

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_TICKET = 20
UPLOAD_ROLES = {"agent", "supervisor", "admin", "unit_staff"}
CLOSED = {"archived"}
# leading bytes → (content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


class AttachmentPublic(BaseModel):
    id: int
    ticket_id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: datetime


def sniff(data: bytes) -> tuple[str, str]:
    """The content type and extension of an upload, from its first bytes."""
    for magic, kind, ext in SIGNATURES:
        if data.startswith(magic):
            return kind, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise ValidationFailed("只能上传照片（JPEG、PNG、GIF、WebP）或 PDF 文件")


def _clean_name(name: str, ext: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip() or "附件"
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')[:100] or "附件"
    return base if base.lower().endswith(ext) else base + ext


class AttachmentService:
    def __init__(self, tickets: TicketService, root: Path) -> None:
        self.tickets = tickets
        self.db = tickets.db
        self.root = root

    def _public(self, a: TicketAttachment) -> AttachmentPublic:
        return AttachmentPublic(id=a.id, ticket_id=a.ticket_id, filename=a.filename, content_type=a.content_type,
                                size=a.size, uploaded_by=a.uploaded_by, created_at=a.created_at)

    def add(self, ticket_id: int, filename: str, data: bytes, actor: Actor) -> AttachmentPublic:
        if actor.role not in UPLOAD_ROLES:
            raise PermissionDenied("当前账号无权上传附件")
        if not data:
            raise ValidationFailed("附件为空")
        if len(data) > MAX_BYTES:
            raise ValidationFailed("附件过大（上限 10 MB）")
        kind, ext = sniff(data)
        name = _clean_name(filename, ext)
        rel = f"{ticket_id}/{uuid.uuid4().hex}{ext}"
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        try:
            with self.db.write() as s:
                ticket = self.tickets._load(s, ticket_id, actor, lock=True)
                if ticket.status in CLOSED:
                    raise InvalidTransition("工单已归档，不能再上传附件")
                count = len(s.scalars(select(TicketAttachment.id).where(TicketAttachment.ticket_id == ticket_id)).all())
                if count >= MAX_PER_TICKET:
                    raise ValidationFailed(f"每张工单最多 {MAX_PER_TICKET} 个附件")
                now = self.tickets.now()
                row = TicketAttachment(ticket_id=ticket_id, filename=name, content_type=kind, size=len(data),
                                       sha256=hashlib.sha256(data).hexdigest(), path=rel,
                                       uploaded_by_id=actor.user_id, uploaded_by=actor.display_name, created_at=now)
                s.add(row)
                s.flush()
                s.add(TicketEvent(ticket_id=ticket_id, at=now, actor_id=actor.user_id, actor_name=actor.display_name,
                                  actor_role=actor.role, action="attach", from_status=ticket.status,
                                  to_status=ticket.status, changes={"attachment": [None, name]},
                                  comment=f"上传附件：{name}"))
                return self._public(row)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def list(self, ticket_id: int, actor: Actor) -> list[AttachmentPublic]:
        with self.db.read() as s:
            self.tickets._load(s, ticket_id, actor)
            rows = s.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id)
                             .order_by(TicketAttachment.id))
            return [self._public(a) for a in rows]

    def open(self, ticket_id: int, attachment_id: int, actor: Actor) -> tuple[Path, AttachmentPublic]:
        with self.db.read() as s:
            self.tickets._load(s, ticket_id, actor)
            row = s.get(TicketAttachment, attachment_id)
            if row is None or row.ticket_id != ticket_id:
                raise NotFound(f"附件 {attachment_id} 不存在")
            path = self.root / row.path
            if not path.is_file():
                raise NotFound("附件文件已丢失，请联系管理员")
            return path, self._public(row)
