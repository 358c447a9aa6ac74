"""The report as PDF (fpdf2, the CJK font embedded as a subset, charts as PNG images)."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from assistant.reports.figures import ReportData
from assistant.reports.fonts import latin_font
from assistant.reports.html import CASE_HEADERS, UNIT_HEADERS, change, unit_table_rows


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=13)
    pdf.set_text_color(30, 80, 160)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=9)


def _para(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 5.5, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, headers: list[str], rows: list[list[object]], widths: tuple[int, ...] | None = None) -> None:
    if not rows:
        _para(pdf, "（无）")
        return
    with pdf.table(col_widths=widths, wrapmode=WrapMode.CHAR, line_height=5.5, first_row_as_headings=True,
                   headings_style=FontFace(fill_color=(238, 243, 251))) as table:
        table.row([str(h) for h in headers])
        for r in rows:
            table.row([str(c) for c in r])


def render_pdf(data: ReportData, charts: dict[str, bytes], font: Path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    # text set in DejaVu Sans, every glyph it lacks (all Chinese) taken from the CJK font
    pdf.add_font("cjkzh", fname=str(font))
    pdf.add_font("cjk", fname=str(latin_font()))
    pdf.set_fallback_fonts(["cjkzh"], exact_match=False)
    pdf.set_title(f"{data.title}（{data.label}）")
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, data.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, f"统计期间：{data.label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    _heading(pdf, "一、总体情况")
    top = "、".join(f"{k} {v} 件" for k, v in list(data.by_category.items())[:3]) or "无"
    towns = "、".join(f"{k} {v} 件" for k, v in list(data.by_township.items())[:3]) or "无"
    _para(pdf, f"本期共受理诉求 {data.total} 件，{change(data.total, data.previous_total)}。"
               f"诉求最多的分类：{top}；乡镇：{towns}。")
    for name in ("每日受理量", "诉求分类", "乡镇分布"):
        if name in charts:
            pdf.image(io.BytesIO(charts[name]), w=170)
    _heading(pdf, "二、承办单位考核")
    _table(pdf, UNIT_HEADERS, unit_table_rows(data), (44, 16, 18, 22, 16, 16, 18))
    for f in data.formulas.values():
        _para(pdf, f)
    if "单位考核" in charts:
        pdf.image(io.BytesIO(charts["单位考核"]), w=170)
    _heading(pdf, "三、重点督办工单")
    _table(pdf, CASE_HEADERS, [[c.number, c.title, c.township, c.unit, c.status, c.reopen_count]
                               for c in data.supervised], (30, 50, 20, 44, 22, 14))
    _heading(pdf, "四、热点预警")
    if not data.warnings:
        _para(pdf, "（本期无预警）")
    for w in data.warnings:
        _para(pdf, f"{w.message}（{w.status}）")
    return bytes(pdf.output())
