"""``hotline demo call``: one call through the seven scenarios, against a running service.

Plays the project's demo recording (``assistant/demo/heifeng/demo_call/``) into the live WebSocket
in real time as the demo agent, then, through the REST API with the demo accounts: the ticket
from the draft with the suggested category and dispatch, the unit's sign-for and reply, the QA
score of the call, the scheduled callback, its attempt and confirmed outcome, and the ticket's
audit trail. Everything it prints comes from the service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.live_client import load_channels, stream_call, summarise
from assistant.tickets.vocab import STATUS_LABELS
from assistant.tickets.workflow import ACTIONS

DEMO_DIR = Path(__file__).resolve().parent.parent / "assistant" / "demo" / "heifeng"
CALL_DIR = DEMO_DIR / "demo_call"
SPEAKERS = {"agent": "坐席", "caller": "来电人"}
EVENT_LABELS = {"create": "受理", "update": "修改", "attach": "上传附件", "case_link": "并案", "case_unlink": "解除并案"}
CALLBACK_ANSWER = "路已经修通了，镇上派人把垮的地方砌好了，还装了护栏，解决了，我很满意。"
UNIT_REPLY = ("经走马镇人民政府会同县交通运输局现场查看，白果村三组通村公路路基垮塌约十二米，"
              "已设置警示围挡并安排抢修，现已恢复通行。")


class DemoError(Exception):
    """The demo could not go on; the message is for the person watching."""


@dataclass
class DemoOutcome:
    call_id: int = 0
    ticket_id: int = 0
    ticket_number: str = ""
    segments: int = 0
    transcript_lag: dict = field(default_factory=dict)
    suggestion_lag: dict = field(default_factory=dict)
    lead_unit: str = ""
    status: str = ""
    qa_score: float | None = None
    callback_status: str = ""
    history: list[str] = field(default_factory=list)


def demo_users(county_dir: Path | None = None) -> list[dict]:
    return json.loads(((county_dir or DEMO_DIR) / "users.json").read_text(encoding="utf-8"))


class Api:
    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=timeout)

    def login(self, user: dict) -> dict[str, str]:
        r = self.http.post("/auth/login", json={"username": user["username"], "password": user["password"]})
        self._check(r, f"以 {user['username']} 登录")
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, method: str, path: str, headers: dict[str, str], what: str, **kw: Any) -> Any:
        r = self.http.request(method, path, headers=headers, **kw)
        self._check(r, what)
        return r.json() if r.content else None

    @staticmethod
    def _check(r: httpx.Response, what: str) -> None:
        if r.status_code >= 400:
            try:
                message = r.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = r.text[:200]
            raise DemoError(f"{what}失败（HTTP {r.status_code}）：{message}")


def run_demo(base_url: str, *, audio: Path | None = None, start_s: float = 0.0, end_s: float | None = None,
             speed: float = 1.0, frame_ms: int = 100, county_dir: Path | None = None,
             out: Callable[[str], None] = print) -> DemoOutcome:
    script = json.loads((CALL_DIR / "script.json").read_text(encoding="utf-8"))
    users = demo_users(county_dir)
    by_role = {u["role"]: u for u in reversed(users)}
    api = Api(base_url)
    result = DemoOutcome()
    try:
        agent = api.login(by_role["agent"])
        out(f"== 1 来电：坐席 {by_role['agent']['display_name']} 接听（{script['title']}）")
        call = api.call("POST", "/calls", agent, "开始通话", json={"caller_number": script["caller_number"]})
        result.call_id = call["id"]
        _live(api, agent, result, audio or CALL_DIR / "call.ogg", start_s, end_s, speed, frame_ms, out)
        _ticket(api, agent, result, script, out)
        _unit(api, users, result, out)
        _qa(api, by_role, result, out)
        _callback(api, agent, result, out)
        _history(api, agent, result, out)
    finally:
        api.http.close()
    return result


def _live(api: Api, agent: dict, result: DemoOutcome, audio: Path, start_s: float, end_s: float | None,
          speed: float, frame_ms: int, out: Callable[[str], None]) -> None:
    channels = load_channels(audio, start_s, end_s)
    seconds = len(channels[0]) / 16000
    out(f"== 2 实时转写：按实时速度{'' if speed == 1 else f'（{speed} 倍速）'}推送 {seconds:.0f} 秒双声道录音"
        f"（左声道坐席、右声道来电人）")
    shown: dict[str, Any] = {}

    def on_event(kind: str, data: Any, lag: float | None) -> None:
        if kind == "segment":
            out(f"  [{data['start']:6.1f}s] {SPEAKERS.get(data['speaker'], '?')}：{data['text']}"
                f"  （说完 {lag:.1f} 秒后出字）")
        elif kind == "suggestions":
            found = data.get("suggestions") or []
            if found and data.get("mode") != "none" and found[0]["code"] != shown.get("answer"):
                shown["answer"] = found[0]["code"]
                label = "推荐答案" if data["mode"] == "answer" else "候选答案"
                out(f"      ▶ {label}（置信度 {data['confidence']:.0%}）：{found[0]['question']}"
                    f" —— {found[0]['answer'][:60]}…（{found[0]['unit'] or found[0]['source']}）")
        elif kind == "interim" and data.get("suggestions"):  # the caller is still speaking
            found = data["suggestions"]["suggestions"]
            if found[0]["code"] != shown.get("answer"):
                shown["answer"] = found[0]["code"]
                out(f"      ▷ 暂定推荐（来电人仍在说话，已听到“{data['text'][-20:]}”）：{found[0]['question']}")
        elif kind == "draft":
            summary = _draft_line(data)
            if summary != shown.get("draft"):
                shown["draft"] = summary
                out(f"      ▶ 工单草稿：{summary}")
        elif kind == "error":
            out(f"      ！服务端：{data.get('message')}")

    token = agent["Authorization"].split(" ", 1)[1]
    live = asyncio.run(stream_call(api.base_url, token, result.call_id, channels, frame_ms=frame_ms,
                                   speed=speed, on_event=on_event))
    result.segments = len(live.segments)
    result.transcript_lag = summarise(live.transcript_lags)
    result.suggestion_lag = summarise(live.suggestion_lags)
    lag = result.transcript_lag
    out(f"  通话结束：{len(live.segments)} 段转写；说完到出字 p50 {lag['p50']} 秒 / p95 {lag['p95']} 秒"
        if live.segments else "  通话结束：没有识别出文字")
    if live.errors:
        raise DemoError("实时转写出错：" + "；".join(live.errors))


def _draft_line(draft: dict) -> str:
    def v(name: str) -> str:
        value = (draft.get(name) or {}).get("value")
        return "、".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))

    parts = [("来电人", v("caller_name")), ("电话", v("phones")), ("地址", v("township") + v("village")),
             ("事发", v("event_time")), ("标题", v("title")), ("类型", v("appeal_type")), ("紧急", v("urgency"))]
    return "；".join(f"{k} {x}" for k, x in parts if x) or "（尚无）"


def _ticket(api: Api, agent: dict, result: DemoOutcome, script: dict, out: Callable[[str], None]) -> None:
    form = api.call("GET", f"/calls/{result.call_id}/ticket-form", agent, "读取预填工单")
    call = api.call("GET", f"/calls/{result.call_id}", agent, "读取通话")
    caller_text = "。".join(s["text"] for s in call["segments"] if s["speaker"] == "caller") or form["content"]
    address = "".join(form.get(k) or "" for k in ("township", "village", "address_detail")) or None
    cls = api.call("POST", "/classify", agent, "智能分类", json={"text": caller_text[:5000]})
    disp = api.call("POST", "/dispatch", agent, "智能派单", json={"text": caller_text[:5000], "address": address})
    category = cls.get("category") or {}
    path = category.get("path") or [category.get("label")] if category.get("label") else []
    out("== 3 智能分类与派单")
    out(f"  诉求类型 {cls['appeal_type']['label']}，紧急程度 {cls['urgency']['label']}，分类 {'/'.join(path) or '（无）'}")
    for line in disp.get("explanation", []):
        out(f"  · {line}")
    if disp.get("escalate") or not disp.get("unit_code"):
        raise DemoError("派单建议为提交县政府协调，演示到此为止")
    if not form.get("title") or not form.get("content"):
        raise DemoError("转写太短，草稿没有标题或内容，无法生成工单")
    body = {k: v for k, v in form.items() if v not in (None, "")}
    body.update(channel="phone", caller_number=script["caller_number"], category=[p for p in path if p][:4],
                dispatch={"lead_unit": disp["unit_code"], "co_units": [c["code"] for c in disp.get("co_units", [])]})
    ticket = api.call("POST", f"/calls/{result.call_id}/ticket", agent, "提交工单", json=body)
    result.ticket_id, result.ticket_number, result.lead_unit = ticket["id"], ticket["number"], disp["unit_code"]
    out(f"== 4 工单 {ticket['number']} 已受理并派给 {disp['unit_name']}：{ticket['title']}"
        f"（{ticket.get('township') or ''}{ticket.get('village') or ''}，联系电话 {ticket.get('contact_number') or ''}）")


def _unit(api: Api, users: list[dict], result: DemoOutcome, out: Callable[[str], None]) -> None:
    staff = next((u for u in users if u["role"] == "unit_staff" and u.get("unit_code") == result.lead_unit), None)
    if staff is None:
        raise DemoError(f"演示账号里没有主办单位（{result.lead_unit}）的人员，无法演示签收与答复")
    unit = api.login(staff)
    path = f"/tickets/{result.ticket_id}/actions"
    t = api.call("POST", f"{path}/sign", unit, "承办单位签收", json={"comment": "已签收，马上安排人员到现场"})
    out(f"== 5 承办单位 {staff['display_name']} 签收（状态：{STATUS_LABELS.get(t['status'], t['status'])}）")
    t = api.call("POST", f"{path}/reply", unit, "承办单位答复办结", json={"reply": UNIT_REPLY})
    result.status = t["status"]
    out(f"  答复办结（状态：{STATUS_LABELS.get(t['status'], t['status'])}）：{UNIT_REPLY}")


def _qa(api: Api, by_role: dict, result: DemoOutcome, out: Callable[[str], None]) -> None:
    qa = api.login(by_role["qa"])
    rows = api.call("GET", "/qa/results", qa, "读取质检结果", params={"limit": 200})
    r = next((x for x in rows if x.get("call_id") == result.call_id), None)
    if r is None:  # scored when the call ended; score now if that has not landed yet
        r = api.call("POST", f"/qa/calls/{result.call_id}/score", qa, "质检评分")
    result.qa_score = r.get("total")
    out(f"== 6 智能质检（{by_role['qa']['display_name']}）：{r.get('total')} 分；{r.get('route_reason') or r.get('route')}")
    for item in r.get("items", []):
        if item.get("deduction"):
            spans = item.get("evidence") or []
            where = "；".join(f"{x.get('text', '')}（{SPEAKERS.get(x.get('speaker'), '')}）" for x in spans[:2]
                             if isinstance(x, dict))
            out(f"  - {item.get('name')} 扣 {item['deduction']} 分：{item.get('reason') or ''}{where}")


def _callback(api: Api, agent: dict, result: DemoOutcome, out: Callable[[str], None]) -> None:
    rows = api.call("GET", "/callbacks", agent, "读取回访列表", params={"include_future": "true"})
    cb = next((c for c in rows if c.get("ticket_id") == result.ticket_id), None)
    if cb is None:
        out("== 7 回访：本工单未安排回访（来电人拒绝回访或未抽中）")
        return
    out(f"== 7 回访已安排：{cb.get('due_from', '')} 起，{cb.get('due_by', '')} 前（状态 {cb['status']}）")
    script = api.call("GET", f"/callbacks/{cb['id']}/script", agent, "读取回访话术")["script"]
    out(f"  话术：{script[:120]}…")
    got = api.call("POST", f"/callbacks/{cb['id']}/attempts", agent, "记录回访",
                   json={"reached": True, "transcript": CALLBACK_ANSWER})
    s = got.get("suggestion") or {}
    res, sat = s.get("resolution") or "解决", s.get("satisfaction") or "满意"
    out(f"  来电人答复：{CALLBACK_ANSWER}")
    out(f"  系统判读：{res}（{s.get('resolution_confidence', 0):.0%}）、{sat}（{s.get('satisfaction_confidence', 0):.0%}）；"
        "坐席一键确认")
    done = api.call("POST", f"/callbacks/{cb['id']}/confirm", agent, "确认回访结果",
                    json={"resolution": res, "satisfaction": sat})
    result.callback_status = done["status"]


def _history(api: Api, agent: dict, result: DemoOutcome, out: Callable[[str], None]) -> None:
    events = api.call("GET", f"/tickets/{result.ticket_id}/history", agent, "读取操作记录")
    out(f"== 8 工单 {result.ticket_number} 的操作记录（审计留痕）")
    for e in events:
        action = ACTIONS[e["action"]].label if e["action"] in ACTIONS else EVENT_LABELS.get(e["action"], e["action"])
        move = (f"{STATUS_LABELS.get(e.get('from_status') or '', '')}→{STATUS_LABELS.get(e['to_status'], '')}"
                if e.get("to_status") and e.get("to_status") != e.get("from_status") else "")
        result.history.append(e["action"])
        out(f"  {str(e['at'])[:19].replace('T', ' ')}  {e['actor_name']}  {action}  {move}  {e.get('comment') or ''}".rstrip())
    t = api.call("GET", f"/tickets/{result.ticket_id}", agent, "读取工单")
    result.status = t["status"]
    out(f"演示完成：工单 {result.ticket_number} 当前状态 {STATUS_LABELS.get(t['status'], t['status'])}")
