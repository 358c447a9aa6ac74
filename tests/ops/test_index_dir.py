"""Workers of one host share DATA_DIR/indexes/kb: one at a time reads or writes it, and a torn
index (a crash mid-save) is rebuilt from the database instead of leaving the knowledge base down."""

from __future__ import annotations

import threading

from assistant.config import Settings
from assistant.kb.index import index_dir_lock
from assistant.runtime import Hotline


def _hotline(settings: Settings, clock) -> Hotline:  # type: ignore[no-untyped-def]
    return Hotline(settings.model_copy(update={"kb_dense": False}), now=clock)  # BM25: fast enough here


def test_a_torn_index_is_rebuilt(settings, clock) -> None:  # type: ignore[no-untyped-def]
    first = _hotline(settings, clock)
    first.init(demo=True)
    first.kb_index.warm_up()
    entries = first.kb_index.directory / "entries.jsonl"
    first.stop()
    entries.write_text(entries.read_text(encoding="utf-8")[:500], encoding="utf-8")  # half-written

    second = _hotline(settings, clock)
    info = second.kb_index.warm_up()
    assert info["action"] == "built" and second.kb_index.ready
    assert second.kb_index.answer("社保卡丢了怎么补办", k=1).suggestions
    second.stop()


def test_a_worker_waits_while_another_writes_the_index(settings, clock) -> None:  # type: ignore[no-untyped-def]
    hl = _hotline(settings, clock)
    hl.init(demo=True)
    done = threading.Event()

    def load() -> None:
        hl.kb_index.warm_up()
        done.set()

    with index_dir_lock(hl.kb_index.directory):  # another worker is saving
        t = threading.Thread(target=load)
        t.start()
        assert not done.wait(1.5)
    assert done.wait(120) and hl.kb_index.ready
    t.join()
    hl.stop()
