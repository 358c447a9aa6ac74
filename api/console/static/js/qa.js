// 质检：评分列表、录音回放与转写同步、逐项扣分与证据、维持或推翻；坐席只看自己的并可申诉。
import { $, api, attempt, blobUrl, fmt, h, shell } from "./app.js";

const me = shell("qa.html", { roles: ["qa", "supervisor", "admin", "agent"] });
const REVIEWER = me.role !== "agent";
const ROUTES = { auto_accept: "自动通过", sample: "抽检", review: "人工复核" };
const STATUS = { accepted: "自动通过", pending: "待复核", reviewed: "已复核", appealed: "申诉中" };
if (!REVIEWER) $("#status").value = "";

async function load() {
  const st = $("#status").value;
  const rows = await attempt(() => api(`/qa/results?limit=100${st ? `&status=${st}` : ""}`));
  if (!rows) return;
  $("#results").replaceChildren(...(rows.length ? rows.map((r) => h("li", { class: "clickable", tabindex: 0, dataset: { id: r.id },
    onclick: () => open(r.id), onkeydown: (e) => { if (e.key === "Enter") open(r.id); } },
  h("b", {}, `通话 ${r.call_id}`), ` 得分 ${r.final_total ?? r.total} `,
  r.fatal ? h("span", { class: "tag red" }, "致命错误") : "", h("span", { class: "tag" }, STATUS[r.status] || r.status),
  h("div", { class: "muted" }, `${fmt(r.scored_at)} · ${ROUTES[r.route] || r.route}：${r.route_reason}`)))
    : [h("li", { class: "muted" }, "没有质检结果。")]));
}

function mmss(t) { return `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, "0")}`; }

async function open(id) {
  for (const li of document.querySelectorAll("#results li")) li.classList.toggle("sel", li.dataset.id === String(id));
  const r = await attempt(() => api(`/qa/results/${id}`));
  if (!r) return;
  const call = await attempt(() => api(`/calls/${r.call_id}`));
  const box = $("#detail");
  box.classList.remove("muted");
  const audio = h("audio", { controls: true, id: "player", class: "player", preload: "metadata" });
  const transcript = h("div", { class: "transcript", id: "qa-transcript" }, (call?.segments || []).map((s) =>
    h("div", { class: `seg ${s.speaker || ""} clickable`, dataset: { start: s.start, end: s.end }, tabindex: 0,
      onclick: () => seek(s.start) }, h("span", { class: "who" }, `${s.speaker === "agent" ? "坐席" : "来电人"} ${mmss(s.start)}`), s.text)));
  const seek = (t) => { audio.currentTime = t; if (audio.src) audio.play().catch(() => {}); highlightAt(t); };
  const highlightAt = (t) => {
    for (const el of transcript.children) el.classList.toggle("now", t >= Number(el.dataset.start) && t < Number(el.dataset.end) + 0.3);
  };
  audio.addEventListener("timeupdate", () => highlightAt(audio.currentTime));
  const items = r.items.filter((i) => i.applicable !== false);
  box.replaceChildren(
    h("p", {}, h("b", {}, `总分 ${r.total}`), r.final_total !== null && r.final_total !== r.total ? `（复核后 ${r.final_total}）` : "",
      ` · 置信度 ${(r.confidence * 100).toFixed(0)}% · ${STATUS[r.status] || r.status}`, r.fatal ? h("span", { class: "tag red" }, "致命错误") : ""),
    audio, h("p", { class: "muted", id: "audio-note" }),
    h("h3", {}, "转写（点击跳转录音）"), transcript,
    h("h3", {}, "扣分项"),
    h("ul", { class: "list", id: "items" }, items.filter((i) => i.violated).map((i) => item(r, i, seek))),
    items.some((i) => i.violated) ? "" : h("p", { class: "muted" }, "没有扣分项。"),
    h("details", {}, h("summary", {}, `未扣分项（${items.filter((i) => !i.violated).length}）`),
      h("ul", {}, items.filter((i) => !i.violated).map((i) => h("li", {}, `${i.name}：${i.message || "符合要求"}`)))),
  );
  try {
    audio.src = await blobUrl(`/calls/${r.call_id}/recording`);
    $("#audio-note").textContent = "";
  } catch (e) {
    $("#audio-note").textContent = e.message;
  }
}

function item(r, i, seek) {
  const comment = h("input", { placeholder: "复核意见", "aria-label": "复核意见", class: "comment" });
  const reviewed = i.review ? h("span", { class: `tag ${i.review === "overrule" ? "amber" : "green"}` }, i.review === "overrule" ? "已推翻" : "已维持") : "";
  const decide = (decision) => attempt(async () => {
    await api(`/qa/results/${r.id}/items/${encodeURIComponent(i.item_id)}/review`, { method: "POST", body: { decision, comment: comment.value.trim() } });
    await open(r.id);
    await load();
  }, decision === "accept" ? "已维持扣分" : "已推翻扣分");
  const appeal = () => attempt(async () => {
    await api(`/qa/results/${r.id}/appeal`, { method: "POST", body: { item_id: i.item_id, comment: comment.value.trim() } });
    await open(r.id);
  }, "申诉已提交");
  return h("li", { dataset: { item: i.item_id } },
    h("b", {}, i.name), ` 扣 ${i.deduction} 分 `, i.fatal ? h("span", { class: "tag red" }, "致命") : "", reviewed,
    h("div", {}, i.message),
    (i.evidence || []).map((ev) => h("div", { class: "muted clickable evidence", onclick: () => seek(ev.start) },
      `证据（${mmss(ev.start)}，${ev.speaker === "agent" ? "坐席" : "来电人"}）：`, h("mark", {}, ev.text))),
    h("div", { class: "row fill" }, comment,
      REVIEWER ? h("button", { class: "ok", type: "button", "data-decision": "accept", onclick: () => decide("accept") }, "维持") : "",
      REVIEWER ? h("button", { class: "danger", type: "button", "data-decision": "overrule", onclick: () => decide("overrule") }, "推翻") : "",
      !REVIEWER ? h("button", { type: "button", onclick: appeal }, "申诉") : ""));
}

$("#status").addEventListener("change", load);
await load();
