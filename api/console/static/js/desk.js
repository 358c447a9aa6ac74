// 坐席工作台：实时转写（WebSocket）、答案推荐、工单草稿（字段出处、可修改）、分类派单建议、来电人历史、提交或直接办结。
import { $, api, attempt, fmt, h, shell, toast, vocab } from "./app.js";
import { callerHistory, relatedAppeals } from "./caller.js";
import { LiveStream } from "./live.js";

shell("desk.html", { roles: ["agent", "supervisor", "admin"] });

// form field → [draft field, label, kind]
const FIELDS = [
  ["caller_name", "caller_name", "来电人", "text"],
  ["contact_number", "phones", "联系电话", "tel"],
  ["id_number", "id_number", "身份证号", "text"],
  ["appeal_type", "appeal_type", "诉求类型", "appeal"],
  ["urgency", "urgency", "紧急程度", "urgency"],
  ["category", "category", "分类（用 / 分级）", "text"],
  ["title", "title", "标题", "text"],
  ["content", "summary", "诉求内容", "area"],
  ["township", "township", "乡镇", "text"],
  ["village", "village", "村（社区）", "text"],
  ["address_detail", "address_detail", "详细地址", "text"],
  ["event_time", "event_time", "事件时间", "text"],
  ["confidential", "confidential", "来电人要求保密", "check"],
  ["callback_ok", "callback_ok", "接受回访", "check"],
];
const state = { call: null, segments: [], touched: new Set(), draft: {}, routeTimer: null, dispatch: null };
const V = await vocab();

function buildForm() {
  const form = $("#ticket-form");
  form.replaceChildren();
  for (const [name, , label, kind] of FIELDS) {
    const id = `f-${name}`;
    let input;
    if (kind === "appeal" || kind === "urgency") {
      const opts = kind === "appeal" ? V.appeal_types : V.urgencies;
      input = h("select", { id, name }, opts.map((o) => h("option", { value: o }, o)));
    } else if (kind === "area") input = h("textarea", { id, name, rows: 4 });
    else if (kind === "check") input = h("input", { id, name, type: "checkbox" });
    else input = h("input", { id, name, type: kind === "tel" ? "tel" : "text" });
    input.addEventListener("change", () => edited(name));
    const src = h("div", { class: "src", id: `src-${name}` });
    form.append(kind === "check"
      ? h("div", { class: "field" }, h("label", {}, input, " ", label), src)
      : h("div", { class: "field" }, h("label", { for: id }, label), input, src));
  }
  $("#f-callback_ok").checked = true;
  form.append(
    h("label", { for: "f-lead" }, "主办单位（派单）"),
    h("select", { id: "f-lead" }, h("option", { value: "" }, "暂不派单")),
    h("label", { for: "f-reply" }, "当场答复内容（直接办结时填写）"),
    h("textarea", { id: "f-reply", rows: 3 }),
    h("div", { class: "row gap-above" },
      h("button", { class: "primary", type: "submit", id: "submit-ticket" }, "提交工单"),
      h("button", { type: "button", id: "direct-close", accesskey: "d", onclick: directClose }, "直接办结")),
  );
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
}

async function loadUnits() {
  const units = await attempt(() => api("/units"));
  const sel = $("#f-lead");
  for (const u of units || []) sel.append(h("option", { value: u.code }, `${u.name}（${u.level}）`));
}

function fieldValue(name) {
  const el = $(`#f-${name}`);
  return el.type === "checkbox" ? el.checked : el.value.trim();
}

async function edited(name) {
  state.touched.add(name);
  if (!state.call) return;
  const [, draftName] = FIELDS.find((f) => f[0] === name);
  let value = fieldValue(name);
  if (name === "contact_number") value = value ? [value] : [];
  if (name === "category") value = value ? value.split("/").map((x) => x.trim()).filter(Boolean) : [];
  await attempt(() => api(`/calls/${state.call.id}/draft`, { method: "PUT", body: { field: draftName, value } }));
  const src = $(`#src-${name}`);
  src.replaceChildren("坐席已修改（不再被自动覆盖）");
  if (["township", "village", "address_detail"].includes(name)) scheduleRouting();
}

