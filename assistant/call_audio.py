"""A call's recording kept for quality review: the recorder (or the recording upload) hands the
audio over once, it is stored under the data directory and played back beside the transcript."""

from __future__ import annotations

from pathlib import Path

from assistant.access import Actor
from assistant.db.call_models import Call
from assistant.db.engine import Database
from assistant.errors import NotFound, PermissionDenied, ValidationFailed

MAX_BYTES = 200 * 1024 * 1024
WRITE_ROLES = {"agent", "supervisor", "admin", "qa", "system"}
READ_ROLES = {"agent", "supervisor", "admin", "qa"}
FORMATS: tuple[tuple[bytes, int, str, str], ...] = (
    (b"RIFF", 0, "audio/wav", ".wav"),
    (b"ID3", 0, "audio/mpeg", ".mp3"),
    (b"\xff\xfb", 0, "audio/mpeg", ".mp3"),
    (b"\xff\xf3", 0, "audio/mpeg", ".mp3"),
    (b"OggS", 0, "audio/ogg", ".ogg"),
    (b"fLaC", 0, "audio/flac", ".flac"),
)
MEDIA = {ext: kind for _, _, kind, ext in FORMATS}


def audio_format(data: bytes) -> tuple[str, str]:
    for magic, at, kind, ext in FORMATS:
        if data[at:at + len(magic)] == magic:
            return kind, ext
    raise ValidationFailed("只支持 WAV、MP3、OGG 或 FLAC 格式的录音")


class CallAudio:
    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root

    def save(self, call_id: int, data: bytes, actor: Actor) -> str:
        if actor.role not in WRITE_ROLES:
            raise PermissionDenied("当前账号无权上传录音")
        if not data:
            raise ValidationFailed("录音文件为空")
        if len(data) > MAX_BYTES:
            raise ValidationFailed("录音文件过大（上限 200 MB）")
        _, ext = audio_format(data)
        name = f"call-{call_id}{ext}"
        with self.db.write() as s:
            call = s.get(Call, call_id)
            if call is None:
                raise NotFound(f"通话 {call_id} 不存在")
            if call.recording_path:
                raise ValidationFailed("这通电话已有录音，不能覆盖")
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / name).write_bytes(data)
            call.recording_path = name
        return name

    def open(self, call_id: int, actor: Actor) -> tuple[Path, str]:
        if actor.role not in READ_ROLES:
            raise PermissionDenied("当前账号无权收听录音")
        with self.db.read() as s:
            call = s.get(Call, call_id)
            if call is None:
                raise NotFound(f"通话 {call_id} 不存在")
            if not call.recording_path:
                raise NotFound("这通电话没有保存录音")
            path = self.root / Path(call.recording_path).name
        if not path.is_file():
            raise NotFound("录音文件已丢失，请联系管理员")
        return path, MEDIA.get(path.suffix, "application/octet-stream")
