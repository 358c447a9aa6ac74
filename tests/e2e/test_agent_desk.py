"""坐席工作台: a call from login to the ticket in the database, by keyboard where it matters."""

from __future__ import annotations

from sqlalchemy import select

from assistant.db.models import Ticket, TicketEvent
from tests.e2e.conftest import login_as, shot

CALLER = "13872005678"


def test_agent_takes_call_and_submits_dispatched_ticket(page, server, as_role) -> None:
    as_role("agent")("POST", "/tickets", json={  # the same caller rang last week: an open ticket
        "caller_number": CALLER, "appeal_type": "求助", "title": "茅坪村停水", "content": "茅坪村停水两天。",
        "township": "太平镇", "dispatch": {"lead_unit": "rsj"}})
    login_as(page, server, "agent")
    assert page.url.endswith("/console/desk.html")
    nav = page.locator("header.top nav").inner_text()
    assert "坐席工作台" in nav and "督办看板" not in nav and "掌上办" not in nav
    page.fill("#caller-number", CALLER)
    page.keyboard.press("Alt+n")
    page.wait_for_selector("#seg-text:enabled")
    page.wait_for_selector("#repeat-alert")
    assert "1 件未办结" in page.inner_text("#repeat-alert")
    assert page.evaluate("document.activeElement.id") == "seg-text"
    lines = [("caller", "你好，我是太平镇茅坪村的张大姐，我们组已经停水三天了"),
             ("agent", "您好，请问您的联系电话是多少"),
             ("caller", "电话是幺三八七二零零五六七八，自来水公司电话一直打不通")]
    for speaker, text in lines:
        page.select_option("#seg-speaker", speaker)
        page.fill("#seg-text", text)
        page.keyboard.press("Enter")
        page.wait_for_function("n => document.querySelectorAll('#transcript .seg').length >= n", arg=lines.index((speaker, text)) + 1)
    page.wait_for_function("() => document.querySelector('#f-township').value !== ''")
    assert page.input_value("#f-township") == "太平镇"
    assert "茅坪村" in page.inner_text("#src-village") or page.input_value("#f-village")
    assert "出处" in page.inner_text("#src-township")
    page.wait_for_selector("#dispatch-reasons li", timeout=120000)
    page.click("#use-dispatch")
    lead = page.input_value("#f-lead")
    assert lead
    page.fill("#f-title", "太平镇茅坪村停水三天")
    page.focus("#f-title")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#ticket-result")
    shot(page, "agent-desk")
    number = page.inner_text("#ticket-result").split()[1]
    with server.hotline.db.read() as s:
        t = s.scalar(select(Ticket).where(Ticket.number == number))
        assert t is not None and t.status == "dispatched" and t.caller_number == CALLER
        assert t.title == "太平镇茅坪村停水三天" and t.township == "太平镇" and t.lead_unit.code == lead
        assert t.call_id
        actions = [e.action for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]
        assert actions == ["create", "dispatch"]
    assert not page.errors, page.errors