function showDraft(draft) {
  state.draft = draft || {};
  for (const [name, draftName, , kind] of FIELDS) {
    const f = state.draft[draftName];
    if (!f) continue;
    const el = $(`#f-${name}`);
    let value = f.value;
    if (name === "contact_number") value = (value || [])[0] || "";
    if (name === "category" && Array.isArray(value)) value = value.join("/");
    if (!state.touched.has(name) && value !== null && value !== undefined && value !== "") {
      if (kind === "check") el.checked = Boolean(value);
      else if (el.tagName === "SELECT") { if ([...el.options].some((o) => o.value === value)) el.value = value; }
      else el.value = String(value);
    }
    const src = $(`#src-${name}`);
    if (state.touched.has(name) || f.source === "agent") { src.replaceChildren("坐席已修改（不再被自动覆盖）"); continue; }
    const spans = f.spans || [];
    const conf = f.confidence ? `置信度 ${(f.confidence * 100).toFixed(0)}%` : "";
    if (spans.length) {
      src.replaceChildren("出处：", ...spans.slice(0, 3).flatMap((s, i) => [i ? "；" : "", "“", h("mark", {}, s.text), "”",
        ` （${Math.floor(s.time / 60)}:${String(Math.floor(s.time % 60)).padStart(2, "0")}）`]), "　", conf);
    } else if (f.source === "classifier") src.replaceChildren(`由分类模型给出，${conf}`);
    else src.replaceChildren(conf);
  }
}

function showSegments(segments) {
  for (const s of segments) {
    if (state.segments.some((x) => x.seq === s.seq)) continue;
    state.segments.push(s);
    const who = s.speaker === "agent" ? "坐席" : s.speaker === "caller" ? "来电人" : "未分角色";
    $("#transcript").append(h("div", { class: `seg ${s.speaker || ""}`, dataset: { seq: s.seq } },
      h("span", { class: "who" }, `${who} ${s.start.toFixed(1)}s`), s.text));
    if (s.speaker !== "agent") document.querySelector("#transcript .seg.interim")?.remove();
  }
  $("#transcript").scrollTop = $("#transcript").scrollHeight;
  if (segments.some((s) => s.speaker !== "agent")) scheduleRouting();
}

// the caller is still speaking: provisional words (replaced by the final segment) and suggestions
function showInterim(d) {
  let line = document.querySelector("#transcript .seg.interim");
  if (!line) {
    line = h("div", { class: "seg caller interim muted" });
    $("#transcript").append(line);
  }
  line.replaceChildren(h("span", { class: "who" }, `来电人（说话中） ${d.start.toFixed(1)}s`), d.text);
  $("#transcript").scrollTop = $("#transcript").scrollHeight;
  if (d.suggestions) showSuggestions(d.suggestions, true);
}

function showSuggestions(result, provisional = false) {
  const box = $("#suggestions");
  if (!result) return;
  box.classList.remove("muted");
  if (!result.suggestions.length || result.mode === "none") {
    box.replaceChildren(h("p", { class: "muted" }, "知识库暂无可靠答案，请按工单受理。"));
    return;
  }
  const label = result.mode === "answer" ? h("span", { class: "tag green" }, "可直接答复") : h("span", { class: "tag amber" }, "候选，请核对");
  const when = provisional ? h("span", { class: "tag" }, "暂定：来电人仍在说话") : "";
  box.replaceChildren(h("p", {}, label, " ", when, ` 置信度 ${(result.confidence * 100).toFixed(0)}%`), h("ol", { class: "list", id: "suggestion-list" },
    result.suggestions.map((s) => h("li", {},
      h("b", {}, s.question),
      h("div", { class: "answer" }, s.answer),
      h("div", { class: "muted" }, `出处：${s.source || "本县知识库"} · 条目 ${s.code}`, s.unit ? ` · 责任单位：${s.unit}` : "",
        s.valid_to ? ` · 有效期至 ${s.valid_to}` : "", ` · 命中“${s.matched_text.slice(0, 40)}”`),
      h("button", { type: "button", onclick: () => { $("#f-reply").value = s.answer; $("#f-reply").focus(); } }, "用作当场答复")))));
}

