"""语音：上传录音转写、实时通话 WebSocket。"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, WebSocket, WebSocketDisconnect

from api.deps import CurrentActor, HotlineDep
from asr.errors import AsrError
from assistant.auth import actor_of
from assistant.calls import CallPublic, CallUpdate
from assistant.errors import AssistantError, ValidationFailed

log = logging.getLogger(__name__)
router = APIRouter(prefix="/calls", tags=["通话"])
MAX_UPLOAD = 200 * 1024 * 1024


@router.post("/recordings", response_model=CallPublic, status_code=201, summary="上传通话录音转写",
             description="WAV（PCM 8/16 kHz、G.711 A 律/μ 律）、MP3 等格式。立体声按配置区分坐席与来电人声道，"
             "单声道不分角色。转写结果存为一通通话，并自动质检。")
async def upload_recording(hotline: HotlineDep, actor: CurrentActor,
                           file: Annotated[UploadFile, File(description="录音文件")],
                           caller_number: Annotated[str, Form(max_length=32)] = "") -> CallPublic:
    actor.require("agent", "supervisor", "admin", "qa")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed("录音文件过大（上限 200 MB）")
    call = await asyncio.to_thread(hotline.speech.transcribe_recording, data, actor, caller_number=caller_number)
    with contextlib.suppress(ValidationFailed):  # keep the audio for QA playback (a raw format stays unplayed)
        await asyncio.to_thread(hotline.call_audio.save, call.id, data, actor)
    return call


@router.websocket("/{call_id}/stream")
async def stream(websocket: WebSocket, call_id: int, token: Annotated[str, Query(max_length=128)] = "",
                 sample_rate: Annotated[int, Query()] = 16000) -> None:
    """实时通话：二进制帧 = 1 字节声道标记（0 坐席、1 来电人）+ 16 位小端 PCM；文本帧 {"type": "end"} 结束。
    服务端推送 JSON：segment（最终识别结果）、suggestions（答案推荐）、draft（工单草稿）、error、ended。"""
    hotline = websocket.app.state.hotline
    await websocket.accept()

    async def send(kind: str, payload: object) -> None:
        await websocket.send_text(json.dumps({"type": kind, "data": payload}, ensure_ascii=False, default=str))

    try:
        actor = actor_of(await asyncio.to_thread(hotline.auth.authenticate, token))
        actor.require("agent", "supervisor", "admin")
        await asyncio.to_thread(hotline.calls.get, call_id, actor)
        live = await asyncio.to_thread(hotline.speech.live, call_id, actor, sample_rate=sample_rate)
    except (AssistantError, AsrError) as exc:
        await send("error", {"code": getattr(exc, "code", "error"), "message": str(exc)})
        await websocket.close(code=4400)
        return

    async def emit(update: CallUpdate) -> None:
        for seg in update.segments:
            await send("segment", seg.model_dump())
        if update.suggestions is not None:
            await send("suggestions", update.suggestions.model_dump(mode="json"))
        if update.draft:
            await send("draft", update.draft)

    async def recognise() -> None:
        while True:
            try:
                pending = live.pending()
                update = await asyncio.to_thread(live.recognise) if pending else None
                if update is not None:
                    await emit(update)  # the words first ...
                    update = await asyncio.to_thread(live.enrich, update)
                    await emit(update.model_copy(update={"segments": []}))  # ... then answers and draft
            except (AssistantError, AsrError) as exc:
                await send("error", {"code": getattr(exc, "code", "error"), "message": str(exc)})
            except Exception:  # never die silently: the call would get no text until it ends
                log.exception("实时识别出错（通话 %s）", call_id)
                await asyncio.sleep(0.5)
                continue
            if not pending:
                await asyncio.sleep(0.05)

    worker = asyncio.create_task(recognise())
    try:
        while True:
            message = await websocket.receive()
            if message.get("type") == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                try:
                    await asyncio.to_thread(live.push, message["bytes"])
                except (AssistantError, AsrError) as exc:
                    await send("error", {"code": getattr(exc, "code", "error"), "message": str(exc)})
            elif message.get("text") is not None:
                try:
                    command = json.loads(message["text"])
                except json.JSONDecodeError:
                    command = {}
                if command.get("type") == "end":
                    break
    except WebSocketDisconnect:
        pass
    finally:
        worker.cancel()
    for update in await asyncio.to_thread(live.step, final=True):
        await emit(update)
    ended = await asyncio.to_thread(hotline.calls.end, call_id, actor)
    try:
        await send("ended", {"call_id": ended.id, "segments": len(ended.segments)})
        await websocket.close()
    except RuntimeError:
        pass  # the client has gone
