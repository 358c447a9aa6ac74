"""Time to the right suggestion: how soon the agent sees, for each caller utterance, the article
that utterance's final suggestions put first, counting provisional (interim) pushes made while the
caller was still speaking.

For each caller segment (in a :class:`api.live_client.StreamResult`): its *final suggestions* are
the first final ``suggestions`` push that arrived after the segment (one push may answer several
segments that were looked up together); their top article is the *right* one. Going back from that
push over every earlier push (interim or final) while the top article stays the same gives the
earliest push from which on the right article was on screen; the measure is that push's arrival
minus the moment the caller stopped speaking, 0 when it was already on screen then. Utterances
whose final suggestions show no article (no reliable answer) are counted apart, and so are those
whose call ended before any suggestion followed them. Replaced interims: interim pushes whose top
article differs from the final top article of the utterance they previewed (same speaker start)."""

from __future__ import annotations

from typing import Any


def time_to_right(result: Any, speed: float = 1.0) -> dict[str, Any]:
    """Per call: ``lags`` (seconds, one per caller utterance with an article), ``from_interim``
    (of those, how many were right first through an interim push), ``empty``, ``unanswered``,
    ``interims`` (interim pushes with an article), ``replaced`` (of those, a different article
    than their utterance's final one), ``unmatched`` (interims whose utterance gave no final)."""
    pushes = sorted(result.pushes, key=lambda p: p["arrived_s"])
    finals = [p for p in pushes if p["kind"] == "final"]
    lags: list[float] = []
    from_interim = empty = unanswered = 0
    final_top: dict[float, str | None] = {}  # caller segment start → its final top article
    for seg in result.segments:
        if seg.get("speaker") == "agent":
            continue
        final = next((p for p in finals if p["arrived_s"] >= seg["arrived_s"]), None)
        if final is None:
            unanswered += 1
            continue
        right = final["top"]
        final_top[round(float(seg["start"]), 2)] = right
        if right is None:
            empty += 1
            continue
        first = final
        for push in reversed(pushes[: pushes.index(final)]):
            if push["top"] != right:
                break
            first = push
        lags.append(round(max(0.0, first["arrived_s"] - float(seg["end"]) / speed), 3))
        from_interim += first["kind"] == "interim"
    interims = [p for p in pushes if p["kind"] == "interim" and p["top"] is not None]
    matched = [p for p in interims if round(float(p.get("start") or 0), 2) in final_top]
    replaced = sum(1 for p in matched if final_top[round(float(p["start"]), 2)] != p["top"])
    return {"lags": lags, "from_interim": from_interim, "empty": empty, "unanswered": unanswered,
            "interims": len(interims), "replaced": replaced, "unmatched": len(interims) - len(matched)}