function callerText() {
  return state.segments.filter((s) => s.speaker !== "agent").map((s) => s.text).join("。");
}

function scheduleRouting() {
  clearTimeout(state.routeTimer);
  state.routeTimer = setTimeout(routing, 600);
}

async function routing() {
  const text = callerText() || fieldValue("content");
  if (!text) return;
  const address = ["township", "village", "address_detail"].map(fieldValue).join("") || null;
  const box = $("#routing");
  try {
    const [cls, disp] = await Promise.all([api("/classify", { method: "POST", body: { text } }),
      api("/dispatch", { method: "POST", body: { text, address } })]);
    state.dispatch = disp;
    box.classList.remove("muted");
    if (state.call) relatedAppeals($("#related"), { phone: state.call.caller_number || "", text: callerText().slice(-2000), township: fieldValue("township") });
    const pred = (p, label) => p ? h("div", { class: "pred" }, h("b", {}, `${label}：`), p.path && p.path.length ? p.path.join("/") : p.label,
      h("span", { class: "muted" }, ` 置信度 ${(p.confidence * 100).toFixed(0)}%`),
      p.evidence && p.evidence.length ? h("span", { class: "muted" }, `，依据：${p.evidence.slice(0, 4).join("、")}`) : "",
      p.alternatives && p.alternatives.length ? h("span", { class: "muted" }, `；其次：${p.alternatives.slice(0, 2).map((a) => a.label).join("、")}`) : "") : null;
    box.replaceChildren(
      pred(cls.appeal_type, "诉求类型"), pred(cls.urgency, "紧急程度"), pred(cls.category, "分类"),
      h("h3", {}, disp.escalate ? "建议提交县政府协调" : `建议主办：${disp.unit_name}`),
      h("ul", { id: "dispatch-reasons" }, disp.explanation.map((x) => h("li", {}, x))),
      h("button", { type: "button", id: "use-dispatch", onclick: useDispatch }, "采用派单建议"));
  } catch (e) {
    box.replaceChildren(h("p", { class: "alert" }, e.message));
  }
}

function useDispatch() {
  const d = state.dispatch;
  if (!d) return;
  const sel = $("#f-lead");
  if (![...sel.options].some((o) => o.value === d.unit_code)) sel.append(h("option", { value: d.unit_code }, d.unit_name));
  sel.value = d.unit_code;
  toast(`已选择主办单位：${d.unit_name}`);
}

async function startCall() {
  if (state.call) return;
  const number = $("#caller-number").value.trim();
  const call = await attempt(() => api("/calls", { method: "POST", body: { caller_number: number } }));
  if (!call) return;
  Object.assign(state, { call, segments: [], touched: new Set(), draft: {}, dispatch: null });
  buildForm();
  await loadUnits();
  $("#transcript").replaceChildren();
  $("#call-status").textContent = `通话中（编号 ${call.uid}，${fmt(call.started_at)} 开始）`;
  $("#start-call").disabled = true;
  for (const id of ["#end-call", "#mic", "#seg-text"]) $(id).disabled = false;
  $("#seg-text").focus();
  $("#related").replaceChildren();
  callerHistory($("#history"), number, V.statuses || {});
}

async function addSegment(ev) {
  ev.preventDefault();
  const text = $("#seg-text").value.trim();
  if (!text || !state.call) return;
  const last = state.segments.at(-1);
  const start = last ? last.end + 0.5 : 0;
  const end = start + Math.max(1, text.length * 0.25);
  const upd = await attempt(() => api(`/calls/${state.call.id}/segments`, { method: "POST",
    body: { segments: [{ speaker: $("#seg-speaker").value, start, end, text }] } }));
  if (!upd) return;
  $("#seg-text").value = "";
  showSegments(upd.segments);
  if (upd.suggestions) showSuggestions(upd.suggestions);
  if (upd.draft) showDraft(upd.draft);
}

