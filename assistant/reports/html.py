"""The report as one self-contained HTML page (charts inlined as PNG data URIs)."""

from __future__ import annotations

import base64
from html import escape

from assistant.reports.figures import ReportData


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def change(total: int, previous: int) -> str:
    if not previous:
        return "上期无数据"
    diff = (total - previous) / previous * 100
    return f"较上期{'增加' if diff >= 0 else '减少'} {abs(diff):.1f}%（上期 {previous} 件）"


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td colspan=99>（无）</td></tr>'}</tbody></table>"


def unit_table_rows(data: ReportData) -> list[list[object]]:
    return [[u.unit, u.dispatched, pct(u.sign_rate), pct(u.on_time_rate), pct(u.extension_rate), pct(u.return_rate),
             pct(u.satisfaction_rate)] for u in data.units]


UNIT_HEADERS = ["承办单位", "派单数", "签收率", "按期办结率", "延期率", "退单率", "满意率"]
CASE_HEADERS = ["工单编号", "标题", "乡镇", "主办单位", "状态", "重办次数"]
WARNING_HEADERS = ["级别", "乡镇", "分类", "本期件数", "预期件数", "状态", "说明"]


def render_html(data: ReportData, charts: dict[str, bytes]) -> bytes:
    imgs = "".join(
        f'<figure><img alt="{escape(name)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{escape(name)}</figcaption></figure>" for name, png in charts.items())
    top_cat = "、".join(f"{k} {v} 件" for k, v in list(data.by_category.items())[:3]) or "无"
    top_town = "、".join(f"{k} {v} 件" for k, v in list(data.by_township.items())[:3]) or "无"
    cases = [[c.number, c.title, c.township, c.unit, c.status, c.reopen_count] for c in data.supervised]
    warns = [[w.level, w.township, w.category, w.count, f"{w.expected:.1f}", w.status, w.message] for w in data.warnings]
    formulas = "".join(f"<li>{escape(f)}</li>" for f in data.formulas.values())
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(data.title)}（{escape(data.label)}）</title>
<style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:960px;margin:2em auto;color:#222}}
h1{{font-size:1.6em}} h2{{border-left:4px solid #3b7dd8;padding-left:.5em;margin-top:1.6em}}
table{{border-collapse:collapse;width:100%;font-size:.9em}} th,td{{border:1px solid #ccc;padding:4px 6px;text-align:left}}
th{{background:#eef3fb}} figure{{margin:1em 0}} img{{max-width:100%}} .muted{{color:#666;font-size:.9em}}
</style></head><body>
<h1>{escape(data.title)}</h1>
<p class="muted">统计期间：{escape(data.label)}；生成时间：{data.generated_at:%Y-%m-%d %H:%M} (UTC)</p>
<h2>一、总体情况</h2>
<p>本期共受理诉求 <b>{data.total}</b> 件，{escape(change(data.total, data.previous_total))}。
诉求最多的分类：{escape(top_cat)}；乡镇：{escape(top_town)}。
诉求类型：{escape("、".join(f"{k} {v} 件" for k, v in data.by_appeal_type.items()) or "无")}。</p>
{imgs}
<h2>二、诉求分类</h2>{_table(["一级分类", "件数"], [[k, v] for k, v in data.by_category.items()])}
<h2>三、乡镇分布</h2>{_table(["乡镇", "件数"], [[k, v] for k, v in data.by_township.items()])}
<h2>四、承办单位考核</h2>{_table(UNIT_HEADERS, unit_table_rows(data))}
<ul class="muted">{formulas}</ul>
<h2>五、重点督办工单</h2>{_table(CASE_HEADERS, cases)}
<h2>六、热点预警</h2>{_table(WARNING_HEADERS, warns)}
</body></html>"""
    return page.encode("utf-8")
