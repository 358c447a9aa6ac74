"""语音：上传录音转写、实时通话 WebSocket。"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, File, Form, Query, UploadFile, WebSocket, WebSocketDisconnect

from api.deps import CurrentActor, HotlineDep
from asr.errors import AsrError
from assistant.auth import actor_of
from assistant.calls import CallPublic, CallUpdate
from assistant.errors import AssistantError, ValidationFailed

log = logging.getLogger(__name__)
router = APIRouter(prefix="/calls", tags=["通话"])
MAX_UPLOAD = 200 * 1024 * 1024
T = TypeVar("T")
# The audio path (frames in, words stored) has threads of its own: suggestion lookups and drafts
# run in the default pool, and while a model still warms up (the knowledge base's first build on a
# first start) they wait there; sharing the pool, they held up the frames behind them (a first
# start's demo call showed its words ~60 s late, and under load lost its WebSocket to the ping timeout).
_AUDIO_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="live-audio")


async def _audio(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_AUDIO_THREADS, fn, *args)


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
    服务端推送 JSON：segment（最终识别结果）、suggestions（答案推荐）、interim（来电人仍在说话时的暂定文字与暂定推荐，
    不存储，随后由最终结果取代）、draft（工单草稿）、error、ended。"""
    hotline = websocket.app.state.hotline
    await websocket.accept()

    send_lock = asyncio.Lock()  # the words and the lookups are sent from two tasks

    async def send(kind: str, payload: object) -> None:
        async with send_lock:
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

    async def report(exc: Exception) -> None:
        if isinstance(exc, AssistantError | AsrError):
            await send("error", {"code": getattr(exc, "code", "error"), "message": str(exc)})
        else:  # never die silently: the call would get no text until it ends
            log.exception("实时识别出错（通话 %s）", call_id, exc_info=exc)
            await asyncio.sleep(0.5)

    stored: asyncio.Queue[CallUpdate] = asyncio.Queue()
    stopping = asyncio.Event()

    async def recognise() -> None:
        """Utterances one at a time through the process's shared decode worker; the words are sent
        the moment they are stored, the lookups follow in :func:`lookups`."""
        while True:
            utt = live.take()
            if utt is None:
                if stopping.is_set():
                    return
                await asyncio.sleep(0.02)
                continue
            try:
                text = await asyncio.wrap_future(live.submit(utt))
                update = await _audio(live.store, utt, text)
                if update is not None:
                    await emit(update)
                    stored.put_nowait(update)
            except Exception as exc:  # reported, the loop goes on
                await report(exc)

    preparing: set[asyncio.Task] = set()  # speculative recognitions whose suggestions are looked up ahead
    looking_up: set[asyncio.Future] = set()  # those of them in the knowledge base right now
    draft_due = asyncio.Event()

    async def prepare(utt, guess) -> None:  # type: ignore[no-untyped-def]
        """A speculative recognition's suggestions looked up ahead, off the decode thread."""
        with contextlib.suppress(Exception, asyncio.CancelledError):  # withdrawn: only the head start is lost
            text = await asyncio.wrap_future(guess)
            if text and utt.speaker != "agent" and live.still_guessed(utt):
                lookup = asyncio.ensure_future(asyncio.to_thread(live.prepare, utt, text))
                looking_up.add(lookup)
                lookup.add_done_callback(looking_up.discard)
                await lookup

    async def provisional(utt, future) -> None:  # type: ignore[no-untyped-def]
        """An interim hypothesis of a caller still speaking: its provisional suggestions are pushed
        (``interim``) unless the final words of that utterance were stored meanwhile."""
        with contextlib.suppress(Exception, asyncio.CancelledError):  # provisional: a failure only loses it
            text = await asyncio.wrap_future(future)
            if not text or live.interim_stale(utt):
                return
            payload = await asyncio.to_thread(live.interim, utt, text)
            if payload is not None:
                async with send_lock:  # checked again under the lock: never after the final words
                    if not live.interim_stale(utt):
                        await websocket.send_text(json.dumps({"type": "interim", "data": payload},
                                                             ensure_ascii=False, default=str))

    async def lookups() -> None:
        """Suggestions for what was stored, sent as soon as known; updates that queued meanwhile
        are looked up together (the lookups read the call's recent turns, not one segment). The
        draft follows in :func:`drafts`, so a suggestion never waits for a draft."""
        while True:
            update = await stored.get()
            while not stored.empty():
                more = stored.get_nowait()
                update = update.model_copy(update={"segments": update.segments + more.segments})
            if looking_up and any(seg.speaker != "agent" for seg in update.segments):
                # the same lookup is under way ahead: let it finish and fill the cache
                await asyncio.wait(set(looking_up), timeout=0.5)
            try:
                update = await asyncio.to_thread(live.suggest, update)
                if update.suggestions is not None:
                    await send("suggestions", update.suggestions.model_dump(mode="json"))
            except Exception as exc:  # reported, the loop goes on
                await report(exc)
            latest[0] = update
            draft_due.set()

    latest: list[CallUpdate | None] = [None]

    async def drafts() -> None:
        """The ticket draft, refreshed for the newest stored words once their suggestions are out."""
        while True:
            await draft_due.wait()
            draft_due.clear()
            update, latest[0] = latest[0], None
            if update is None:
                continue
            try:
                update = await asyncio.to_thread(live.draft, update)
                if update.draft:
                    await send("draft", update.draft)
            except Exception as exc:  # reported, the loop goes on
                await report(exc)
            if pause := live.draft_pause():  # overload: the words first, later ones drafted together
                await asyncio.sleep(pause)

    worker = asyncio.create_task(recognise())
    helpers = [asyncio.create_task(lookups()), asyncio.create_task(drafts())]
    try:
        while True:
            message = await websocket.receive()
            if message.get("type") == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                try:
                    for utt, future, interim in await _audio(live.push, message["bytes"]):
                        task = asyncio.create_task(provisional(utt, future) if interim else prepare(utt, future))
                        preparing.add(task)
                        task.add_done_callback(preparing.discard)
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
        stopping.set()  # the utterance being recognised is stored before the call ends
        with contextlib.suppress(Exception):
            await worker
        for task in [*helpers, *preparing]:
            task.cancel()
        live.drop_guesses()
    for update in await _audio(lambda: live.step(final=True)):
        await emit(update)
    ended = await asyncio.to_thread(hotline.calls.end, call_id, actor)
    try:
        await send("ended", {"call_id": ended.id, "segments": len(ended.segments)})
        await websocket.close()
    except RuntimeError:
        pass  # the client has gone
