"""Weekly and monthly reports from real tickets: the figures (rates per unit, supervision cases,
warnings) and the three files (HTML with charts, PDF with an embedded CJK font, XLSX with charts)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from assistant.access import Actor
from assistant.errors import PermissionDenied, ValidationFailed
from assistant.tickets.schemas import ActionInput, TicketCreate

SUPERVISOR = Actor(1, "sup", "督办员甲", "supervisor")
AGENT = Actor(2, "agent", "坐席甲", "agent")
ADMIN = Actor(None, "admin", "管理员", "admin")


def _unit_actor(hotline, code: str) -> Actor:
    from sqlalchemy import select

    from assistant.db.models import Unit

    with hotline.db.read() as s:
        uid = s.scalar(select(Unit.id).where(Unit.code == code))
    return Actor(None, code, "承办人", "unit_staff", uid)


@pytest.fixture
def week_of_tickets(hotline, clock):
    """Four tickets in the week of 2026-03-09: one closed on time and visited 满意, one returned,
    one supervised, one still waiting to be signed for."""
    t = hotline.tickets
    staff = _unit_actor(hotline, "zzzx")

    def new(title: str, town: str, category: list[str]) -> int:
        data = TicketCreate(appeal_type="投诉", title=title, content=f"{title}，请尽快处理", township=town,
                            category=category, caller_number="13872001234", dispatch={"lead_unit": "zzzx"})
        return t.create(data, AGENT).id

    a = new("太平镇噪音扰民", "太平镇", ["城乡建设", "噪音"])
    t.act(a, "sign", ActionInput(), staff)
    clock.advance(hours=3)
    t.act(a, "reply", ActionInput(reply="已协调商户整改，噪音已停止。"), staff)
    t.act(a, "callback", ActionInput(resolution="解决", satisfaction="满意"), AGENT)
    b = new("容美镇占道经营", "容美镇", ["城乡建设", "市容"])
    t.act(b, "return", ActionInput(comment="不属于本单位职责"), staff)
    c = new("走马镇拖欠工资", "走马镇", ["劳动和社会保障", "工资"])
    t.act(c, "supervise", ActionInput(comment="涉及农民工工资，列入督办"), SUPERVISOR)
    new("燕子镇道路破损", "燕子镇", ["交通运输", "道路"])
    return a, b, c


def test_week_figures(hotline, week_of_tickets) -> None:
    data = hotline.reports.figures("week", "2026-03-12")
    assert data.label.startswith("2026年第11周") and data.total == 4
    assert data.by_category == {"城乡建设": 2, "劳动和社会保障": 1, "交通运输": 1}
    assert data.by_appeal_type == {"投诉": 4}
    (unit,) = [u for u in data.units if u.dispatched]
    assert (unit.dispatched, unit.signed, unit.closed, unit.closed_on_time, unit.returned) == (4, 1, 1, 1, 1)
    assert unit.sign_rate == 0.25 and unit.return_rate == 0.25 and unit.satisfaction_rate == 1.0 and unit.on_time_rate == 1.0
    assert [c.title for c in data.supervised] == ["走马镇拖欠工资"]
    with pytest.raises(ValidationFailed, match="week"):
        hotline.reports.figures("year", None)


def test_report_files(hotline, week_of_tickets, tmp_path) -> None:
    html = hotline.reports.build(SUPERVISOR, "week", "2026-03-12", "html")
    text = html.content.decode("utf-8")
    assert html.media_type.startswith("text/html") and "鹤峰县 12345 热线周报" in text
    assert text.count("data:image/png;base64,") == 4 and "走马镇拖欠工资" in text and "签收率 = " in text
    pdf = hotline.reports.build(ADMIN, "month", "2026-03-12", "pdf")
    assert pdf.content.startswith(b"%PDF") and b"FontFile2" in pdf.content and pdf.filename.endswith(".pdf")
    xlsx = hotline.reports.build(SUPERVISOR, "month", "2026-03-01", "xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["概览", "诉求分类", "乡镇分布", "承办单位考核", "重点督办", "热点预警"]
    assert wb["概览"]["B3"].value == 4 and len(wb["诉求分类"]._charts) == 1 and len(wb["承办单位考核"]._charts) == 1
    assert wb["重点督办"]["B2"].value == "走马镇拖欠工资"
    with pytest.raises(PermissionDenied):
        hotline.reports.build(AGENT, "week", None, "html")
    with pytest.raises(ValidationFailed, match="格式"):
        hotline.reports.build(SUPERVISOR, "week", None, "docx")


def test_chinese_renders_in_charts(hotline, week_of_tickets) -> None:
    """Every chart label is drawn with a CJK font: no 'missing glyph' warning (strict pytest would fail)."""
    from assistant.reports.charts import render_charts
    from assistant.reports.fonts import cjk_font

    charts = render_charts(hotline.reports.figures("week", "2026-03-12"), cjk_font())
    assert set(charts) == {"每日受理量", "诉求分类", "乡镇分布", "单位考核"}
    assert all(png.startswith(b"\x89PNG") and len(png) > 5000 for png in charts.values())


def test_empty_period_still_reports(hotline, clock) -> None:
    clock.advance(days=-400)
    out = hotline.reports.build(SUPERVISOR, "week", None, "pdf")
    assert out.content.startswith(b"%PDF") and out.data.total == 0 and out.data.units == []
