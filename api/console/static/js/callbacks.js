// 回访：工作列表、回访话术、记录拨打（未接通自动安排下次）、读取答复并一键确认结果。
import { $, api, attempt, countdown, fmt, h, shell } from "./app.js";

shell("callbacks.html", { roles: ["agent", "supervisor", "admin"] });
const SIDES = { unit: "unit", external: "outside", outside: "outside" };

async function load() {
  const rows = await attempt(() => api(`/callbacks?include_future=${$("#future").checked}`));
  if (!rows) return;
  $("#worklist").replaceChildren(...(rows.length ? rows.map((c) => {
    const due = countdown(c.due_by);
    return h("li", { class: "clickable", tabindex: 0, dataset: { id: c.id, number: c.ticket_number },
      onclick: () => open(c), onkeydown: (e) => { if (e.key === "Enter") open(c); } },
    h("b", {}, c.ticket_number), ` 第 ${c.attempts + 1} 次 `, c.overdue ? h("span", { class: "tag red" }, "超期") : "",
    h("div", { class: "muted" }, `回访时限 ${fmt(c.due_by)} `, h("span", { class: `countdown ${due.cls}` }, due.text)));
  }) : [h("li", { class: "muted" }, "现在没有需要拨打的回访。")]));
}

async function open(c) {
  for (const li of document.querySelectorAll("#worklist li")) li.classList.toggle("sel", li.dataset.id === String(c.id));
  const [script, ticket] = await Promise.all([attempt(() => api(`/callbacks/${c.id}/script`)), attempt(() => api(`/tickets/${c.ticket_id}`))]);
  const box = $("#callback");
  box.classList.remove("muted");
  const notes = h("textarea", { id: "cb-notes", rows: 3, placeholder: "来电人的答复（转写或记录），如：问题解决了，挺满意的" });
  const keys = h("input", { id: "cb-keys", placeholder: "IVR 按键（可选，如 11）", inputmode: "numeric" });
  const outcome = h("div", { id: "outcome" });
  box.replaceChildren(
    ticket ? h("p", {}, h("b", {}, `${ticket.number} ${ticket.title}`), h("br"), h("span", { class: "muted" },
      `${ticket.lead_unit ? ticket.lead_unit.name : ""} 答复：${ticket.reply || "—"}`)) : "",
    h("h3", {}, "回访话术"), h("div", { class: "note answer", id: "script" }, script ? script.script : ""),
    h("label", { for: "cb-notes" }, "答复"), notes, keys,
    h("div", { class: "row gap-above" },
      h("button", { class: "primary", type: "button", id: "reached", onclick: () => dial(c, true, notes, keys, outcome) }, "已接通，识别答复"),
      h("button", { type: "button", id: "unreached", onclick: () => dial(c, false, notes, keys, outcome) }, "未接通")),
    outcome);
}

async function dial(c, reached, notes, keys, outcome) {
  const r = await attempt(() => api(`/callbacks/${c.id}/attempts`, { method: "POST",
    body: { reached, transcript: notes.value.trim(), keys: keys.value.trim() } }));
  if (!r) return;
  if (!reached) {
    outcome.replaceChildren(h("p", { class: "note" }, r.callback.status === "pending"
      ? `未接通，已安排下次拨打：${fmt(r.callback.next_attempt_at)}` : "未接通，已达最多拨打次数。"));
    await load();
    return;
  }
  const s = r.suggestion || {};
  const res = h("select", { id: "cb-resolution" }, ["解决", "部分解决", "未解决"].map((x) => h("option", { selected: x === s.resolution }, x)));
  const sat = h("select", { id: "cb-satisfaction" }, ["满意", "基本满意", "不满意"].map((x) => h("option", { selected: x === s.satisfaction }, x)));
  const side = h("select", { id: "cb-side" }, [["", "（满意时不填）"], ["unit", "承办单位原因（重办并督办）"], ["outside", "非单位原因（记录）"]]
    .map(([v, l]) => h("option", { value: v, selected: s.reason && SIDES[s.reason.side] === v }, l)));
  const reason = h("input", { id: "cb-reason", placeholder: "不满意的原因", value: s.reason?.evidence || "" });
  const conf = s.resolution ? `识别结果（解决 ${(s.resolution_confidence * 100).toFixed(0)}%，满意 ${(s.satisfaction_confidence * 100).toFixed(0)}%）` +
    (s.needs_review ? "，置信度较低，请核对" : "") : "未能识别答复，请选择结果";
  const confirm = () => attempt(async () => {
    await api(`/callbacks/${c.id}/confirm`, { method: "POST",
      body: { resolution: res.value, satisfaction: sat.value, reason_side: sat.value === "不满意" ? side.value : "", reason: reason.value.trim() } });
    outcome.replaceChildren(h("p", { class: "note", id: "confirmed" }, `已确认：${res.value}、${sat.value}`));
    await load();
  }, "回访结果已记录");
  outcome.replaceChildren(h("h3", {}, conf), (s.evidence || []).length ? h("p", { class: "muted" }, `依据：${s.evidence.join("、")}`) : "",
    h("div", { class: "row fill" }, res, sat), side, reason,
    h("p", {}, h("button", { class: "primary", type: "button", id: "confirm", onclick: confirm }, "一键确认")));
  $("#confirm").focus();
}

$("#future").addEventListener("change", load);
await load();
