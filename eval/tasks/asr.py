"""asr: character error rate, real-time factor and memory of speech recognition on recordings.

python -m eval asr --audio-dir D --transcripts T [--engine whisper|whisper-plain|funasr] [--phone]
    [--hyp-out FILE] [--limit N] [--json]

``T`` is a TSV with a header and at least the columns ``file`` and ``text`` (``domain`` optional);
``file`` is relative to ``D``. CER is computed after removing punctuation and spaces, mapping
traditional to simplified characters, digits to Chinese digits and 幺 to 一. ``--phone`` passes
every file through a simulated 8 kHz G.711 line first (not timed). ``whisper-plain`` is the
reference point: faster-whisper's own transcribe, Whisper base, beam 5, no VAD.
"""

from __future__ import annotations

import csv
import os
import time
import unicodedata
from pathlib import Path

from asr.audio import decode, split_channels
from asr.engine import ChannelAudio, Segment, create_engine, register_engine, sort_segments
from asr.errors import AsrError
from asr.phone import simulate_phone_channel
from asr.postprocess import TextPostprocessor
from eval.common import DEV_DIR, PROJECT_ROOT, peak_rss_mb

_DIGITS = str.maketrans("0123456789０１２３４５６７８９幺", "零一二三四五六七八九零一二三四五六七八九一")
_converter = None


def add_arguments(parser) -> None:
    parser.add_argument("--audio-dir", type=Path, help="folder the transcript's file paths are relative to")
    parser.add_argument("--transcripts", type=Path, help="TSV: file, text[, domain]")
    parser.add_argument("--engine", default="whisper", help="whisper (default), whisper-plain, funasr")
    parser.add_argument("--model-dir", type=Path, help="model folder (funasr; optional for whisper)")
    parser.add_argument("--data-dir", type=Path, help="data dir where the Whisper weights are assembled")
    parser.add_argument("--vad-dir", type=Path, help="funasr: FSMN-VAD model folder (else silero)")
    parser.add_argument("--punc-dir", type=Path, help="funasr: punctuation model folder")
    parser.add_argument("--phone", action="store_true", help="simulate an 8 kHz G.711 phone line first")
    parser.add_argument("--phone-law", default="alaw", choices=["alaw", "mulaw"])
    parser.add_argument("--hyp-out", type=Path, help="write file<TAB>hypothesis lines here")
    parser.add_argument("--limit", type=int, help="only the first N files")
    parser.add_argument("--beam-size", type=int, help="whisper beam size (engine default if unset)")
    parser.add_argument("--batch-size", type=int, help="whisper utterances per batch")
    parser.add_argument("--min-window", type=float, help="whisper shortest encoder window, seconds")
    parser.add_argument("--pad", choices=["silence", "zero"],
                        help="whisper: pad the encoder window with silent audio or with zero features")
    parser.add_argument("--cpu-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, help="whisper: CTranslate2 replicas sharing the CPU threads "
                                                    "(utterances decoded side by side); engine default if unset")
    parser.add_argument("--numbers", default="spoken", choices=["spoken", "display", "none"],
                        help="number normalisation after recognition")
    parser.add_argument("--gazetteer", type=Path, help="word list (one a line) for name correction")
    parser.add_argument("--live", action="store_true",
                        help="stream each file (each channel) through the live recogniser with the service's "
                             "live decoding settings (VAD end-pointing, 100 ms frames)")
    parser.add_argument("--overloaded", action="store_true",
                        help="--live: decode every utterance with the service's overload-mode settings "
                             "(what an utterance decoded under a backlog costs in accuracy)")
    parser.add_argument("--end-silence-ms", type=int, default=None, help="--live: silence that ends an utterance")
    parser.add_argument("--speculate-ms", type=int, default=None,
                        help="--live: silence after which the utterance is recognised speculatively "
                             "(default: the service's live setting; 0 = off)")
    parser.add_argument("--quiet", action="store_true", help="no per-file lines")


