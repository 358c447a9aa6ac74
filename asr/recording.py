"""Recorded calls: decode a file, split agent/caller channels, recognise, post-process."""

from __future__ import annotations

import time

from asr.audio import DEFAULT_MAX_DURATION_S, AudioSource, DecodedAudio, decode, split_channels
from asr.engine import AsrEngine, ChannelAudio, Transcript
from asr.postprocess import TextPostprocessor


class RecordingTranscriber:
    """``run(source) -> Transcript``. Stereo: channel ``agent_channel`` (0 = left) is the agent,
    the other the caller, and segments carry the speaker; mono: speaker ``None``."""

    def __init__(
        self,
        engine: AsrEngine,
        *,
        agent_channel: int | None = 0,
        max_duration_s: float = DEFAULT_MAX_DURATION_S,
        postprocessor: TextPostprocessor | None = None,
    ) -> None:
        if agent_channel not in (0, 1, None):
            raise ValueError("agent_channel must be 0, 1 or None")
        if max_duration_s <= 0:
            raise ValueError("max_duration_s must be positive")
        self.engine = engine
        self.agent_channel = agent_channel
        self.max_duration_s = max_duration_s
        self.postprocessor = postprocessor if postprocessor is not None else TextPostprocessor()

    def warm_up(self) -> None:
        self.engine.warm_up()

    def run(self, source: AudioSource) -> Transcript:
        """Raises the errors of :func:`asr.audio.decode` for bad input."""
        return self.run_audio(decode(source, max_duration_s=self.max_duration_s))

    def run_audio(self, audio: DecodedAudio) -> Transcript:
        started = time.perf_counter()
        parts = split_channels(audio, self.agent_channel)
        channels = [ChannelAudio(samples, speaker or None) for speaker, samples in parts.items()]
        segments = self.engine.transcribe_channels(channels)
        segments = self.postprocessor.run_segments(segments)
        elapsed = time.perf_counter() - started
        return Transcript(
            segments=segments, duration=audio.duration, engine=self.engine.name,
            channels=len(audio.channels), extra={"elapsed_s": round(elapsed, 3), "codec": audio.codec},
        )
