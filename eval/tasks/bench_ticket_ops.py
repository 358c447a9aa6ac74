"""In-process cost of the ticket center's operations (no HTTP, one thread, SQLite in a temp data
dir): create+dispatch (each with its own durable commit), get, a list page of 20, sign-for.
Wall and CPU milliseconds per operation; the repeated-appeal hook is left out (it has its own
figures in ``bench-governance``)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from eval.tasks.bench_tickets import _TOPICS, _places, _users


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--n", type=int, default=300, help="operations of each kind")


def run(args) -> dict:  # type: ignore[no-untyped-def]
    from assistant.access import Actor
    from assistant.config import Settings
    from assistant.db.models import User
    from assistant.runtime import Hotline
    from assistant.tickets.schemas import ActionInput, TicketCreate, TicketFilter

    agent, unit = _users()
    places = _places()
    with tempfile.TemporaryDirectory() as tmp:
        hl = Hotline(Settings(data_dir=Path(tmp) / "data", scheduler_enabled=False, warm_up_models=False,
                              governance_background=False))
        hl.init(demo=True)
        hl.tickets.after_create.clear()

        def actor(username: str) -> Actor:
            with hl.db.read() as s:
                u = s.scalar(select(User).where(User.username == username))
                assert u is not None
                return Actor(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                             unit_id=u.unit_id)

        a, ua = actor(agent["username"]), actor(unit["username"])

        def body(i: int) -> TicketCreate:
            topic = _TOPICS[i % len(_TOPICS)]
            township, village = places[(i * 13) % len(places)]
            return TicketCreate(appeal_type="投诉", title=f"{village}{topic}", content=f"{township}{village}{topic}",
                                township=township, village=village, caller_number=f"139{i:08d}",
                                dispatch={"lead_unit": unit["unit_code"]})

        def timed(fn, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
            w0, c0 = time.perf_counter(), time.process_time()
            for i in range(n):
                fn(i)
            return (time.perf_counter() - w0) * 1000 / n, (time.process_time() - c0) * 1000 / n

        n = args.n
        for i in range(20):  # warm: statement caches, imports
            hl.tickets.create(body(i), a)
        ids: list[int] = []
        out = {"create": timed(lambda i: ids.append(hl.tickets.create(body(100 + i), a).id), n),
               "get": timed(lambda i: hl.tickets.get(ids[i % len(ids)], a), n),
               "list20": timed(lambda i: hl.tickets.list(TicketFilter(page=1 + i % 5, size=20), a), n),
               "sign": timed(lambda i: hl.tickets.act(ids[i], "sign", ActionInput(), ua), n)}
        hl.stop()
    load = os.getloadavg()[0]
    print(f"工单中心单线程操作耗时（无 HTTP，SQLite synchronous=FULL，负载 {load:.2f}）")
    for name, (wall, cpu) in out.items():
        print(f"  {name:<8} {wall:7.2f} ms  CPU {cpu:7.2f} ms")
    return {"load": round(load, 2), **{f"{k}_ms": round(v[0], 2) for k, v in out.items()},
            **{f"{k}_cpu_ms": round(v[1], 2) for k, v in out.items()}}