def normalize_for_cer(text: str) -> str:
    """Remove punctuation, symbols and spaces; traditional → simplified; digits → 零…九; 幺 → 一."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    text = unicodedata.normalize("NFKC", _converter.convert(text)).translate(_DIGITS).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PSZC")


def edit_distance(ref: str, hyp: str) -> int:
    if not ref:
        return len(hyp)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


class PlainWhisper:
    """Reference configuration: faster-whisper transcribe(), beam 5, language zh, t2s, no VAD."""

    name = "whisper-plain"

    def __init__(self, data_dir=None, model_dir=None, cpu_threads: int = 2, beam_size: int = 5, **_ignored):
        from asr.whisper_engine import WhisperEngine

        self._inner = WhisperEngine(data_dir, model_dir, cpu_threads=cpu_threads, workers=1)  # as measured before
        self.beam_size = beam_size

    def warm_up(self) -> None:
        self._inner.warm_up()

    def transcribe_channels(self, channels) -> list[Segment]:
        self.warm_up()
        out = []
        for ch in channels:
            segs, _info = self._inner._model.transcribe(ch.samples, language="zh", beam_size=self.beam_size)
            out += [Segment(ch.offset + s.start, ch.offset + max(s.end, s.start),
                            self._inner._postprocess(s.text), ch.speaker) for s in segs]
        return sort_segments(out)

    def transcribe(self, samples, speaker=None, offset=0.0):
        return self.transcribe_channels([ChannelAudio(samples, speaker, offset)])


register_engine("whisper-plain", PlainWhisper)


def _default_data_dir() -> Path:
    return Path(os.environ.get("HOTLINE_DATA_DIR") or PROJECT_ROOT / "data")


def _build_engine(args):
    from asr.engine import available_engines

    if args.engine not in available_engines():
        raise SystemExit(f"未知的语音识别引擎：{args.engine}（可选：{'、'.join(available_engines())}）")
    options = {"cpu_threads": args.cpu_threads}
    if args.engine.startswith("whisper"):
        if args.live and args.engine == "whisper":  # the service's live decoding settings
            from assistant.speech import LIVE_OVERLOAD_WHISPER_OPTIONS, LIVE_WHISPER_OPTIONS

            options.update(LIVE_WHISPER_OPTIONS)
            if args.overloaded:
                options.update(LIVE_OVERLOAD_WHISPER_OPTIONS)
        options["data_dir"] = args.data_dir or _default_data_dir()
        if args.model_dir:
            options["model_dir"] = args.model_dir
        for key in ("beam_size", "batch_size", "workers"):
            if getattr(args, key) is not None:
                options[key] = getattr(args, key)
        if args.min_window is not None:
            options["min_window_s"] = args.min_window
        if args.pad is not None:
            options["pad_silence"] = args.pad == "silence"
    else:
        if args.model_dir is None:
            raise SystemExit(f"引擎 {args.engine} 需要 --model-dir 指定本地模型目录")
        options["model_dir"] = args.model_dir
        options.update(vad_dir=args.vad_dir, punc_dir=args.punc_dir)
    return create_engine(args.engine, **options)


def _stream(engine, channels: list, args, counts: dict) -> list[Segment]:
    """Each channel played through the live recogniser in 100 ms frames, as a live call is. With
    speculation, each utterance offered early is recognised at once (as an idle decode worker
    would), its text kept for the final of the same key and thrown away when withdrawn; ``counts``
    gathers how many were offered, used and wasted, and the CPU seconds wasted."""
    import numpy as np

    from asr.streaming import StreamingRecognizer, StreamSettings
    from assistant.speech import LIVE_STREAM_OPTIONS

    options = dict(LIVE_STREAM_OPTIONS)
    if args.end_silence_ms is not None:
        options["end_silence_ms"] = args.end_silence_ms
    if args.speculate_ms is not None:
        options["speculate_ms"] = args.speculate_ms or None
    settings = StreamSettings(**options)
    out: list[Segment] = []
    for samples in channels:
        rec = StreamingRecognizer(engine, settings, speakers=(None,))
        guesses: dict[tuple, tuple[str, float]] = {}
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        for i in range(0, len(pcm) + 3200, 3200):
            if i < len(pcm):
                rec.push(None, pcm[i : i + 3200])
            else:  # end of the stream: the open utterance is finished (as when a call ends)
                rec.flush()
            for utt in rec.take_speculative():
                cpu0 = time.process_time()
                guesses[utt.key] = (engine.recognize_utterance(utt.samples), time.process_time() - cpu0)
                counts["speculated"] += 1
            for key in rec.take_withdrawn():
                if key in guesses:
                    counts["wasted"] += 1
                    counts["wasted_cpu_s"] += guesses.pop(key)[1]
            while (utt := rec.take()) is not None:
                guess = guesses.pop(utt.key, None)
                counts["finals"] += 1
                if guess is not None:
                    counts["confirmed"] += 1
                text = guess[0] if guess is not None else engine.recognize_utterance(utt.samples)
                seg = rec.segment(utt, text)
                if seg is not None:
                    out.append(seg)
        counts["wasted"] += len(guesses)
        counts["wasted_cpu_s"] += sum(cpu for _t, cpu in guesses.values())
    return sort_segments(out)


def _read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if not rows or "file" not in rows[0] or "text" not in rows[0]:
        raise SystemExit(f"转写文件 {path} 需要表头，且至少含 file 和 text 两列")
    return rows


def _by_group(by_domain: dict[str, list[int]]) -> dict[str, float]:
    """Domains pooled by the part before the first comma (the 8 Sichuanese clips are one group)."""
    pooled: dict[str, list[int]] = {}
    for name, (err, ref, _raw, _n) in by_domain.items():
        acc = pooled.setdefault(name.split(",")[0].strip(), [0, 0])
        acc[0] += err
        acc[1] += ref
    return {k: round(e / max(r, 1), 4) for k, (e, r) in sorted(pooled.items())}


def run(args) -> dict:
    audio_dir, transcripts = args.audio_dir, args.transcripts
    if audio_dir is None and transcripts is None:
        dev = DEV_DIR / "asr"
        if not (dev / "transcripts.tsv").is_file():
            raise SystemExit("项目尚无自录的语音开发集（eval/dev/asr/transcripts.tsv）："
                             "请用 --audio-dir 和 --transcripts 指定评测数据")
        audio_dir, transcripts = dev, dev / "transcripts.tsv"
    if transcripts is None:
        raise SystemExit("请用 --transcripts 指定转写文件")
    audio_dir = audio_dir or transcripts.parent
    rows = _read_rows(transcripts)[: args.limit]
    engine = _build_engine(args)
    try:
        engine.warm_up()
    except AsrError as exc:
        raise SystemExit(f"{exc}（{exc.code}）") from exc
    words = []
    if args.gazetteer:
        words = [w.strip() for w in args.gazetteer.read_text(encoding="utf-8").splitlines() if w.strip()]
    post = TextPostprocessor(numbers=args.numbers, gazetteer_words=words)
    totals = {"err": 0, "ref": 0, "err_raw": 0}
    by_domain: dict[str, list[int]] = {}
    audio_s = wall_s = cpu_s = 0.0
    counts = {"speculated": 0, "confirmed": 0, "wasted": 0, "wasted_cpu_s": 0.0, "finals": 0}
    failures, hyp_lines = [], []
    for row in rows:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            audio = decode(audio_dir / row["file"])
        except AsrError as exc:
            failures.append(f"{row['file']}: {exc}")
            continue
        parts = split_channels(audio, 0 if args.live else None)  # live: each channel its own stream
        if args.phone:
            sim0 = time.perf_counter(), time.process_time()
            parts = {k: simulate_phone_channel(v, args.phone_law) for k, v in parts.items()}
            wall0 += time.perf_counter() - sim0[0]
            cpu0 += time.process_time() - sim0[1]
        if args.live:
            segments = _stream(engine, list(parts.values()), args, counts)
        else:
            segments = engine.transcribe_channels([ChannelAudio(v) for v in parts.values()])
        raw = "".join(s.text for s in segments)
        hyp = "".join(post.run(s.text) for s in segments)
        wall_s += time.perf_counter() - wall0
        cpu_s += time.process_time() - cpu0
        audio_s += audio.duration
        ref_n = normalize_for_cer(row["text"])
        err = edit_distance(ref_n, normalize_for_cer(hyp))
        err_raw = edit_distance(ref_n, normalize_for_cer(raw))
        totals["err"] += err
        totals["err_raw"] += err_raw
        totals["ref"] += len(ref_n)
        d = by_domain.setdefault(row.get("domain") or "all", [0, 0, 0, 0])
        d[0] += err
        d[1] += len(ref_n)
        d[2] += err_raw
        d[3] += 1
        hyp_lines.append(f"{row['file']}\t{hyp}")
        if not args.quiet:
            print(f"{row['file']}\t{err}/{len(ref_n)}\t{row['text']}\t{hyp}", flush=True)
    if args.hyp_out:
        args.hyp_out.write_text("\n".join(hyp_lines) + "\n", encoding="utf-8")
    ref = max(totals["ref"], 1)
    figures = {
        "cer": round(totals["err"] / ref, 4),
        "cer_raw": round(totals["err_raw"] / ref, 4),
        "cer_by_domain": {k: round(v[0] / max(v[1], 1), 4) for k, v in sorted(by_domain.items())},
        "cer_raw_by_domain": {k: round(v[2] / max(v[1], 1), 4) for k, v in sorted(by_domain.items())},
        "files_by_domain": {k: v[3] for k, v in sorted(by_domain.items())},
        "cer_by_group": _by_group(by_domain),
        "rtf": round(wall_s / audio_s, 4) if audio_s else None,
        "cpu_rtf": round(cpu_s / audio_s, 4) if audio_s else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "files": len(hyp_lines),
        "failed": failures,
        "audio_s": round(audio_s, 1),
        "engine": engine.name,
        "phone": args.phone_law if args.phone else None,
        "numbers": args.numbers,
        "gazetteer_words": len(words),
        "cpu_threads": args.cpu_threads,
        "live": args.live,
        "overloaded": bool(args.live and args.overloaded),
        "speculation": ({**counts, "wasted_cpu_s": round(counts["wasted_cpu_s"], 1),
                         "wasted_cpu_s_per_audio_s": round(counts["wasted_cpu_s"] / audio_s, 4) if audio_s else None}
                        if args.live else None),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    print(f"CER {figures['cer']:.4f} (未后处理 {figures['cer_raw']:.4f})  RTF {figures['rtf']}  "
          f"CPU-RTF {figures['cpu_rtf']}  峰值内存 {figures['peak_rss_mb']} MB  文件 {figures['files']}")
    if args.live:
        print(f"  推测识别：提前识别 {counts['speculated']} 次，被采用 {counts['confirmed']} 次（共 {counts['finals']} 句），"
              f"作废 {counts['wasted']} 次，作废耗 CPU {counts['wasted_cpu_s']:.1f} 秒")
    for k, v in figures["cer_by_domain"].items():
        print(f"  {v:.4f}  ({figures['files_by_domain'][k]} 个)  {k}")
    for k, v in figures["cer_by_group"].items():
        print(f"  {v:.4f}  {k}")
    return figures
