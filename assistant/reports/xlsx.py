"""The report as an XLSX workbook with native Excel charts (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill

from assistant.reports.figures import ReportData
from assistant.reports.html import CASE_HEADERS, UNIT_HEADERS, WARNING_HEADERS, change

HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="EEF3FB")


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # shown, never run as a formula
    return value


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]]):  # type: ignore[no-untyped-def]
    ws = wb.create_sheet(title)
    ws.append(headers)
    for c in ws[1]:
        c.font, c.fill = HEAD, FILL
    for r in rows:
        ws.append([_cell(v) for v in r])
    for i, h in enumerate(headers):
        ws.column_dimensions[chr(65 + i)].width = max(10, min(60, 2.2 * len(h) + 4))
    return ws


def _bar(ws, title: str, n: int, anchor: str, horizontal: bool = True) -> None:  # type: ignore[no-untyped-def]
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title, chart.legend = title, None
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    chart.height, chart.width = max(7, 0.6 * n), 16
    ws.add_chart(chart, anchor)


def render_xlsx(data: ReportData) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概览"
    for row in ([data.title], ["统计期间", data.label], ["受理总量", data.total],
                ["环比", change(data.total, data.previous_total)], [], ["日期", "受理量"]):
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    for d, n in data.by_day.items():
        ws.append([d, n])
    line = LineChart()
    line.title, line.legend = "每日受理量", None
    line.add_data(Reference(ws, min_col=2, min_row=6, max_row=6 + len(data.by_day)), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=7, max_row=6 + len(data.by_day)))
    line.width = 18
    ws.add_chart(line, "D2")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40

    cat = _sheet(wb, "诉求分类", ["一级分类", "件数"], [[k, v] for k, v in data.by_category.items()])
    _bar(cat, "诉求分类", len(data.by_category), "D2")
    town = _sheet(wb, "乡镇分布", ["乡镇", "件数"], [[k, v] for k, v in data.by_township.items()])
    _bar(town, "乡镇分布", len(data.by_township), "D2")
    units = _sheet(wb, "承办单位考核", UNIT_HEADERS,
                   [[u.unit, u.dispatched, *(getattr(u, a) for a in ("sign_rate", "on_time_rate", "extension_rate",
                                                                     "return_rate", "satisfaction_rate"))]
                    for u in data.units])
    for row in units.iter_rows(min_row=2, min_col=3, max_col=7):
        for c in row:
            c.number_format = "0.0%"
    if data.units:
        chart = BarChart()
        chart.type, chart.title = "bar", "承办单位考核（签收率、按期办结率、满意率）"
        n = min(10, len(data.units))
        for col in (3, 4, 7):
            chart.add_data(Reference(units, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
        chart.set_categories(Reference(units, min_col=1, min_row=2, max_row=n + 1))
        chart.height, chart.width = max(8, 1.0 * n), 18
        units.add_chart(chart, "I2")
    start = len(data.units) + 3
    for i, f in enumerate(data.formulas.values()):
        units.cell(row=start + i, column=1, value=f)
    _sheet(wb, "重点督办", CASE_HEADERS, [[c.number, c.title, c.township, c.unit, c.status, c.reopen_count]
                                          for c in data.supervised])
    _sheet(wb, "热点预警", WARNING_HEADERS, [[w.level, w.township, w.category, w.count, round(w.expected, 1), w.status,
                                             w.message] for w in data.warnings])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
