// 来电人历史与相关诉求（重复来电提醒）：有主动治理接口时用它，否则按来电号码查工单。
import { api, attempt, fmt, h, toast } from "./app.js";

export async function callerHistory(box, number, labels) {
  if (!number) { box.textContent = "未提供来电号码"; return; }
  let items, recent = null, cases = [];
  try {  // the governance desk, when the service has it: history, count in 30 days, open cases
    const hist = await api(`/governance/callers/history?phone=${encodeURIComponent(number)}&limit=10`);
    items = hist.tickets.map((t) => ({ ...t, status_label: t.status, lead: t.lead_unit }));
    recent = hist.last_30_days;
    cases = hist.open_cases;
  } catch (e) {
    if (e.status !== 404) { toast(e.message, "error"); return; }
    const page = await attempt(() => api(`/tickets?caller_number=${encodeURIComponent(number)}&size=10`));
    if (!page) return;
    items = page.items.map((t) => ({ ...t, lead: t.lead_unit ? t.lead_unit.name : null }));
  }
  const open = items.filter((t) => !["closed", "visited", "archived"].includes(t.status));
  box.classList.remove("muted");
  box.replaceChildren(
    open.length || cases.length ? h("div", { class: "alert", id: "repeat-alert" }, `重复来电提醒：该号码有 ${open.length} 件未办结工单` +
      (recent !== null ? `，近 30 日来电 ${recent} 次` : "") + (cases.length ? `，${cases.length} 个未结案件（${cases.map((c) => c.kind_label).join("、")}）` : "") +
      "，请核实是否同一诉求。") : "",
    items.length ? h("ul", { class: "list" }, items.map((t) => h("li", {},
      h("b", {}, t.number), ` ${t.title} `, h("span", { class: "tag" }, labels[t.status] || t.status_label || t.status),
      h("div", { class: "muted" }, `${fmt(t.created_at)} · ${t.lead || "未派单"}`))))
      : h("p", { class: "muted" }, "该号码没有历史工单。"));
}

export async function relatedAppeals(box, body) {
  try {
    const r = await api("/governance/related", { method: "POST", body });
    const others = r.tickets.filter((t) => !t.same_caller);
    if (!others.length && !r.would_trigger.length && !r.cases.length) return;
    box.replaceChildren(h("div", { class: "alert" }, r.hint),
      h("ul", { class: "list" }, others.slice(0, 5).map((t) => h("li", {}, h("b", {}, t.number), ` ${t.title} `,
        h("span", { class: "muted" }, `${t.township} · 相似度 ${((t.similarity || 0) * 100).toFixed(0)}%`)))));
  } catch (e) {
    if (e.status !== 404) box.replaceChildren(h("p", { class: "muted" }, e.message));
  }
}
