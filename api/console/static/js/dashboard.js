// 督办看板：诉求量、分类、乡镇、各单位按时办结率与满意率、超期工单、重点督办、预警；报表下载。
// 其他接口（热点预警、主动治理案件、统计报表）存在时自动接入：以 OpenAPI 中的路径为准。
import { $, api, attempt, countdown, fmt, h, pct, shell } from "./app.js";
import { bars, columns } from "./chart.js";

shell("dashboard.html", { roles: ["supervisor", "admin"] });
let rowsForCsv = [];

async function allTickets(from) {
  const out = [];
  for (let page = 1; page <= 20; page++) {
    const p = await api(`/tickets?size=100&page=${page}&created_from=${encodeURIComponent(from.toISOString())}`);
    out.push(...p.items);
    if (page * 100 >= p.total) break;
  }
  return out;
}

function count(items, key) {
  const m = new Map();
  for (const t of items) { const k = key(t) || "未填"; m.set(k, (m.get(k) || 0) + 1); }
  return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }));
}

async function paths() {
  try { return Object.keys((await api("/openapi.json", { auth: false })).paths || {}); } catch { return []; }
}

async function load() {
  const days = Number($("#days").value);
  const end = new Date(), start = new Date(end.getTime() - days * 86400000);
  $("#period").textContent = `${fmt(start).slice(0, 10)} 至 ${fmt(end).slice(0, 10)}`;
  const [tickets, figures, overdue, supervised, health, byUnit, known] = await Promise.all([
    attempt(() => allTickets(start)),
    attempt(() => api(`/callbacks/figures?start=${encodeURIComponent(start.toISOString())}&end=${encodeURIComponent(end.toISOString())}`)),
    attempt(() => api("/tickets?overdue=true&size=50")), attempt(() => api("/tickets?supervised=true&size=50")),
    attempt(() => api("/health", { auth: false })), attempt(() => api("/notices/by-unit")), paths()]);
  const items = tickets || [];
  // KPIs
  const closed = items.filter((t) => t.closed_at);
  const onTime = closed.filter((t) => !t.close_by || new Date(t.closed_at) <= new Date(t.close_by));
  const sat = (figures || []).reduce((a, f) => [a[0] + f.satisfied, a[1] + f.reached], [0, 0]);
  $("#kpis").replaceChildren(
    kpi("受理量", items.length), kpi("已办结", closed.length), kpi("按时办结率", pct(closed.length ? onTime.length / closed.length : null)),
    kpi("满意率", pct(sat[1] ? sat[0] / sat[1] : null)), kpi("超期工单", overdue ? overdue.total : "—"), kpi("督办件", supervised ? supervised.total : "—"));
  // charts
  const perDay = new Map();
  for (let d = 0; d < days; d++) perDay.set(fmt(new Date(start.getTime() + (d + 1) * 86400000)).slice(5, 10), 0);
  for (const t of items) { const k = fmt(t.created_at).slice(5, 10); if (perDay.has(k)) perDay.set(k, perDay.get(k) + 1); }
  $("#chart-volume").replaceChildren(columns([...perDay].map(([label, value]) => ({ label, value })), { title: "每日受理量" }));
  $("#chart-category").replaceChildren(bars(count(items, (t) => t.category[0] || t.appeal_type).slice(0, 10), { title: "诉求分类（前 10）" }));
  $("#chart-township").replaceChildren(bars(count(items, (t) => t.township).slice(0, 12), { title: "乡镇分布", color: "#2e7d32" }));
  // units: on-time from tickets, satisfaction from callback figures
  const units = new Map();
  for (const t of items) {
    if (!t.lead_unit) continue;
    const u = units.get(t.lead_unit.code) || { code: t.lead_unit.code, name: t.lead_unit.name, total: 0, closed: 0, onTime: 0 };
    u.total += 1;
    if (t.closed_at) { u.closed += 1; if (!t.close_by || new Date(t.closed_at) <= new Date(t.close_by)) u.onTime += 1; }
    units.set(u.code, u);
  }
  for (const f of figures || []) {
    const u = units.get(f.unit_code) || { code: f.unit_code, name: f.unit_name, total: 0, closed: 0, onTime: 0 };
    Object.assign(u, { satisfaction: f.satisfaction_rate, resolution: f.resolution_rate, response: f.response_rate });
    units.set(u.code, u);
  }
  const overdueBy = new Map((byUnit || []).map((x) => [x.unit_code, x]));
  rowsForCsv = [...units.values()].sort((a, b) => b.total - a.total);
  $("#chart-units").replaceChildren(bars(rowsForCsv.filter((u) => u.closed).slice(0, 10).map((u) => ({ label: u.name, value: u.onTime / u.closed, text: pct(u.onTime / u.closed) })),
    { max: 1, title: "各单位按时办结率", color: "#b26a00" }));
  $("#unit-table").replaceChildren(h("tr", {}, ["单位", "派单", "办结", "按时办结率", "响应率", "解决率", "满意率", "超期通报"].map((x) => h("th", {}, x))),
    ...rowsForCsv.map((u) => h("tr", {}, h("td", {}, u.name), h("td", {}, u.total), h("td", {}, u.closed), h("td", {}, pct(u.closed ? u.onTime / u.closed : null)),
      h("td", {}, pct(u.response)), h("td", {}, pct(u.resolution)), h("td", {}, pct(u.satisfaction)),
      h("td", {}, overdueBy.get(u.code)?.overdue_notices ?? 0))));
  // lists
  const line = (t) => {
    const c = countdown(t.status === "dispatched" ? t.sign_by : t.close_by);
    return h("li", {}, h("b", {}, t.number), ` ${t.title} `, h("span", { class: "tag" }, t.status_label),
      h("div", { class: "muted" }, `${t.lead_unit ? t.lead_unit.name : "未派单"} `, h("span", { class: `countdown ${c.cls}` }, c.text)));
  };
  $("#overdue").replaceChildren(...(overdue?.items.length ? overdue.items.map(line) : [h("li", { class: "muted" }, "没有超期工单。")]));
  $("#supervised").replaceChildren(...(supervised?.items.length ? supervised.items.map(line) : [h("li", { class: "muted" }, "没有督办件。")]));
  // warnings: calendar, hot-spot warnings when that API exists
  const warn = [];
  const cal = health?.capabilities?.calendar;
  if (cal?.warning) warn.push(cal.warning);
  for (const [name, cap] of Object.entries(health?.capabilities || {})) if (cap && cap.ok === false && cap.reason) warn.push(`${name}：${cap.reason}`);
  if (known.includes("/api/v1/hotspots/warnings")) {
    const ws = await attempt(() => api("/hotspots/warnings"));
    for (const w of (ws || []).slice(0, 10)) warn.push(`热点${w.level || "预警"}：${w.message}`);
  }
  $("#warnings").replaceChildren(...warn.map((w) => h("div", { class: "alert" }, w)));
  if (known.includes("/api/v1/governance/cases")) {
    const cases = await attempt(() => api("/governance/cases?status=open&size=50"));
    const list = (cases?.items || []).filter((c) => c.key_supervision).slice(0, 10);
    $("#cases").replaceChildren(h("h3", {}, "重点督办案件（一人多次、一事多人）"), h("ul", { class: "list", id: "case-list" },
      list.length ? list.map((c) => h("li", {}, h("span", { class: "tag red" }, c.kind_label), h("b", {}, c.title), ` ${c.township || ""} · ${c.ticket_count} 件`))
        : h("li", { class: "muted" }, "没有重点督办案件。")));
  }
  const reports = [];
  if (known.includes("/api/v1/reports/{period}")) {
    for (const [period, label] of [["week", "周报"], ["month", "月报"]]) {
      for (const [fmtName, ext] of [["pdf", "PDF"], ["xlsx", "Excel"]]) reports.push(h("button", { type: "button", class: "report-link",
        onclick: () => download(`/reports/${period}?format=${fmtName}`) }, `${label}（${ext}）`));
    }
  }
  $("#reports").replaceChildren(...reports);
}

function kpi(label, value) { return h("div", { class: "kpi" }, h("span", { class: "muted" }, label), h("b", {}, value)); }

async function download(path) {
  const r = await attempt(() => api(path, { raw: true }));
  if (!r) return;
  const cd = r.headers.get("Content-Disposition") || "";
  const star = cd.match(/filename\*=UTF-8''([^;]+)/);
  const name = star ? decodeURIComponent(star[1]) : cd.match(/filename="?([^";]+)/)?.[1] || "report";
  h("a", { href: URL.createObjectURL(await r.blob()), download: name }).click();
}

function csv() {
  const rows = [["单位", "派单", "办结", "按时办结率", "响应率", "解决率", "满意率"],
    ...rowsForCsv.map((u) => [u.name, u.total, u.closed, pct(u.closed ? u.onTime / u.closed : null), pct(u.response), pct(u.resolution), pct(u.satisfaction)])];
  const text = "\ufeff" + rows.map((r) => r.map((c) => `"${String(c).replace(/"/g, '""').replace(/^[=+\-@]/, "'$&")}"`).join(",")).join("\r\n");
  h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: `督办看板-${$("#days").value}天.csv` }).click();
}

$("#days").addEventListener("change", load);
$("#download").addEventListener("click", csv);
await load();
