"""工单附件（现场照片、答复扫描件）与通话录音（质检回放）。"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import FileResponse

from api.deps import CurrentActor, HotlineDep
from assistant.errors import ValidationFailed
from assistant.tickets.attachments import MAX_BYTES, AttachmentPublic

router = APIRouter(tags=["附件与录音"])


@router.post("/tickets/{ticket_id}/attachments", response_model=AttachmentPublic, status_code=201,
             summary="上传工单附件", description="照片（JPEG、PNG、GIF、WebP）或 PDF，单个不超过 10 MB；上传记入工单操作记录。")
async def upload(ticket_id: int, hotline: HotlineDep, actor: CurrentActor,
                 file: Annotated[UploadFile, File(description="附件文件")]) -> AttachmentPublic:
    data = await file.read(MAX_BYTES + 1)
    return hotline.attachments.add(ticket_id, file.filename or "", data, actor)


@router.get("/tickets/{ticket_id}/attachments", response_model=list[AttachmentPublic], summary="工单附件列表")
def list_attachments(ticket_id: int, hotline: HotlineDep, actor: CurrentActor) -> list[AttachmentPublic]:
    return hotline.attachments.list(ticket_id, actor)


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", response_class=FileResponse, summary="下载附件")
def download(ticket_id: int, attachment_id: int, hotline: HotlineDep, actor: CurrentActor) -> FileResponse:
    path, meta = hotline.attachments.open(ticket_id, attachment_id, actor)
    return FileResponse(path, media_type=meta.content_type, filename=meta.filename,
                        headers={"X-Content-Type-Options": "nosniff"})


@router.put("/calls/{call_id}/recording", status_code=204, summary="上传通话录音（供质检回放）",
            description="话务系统的录音文件（WAV、MP3、OGG、FLAC）；每通电话一次，不可覆盖。")
async def put_recording(call_id: int, hotline: HotlineDep, actor: CurrentActor,
                        file: Annotated[UploadFile, File(description="录音文件")]) -> None:
    data = await file.read(200 * 1024 * 1024 + 1)
    if not data:
        raise ValidationFailed("录音文件为空")
    hotline.call_audio.save(call_id, data, actor)


@router.get("/calls/{call_id}/recording", response_class=FileResponse, summary="收听通话录音")
def get_recording(call_id: int, hotline: HotlineDep, actor: CurrentActor) -> FileResponse:
    path, media = hotline.call_audio.open(call_id, actor)
    return FileResponse(path, media_type=media)