function ticketBody() {
  const body = {};
  for (const [name] of FIELDS) body[name] = fieldValue(name);
  body.category = body.category ? body.category.split("/").map((x) => x.trim()).filter(Boolean) : [];
  body.event_time = body.event_time || null;
  body.caller_number = state.call ? state.call.caller_number : "";
  body.channel = "phone";
  const lead = $("#f-lead").value;
  if (lead) {
    const co = (state.dispatch && state.dispatch.unit_code === lead ? state.dispatch.co_units : []).map((c) => c.code);
    body.dispatch = { lead_unit: lead, co_units: co };
  }
  return body;
}

async function submit(direct = false) {
  if (!state.call) { toast("请先接听来电", "error"); return; }
  const body = ticketBody();
  if (direct) delete body.dispatch;
  if (direct && fieldValue("reply").length < 5) { toast("直接办结须填写当场答复内容", "error"); $("#f-reply").focus(); return; }
  const ticket = await attempt(() => api(`/calls/${state.call.id}/ticket`, { method: "POST", body }));
  if (!ticket) return;
  if (direct) {
    const closed = await attempt(() => api(`/tickets/${ticket.id}/actions/direct_close`, { method: "POST",
      body: { reply: fieldValue("reply"), comment: "坐席当场答复" } }));
    if (!closed) { toast(`工单 ${ticket.number} 已受理，但直接办结失败`, "error"); return; }
  }
  $("#call-status").replaceChildren(h("span", { id: "ticket-result" },
    `工单 ${ticket.number} ${direct ? "已直接办结" : body.dispatch ? "已受理并派单" : "已受理"}`));
  toast(`工单 ${ticket.number} 已提交`);
  await endCall();
}

const directClose = () => submit(true);

async function endCall() {
  if (!state.call) return;
  if (live && live.open) { live.stop(true); live = null; $("#mic").textContent = "接入话筒（实时转写）"; }
  else await attempt(() => api(`/calls/${state.call.id}/end`, { method: "POST" }));
  state.call = null;
  $("#start-call").disabled = false;
  for (const id of ["#end-call", "#mic", "#seg-text"]) $(id).disabled = true;
  if (!$("#ticket-result")) $("#call-status").textContent = "通话已结束";
}

// --- live audio through the WebSocket
let live = null;
async function toggleMic() {
  if (live && live.audio) { live.stop(); $("#mic").textContent = "接入话筒（实时转写）"; return; }
  live = new LiveStream(state.call.id, {
    segment: (d) => showSegments([d]), suggestions: (d) => showSuggestions(d), interim: showInterim, draft: showDraft,
    error: (d) => toast(d.message, "error"), ended: (d) => { $("#ws-status").textContent = `实时转写结束，共 ${d.segments} 句`; },
  }, () => ($("#seg-speaker").value === "agent" ? 0 : 1));
  try {
    await live.start();
  } catch (e) {
    toast(e.message, "error");
    return;
  }
  $("#mic").textContent = "断开话筒";
  $("#ws-status").textContent = "实时转写中…";
}

buildForm();
await loadUnits();
$("#start-call").addEventListener("click", startCall);
$("#end-call").addEventListener("click", endCall);
$("#mic").addEventListener("click", toggleMic);
$("#seg-form").addEventListener("submit", addSegment);
document.addEventListener("keydown", (ev) => {
  if (ev.altKey && ev.key.toLowerCase() === "n") { ev.preventDefault(); startCall(); }
  else if (ev.altKey && ev.key.toLowerCase() === "t") { ev.preventDefault(); $("#seg-text").focus(); }
  else if (ev.altKey && ev.key.toLowerCase() === "d") { ev.preventDefault(); directClose(); }
  else if (ev.ctrlKey && ev.key === "Enter") { ev.preventDefault(); submit(); }
});
