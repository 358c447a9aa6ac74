"""bench-live's second measure, time to the right suggestion, on hand-made pushes."""

from api.live_client import StreamResult, top_article
from eval.live_measures import time_to_right


def _seg(speaker, start, end, arrived):
    return {"speaker": speaker, "start": start, "end": end, "text": "x", "arrived_s": arrived}


def _push(kind, at, top, start=None):
    return {"arrived_s": at, "kind": kind, "top": top, **({"start": start} if kind == "interim" else {})}


def test_right_suggestion_time_counts_interims_and_what_was_on_screen():
    r = StreamResult(call_id=1, audio_s=30)
    r.segments = [_seg("caller", 1.0, 4.0, 5.0), _seg("agent", 5.0, 6.0, 6.8), _seg("caller", 7.0, 10.0, 11.0),
                  _seg("caller", 12.0, 14.0, 15.1), _seg("caller", 20.0, 22.0, 23.0)]
    r.pushes = [_push("interim", 2.5, "A", 1.0), _push("interim", 3.6, "B", 1.0), _push("final", 5.1, "B"),
                _push("interim", 9.0, "B", 7.0), _push("final", 11.2, "B"),   # B on screen since 3.6
                _push("interim", 13.5, "C", 12.0), _push("final", 15.3, "D"),  # interim replaced
                _push("final", 23.2, None)]  # no answer: counted apart
    m = time_to_right(r)
    assert m["lags"] == [0.0, 0.0, 1.3]  # B from 3.6 (< 4.0); B already on screen at 10.0; D at 15.3 - 14.0
    assert m["from_interim"] == 2 and m["empty"] == 1  # both B runs began with the interim at 3.6 and m["unanswered"] == 0
    assert m["interims"] == 4 and m["replaced"] == 2 and m["unmatched"] == 0  # A (→ B) and C (→ D)


def test_top_article_is_none_when_nothing_is_shown():
    assert top_article(None) is None and top_article({"mode": "none", "suggestions": [{"code": "K1"}]}) is None
    assert top_article({"mode": "candidates", "suggestions": [{"code": "K1"}, {"code": "K2"}]}) == "K1"
