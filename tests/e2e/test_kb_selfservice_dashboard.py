"""知识库 (edit → review → publish), 自助问答 (answer with source, or a message that becomes a
ticket), 督办看板 (charts and figures), and what each role may open."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from assistant.db.kb_models import KbArticle
from assistant.db.models import Ticket
from tests.e2e.conftest import login_as, shot


def test_kb_article_written_by_agent_published_by_supervisor(page, browser, server) -> None:
    login_as(page, server, "agent")
    page.goto(server.url("kb.html"))
    page.click("#kb-new")
    page.fill("#kb-question", "鹤峰县城区共享电动车在哪里办理骑行证")
    page.fill("#kb-similar_questions", "电动车骑行证怎么办\n共享电动车要不要办证")
    page.fill("#kb-answer", "城区共享电动车无需办理骑行证，扫码即可使用；私人电动自行车请到县交警大队车管所登记上牌。")
    page.fill("#kb-category", "交通出行/非机动车")
    page.fill("#kb-unit", "县公安局交警大队")
    page.click("#kb-create")
    page.wait_for_selector("[data-move=submit]")
    code = page.locator("#kb-editor p b").first.inner_text()
    page.click("[data-move=submit]")
    page.wait_for_selector("#kb-editor .tag, #kb-editor p:has-text('待审核')")
    assert page.locator("[data-move=approve]").count() == 0  # an agent cannot publish
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    sup = ctx.new_page()
    login_as(sup, server, "supervisor")
    sup.goto(server.url("kb.html"))
    sup.select_option("#kb-status", "in_review")
    sup.locator(f"#kb-list li[data-code='{code}']").click()
    sup.click("[data-move=approve]")
    sup.wait_for_selector("#kb-editor p:has-text('已发布')")
    sup.fill("#hit-questions", "共享电动车要办证吗")
    sup.click("#hit-run")
    sup.wait_for_selector("#hit-results table")
    shot(sup, "kb-supervisor")
    ctx.close()
    with server.hotline.db.read() as s:
        art = s.scalars(select(KbArticle).where(KbArticle.code == code)).one()
        assert art.status == "published"
    assert not page.errors, page.errors


def test_selfservice_answer_with_source_or_leave_message(phone, server) -> None:
    phone.goto(server.url("ask.html"))
    assert "工作人员登录" in phone.inner_text("header.top")
    phone.fill("#question", "农村养老保险在哪里办、咋个交钱？")
    phone.click("#ask")
    phone.wait_for_selector("#answer-card")
    assert "城乡居民基本养老保险" in phone.inner_text("#answer-card") and "出处" in phone.inner_text("#answer-source")
    shot(phone, "selfservice-answer-360")
    phone.fill("#question", "我家门口的那棵老树上面有个很大的马蜂窝怎么办呀")
    phone.click("#ask")
    phone.wait_for_selector("#leave-form:not(.hidden)")
    phone.fill("#lm-name", "周先生")
    phone.fill("#lm-phone", "13872004444")
    phone.fill("#lm-township", "走马镇")
    phone.click("#leave")
    phone.wait_for_selector("#left-number")
    number = phone.get_attribute("#left-number", "data-number")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "selfservice-message-360")
    with server.hotline.db.read() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert t.channel == "web" and t.contact_number == "13872004444" and "马蜂窝" in t.content
        assert t.status == "accepted"
    assert not phone.errors, phone.errors


def test_supervisor_dashboard_and_report_download(page, server, as_role) -> None:
    agent = as_role("agent")
    for town in ("容美镇", "走马镇", "走马镇"):
        agent("POST", "/tickets", json={"caller_number": "13872005555", "appeal_type": "投诉", "title": f"{town}噪音扰民",
                                        "content": "夜间施工噪音很大。", "township": town, "dispatch": {"lead_unit": "zmz"}})
    login_as(page, server, "supervisor")
    assert page.url.endswith("/console/dashboard.html")
    page.wait_for_selector("#chart-township svg text:has-text('走马镇')")
    assert page.locator("#kpis .kpi").count() >= 6
    assert page.locator("#unit-table tr").count() >= 2
    with page.expect_download() as dl:
        page.click("#download")
    path = dl.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.startswith('"单位"') and "按时办结率" in text
    shot(page, "dashboard")
    assert not page.errors, page.errors


def test_pages_follow_roles_and_api_enforces_them(page, server, as_role) -> None:
    login_as(page, server, "unit_staff")
    nav = page.locator("header.top nav").inner_text()
    assert "掌上办" in nav and "督办看板" not in nav and "坐席工作台" not in nav and "回访" not in nav
    page.goto(server.url("dashboard.html"))
    page.wait_for_selector(".alert:has-text('无权')")
    unit = as_role("unit_staff")
    r = httpx.get(f"{server.base}/api/v1/qa/stats", headers=unit.headers)
    assert r.status_code == 403 and r.json()["error"]["message"]
    r = httpx.post(f"{server.base}/api/v1/calls", headers=unit.headers, json={})
    assert r.status_code == 403
    page.click("#logout")
    page.wait_for_url("**/index.html")
    page.goto(server.url("desk.html"))
    page.wait_for_url("**/index.html?next=desk.html")
