"""Knowledge-base management and answering on the real index (jieba BM25 + e5 embeddings)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from assistant.access import Actor
from assistant.config import Settings
from assistant.errors import InvalidTransition, PermissionDenied
from assistant.kb.io import ImportFailed
from assistant.kb.schemas import ArticleCreate, ArticleUpdate
from assistant.kb.transfer import export_articles, import_articles
from assistant.runtime import Hotline
from tests.conftest import demo_file

EDITOR = Actor(1, "agent", "坐席甲", "agent")
REVIEWER = Actor(2, "sup", "班长乙", "supervisor")
ROAD = ArticleCreate(question="鹤峰到恩施的班车几点发车", similar_questions=["去恩施的客车好多点有", "到州城的车几点走"],
                     answer="鹤峰客运站至恩施班车每天 6:30 至 17:30 每小时一班（示例）。", category="交通出行/客运",
                     unit="鹤峰县交通运输局")


@pytest.fixture
def kb(kb_hotline):
    return kb_hotline


def _served(kb, code: str, query: str = "到州城的车几点走"):
    kb.kb_index.refresh(force=True)
    return next((x for x in kb.kb_index.answer(query, k=5).suggestions if x.code == code), None)


def test_only_published_articles_are_served(kb) -> None:
    art = kb.kb.create(ROAD, EDITOR)
    assert _served(kb, art.code) is None
    with pytest.raises(PermissionDenied):
        kb.kb.move(art.code, "approve", EDITOR)
    kb.kb.move(art.code, "submit", EDITOR)
    with pytest.raises(InvalidTransition):
        kb.kb.update(art.code, ArticleUpdate(**ROAD.model_dump(exclude={"code", "comment"})), EDITOR)
    assert _served(kb, art.code) is None  # in review: still not served
    kb.kb.move(art.code, "approve", REVIEWER, "核实无误")
    assert _served(kb, art.code) is not None
    # an edit waits for review while the published version keeps being served
    changed = ROAD.model_dump(exclude={"code", "comment"}) | {"answer": "新的时刻表：每天 7:00 起每半小时一班（示例）。"}
    kb.kb.update(art.code, ArticleUpdate(**changed, comment="时刻调整"), EDITOR)
    assert _served(kb, art.code).answer.startswith("鹤峰客运站")
    kb.kb.move(art.code, "retire", REVIEWER, "线路停运")
    assert _served(kb, art.code) is None
    assert [v.number for v in kb.kb.versions(art.code, EDITOR)] == [1, 2]
    assert [e.action for e in kb.kb.history(art.code, EDITOR)] == ["create", "submit", "approve", "edit", "retire"]


def test_expired_articles_are_never_served(kb) -> None:
    expired = [a for a in demo_file("knowledge_base.jsonl") if a.get("valid_to") and
               date.fromisoformat(a["valid_to"]) < date(2026, 3, 10)]
    assert expired
    for article in expired:
        result = kb.kb_index.answer(article["question"], k=5)
        assert article["id"] not in [s.code for s in result.suggestions]


def test_no_answer_rather_than_a_wrong_one(kb) -> None:
    result = kb.kb_desk.ask("火星上的土豆怎么种才能高产", channel="selfservice")
    assert result.mode != "answer"  # at most candidates for an agent to judge, never a confident answer
    good = kb.kb_desk.ask("我想问一下社保卡丢了么样补办", channel="agent")
    assert good.suggestions and "社保卡" in good.suggestions[0].question
    gaps = kb.kb_desk.gaps(REVIEWER)
    assert gaps and "火星" in gaps[0].example


def test_import_is_all_or_nothing_with_row_errors(kb) -> None:
    bad = "标准问,相似问,答案,生效日期\n养蜂场怎么备案登记,蜂场备案|养蜂登记,带身份证到乡镇畜牧兽医站登记（示例）。,2025-01-01\n,缺问题,答案,2025-13-01\n"
    with pytest.raises(ImportFailed) as info:
        import_articles(kb.kb, bad.encode(), "csv", EDITOR)
    report = info.value.details
    assert report["imported"] == 0 and {e["row"] for e in report["errors"]} == {2}
    assert kb.kb.list(EDITOR, q="养蜂场").total == 0
    good = "标准问,相似问,答案\n养蜂场怎么备案登记,蜂场备案|养蜂登记,带身份证到乡镇畜牧兽医站登记（示例）。\n"
    assert import_articles(kb.kb, good.encode(), "csv", EDITOR).imported == 1


def test_markdown_xlsx_and_safe_export(kb) -> None:
    md = "## 村里的路灯坏了找谁\n\n- 相似问：路灯不亮；村口灯坏了\n- 责任单位：乡镇人民政府\n\n请联系所在乡镇人民政府（示例）。\n"
    assert import_articles(kb.kb, md.encode(), "md", EDITOR).imported == 1
    xlsx = export_articles(kb.kb, "xlsx", EDITOR, status="draft")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[1][1] == "村里的路灯坏了找谁"
    kb.kb.create(ArticleCreate(question="=HYPERLINK(\"http://x\")", answer="=1+1 公式不应执行"), EDITOR)
    csv_text = export_articles(kb.kb, "csv", EDITOR, status="draft").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'=1+1" in csv_text
    jsonl = export_articles(kb.kb, "jsonl", EDITOR, status="published").decode()
    assert len(jsonl.splitlines()) == len([a for a in demo_file("knowledge_base.jsonl")])
    assert json.loads(jsonl.splitlines()[0])["code"] == "kb-0001"


def test_index_survives_restart(tmp_path, clock, demo_kb_index) -> None:
    import shutil

    settings = Settings(data_dir=tmp_path / "d", scheduler_enabled=False, warm_up_models=False)
    first = Hotline(settings, now=clock)
    first.init(demo=True)
    shutil.copytree(demo_kb_index, first.data_dir / "indexes" / "kb")
    first.kb.create(ROAD, EDITOR)  # a draft: not in the index
    info = first.kb_index.warm_up()
    assert info["action"] == "loaded" and first.kb_index.answer("新生儿怎么上户口").suggestions
    first.stop()
    second = Hotline(settings, now=clock)
    info = second.kb_index.warm_up()
    assert info == {"action": "loaded", "indexed": 0, "removed": 0, "total": len(demo_file("knowledge_base.jsonl"))}
    assert second.kb_index.answer("新生儿怎么上户口").suggestions
    second.stop()


def test_callers_need_a_higher_bar_than_agents(kb) -> None:
    question = "我想问一下社保卡丢了么样补办"
    agent = kb.kb_desk.ask(question, channel="agent")
    assert agent.mode == "answer"
    kb.kb_desk.answer_thresholds["selfservice"] = min(0.999, agent.confidence + 0.001)
    caller = kb.kb_desk.ask(question, channel="selfservice")
    assert caller.mode == "candidates" and caller.suggestions  # 您是不是想问…, with a ticket offered
    assert caller.confidence == agent.confidence
