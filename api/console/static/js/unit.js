// 承办单位掌上办（手机优先，360px 可用）：本单位工单、时限倒计时、签收、答复、申请延期、退单、现场照片。
import { $, api, attempt, blobUrl, countdown, fmt, h, shell } from "./app.js";

const me = shell("unit.html", { roles: ["unit_staff"], phone: true });
const LIVE = new Set(["dispatched", "handling"]);

function deadlineOf(t) {
  if (t.status === "dispatched") return { label: "签收时限", at: t.sign_by };
  if (t.status === "handling") return { label: "办结时限", at: t.close_by };
  return null;
}

async function load() {
  const statuses = $("#filter").value.split(",").filter(Boolean);
  const q = statuses.map((s) => `status=${s}`).join("&");
  const page = await attempt(() => api(`/tickets?size=50${q ? "&" + q : ""}`));
  if (!page) return;
  const items = [...page.items].sort((a, b) => new Date(deadlineOf(a)?.at || 8.64e15) - new Date(deadlineOf(b)?.at || 8.64e15));
  $("#unit-summary").textContent = `${me.display_name} · ${page.total} 件`;
  $("#tickets").replaceChildren(...(items.length ? items.map(card) : [h("p", { class: "muted" }, "没有工单。")]));
  tick();
}

function card(t) {
  const d = deadlineOf(t);
  const el = h("article", { class: "card", dataset: { id: t.id, number: t.number } },
    h("h3", {}, t.title),
    h("div", { class: "muted" }, `${t.number} · ${t.appeal_type} · ${t.urgency}`),
    h("div", {}, h("span", { class: "tag" }, t.status_label), t.supervised ? h("span", { class: "tag red" }, "督办") : "",
      t.extension_status === "pending" ? h("span", { class: "tag amber" }, "延期待审批") : "",
      d && d.at ? h("span", {}, `${d.label} `, h("span", { class: "countdown", dataset: { at: d.at } })) : ""),
    h("button", { type: "button", class: "open", onclick: () => toggle(el, t) }, "查看与办理"),
    h("div", { class: "detail hidden" }));
  return el;
}

function tick() {
  for (const el of document.querySelectorAll(".countdown[data-at]")) {
    const c = countdown(el.dataset.at);
    el.textContent = c.text;
    el.className = `countdown ${c.cls}`;
  }
}

async function toggle(el, t) {
  const box = el.querySelector(".detail");
  if (!box.classList.contains("hidden")) { box.classList.add("hidden"); return; }
  box.classList.remove("hidden");
  const [full, atts] = await Promise.all([attempt(() => api(`/tickets/${t.id}`)), attempt(() => api(`/tickets/${t.id}/attachments`))]);
  if (!full) return;
  box.replaceChildren(...detail(full, atts || []));
  for (const img of box.querySelectorAll("img[data-src]")) img.src = await blobUrl(img.dataset.src);
}

function detail(t, atts) {
  const can = new Set(t.allowed_actions);
  const reason = h("textarea", { rows: 3, class: "reason", placeholder: "答复内容 / 退单或延期理由", "aria-label": "办理意见" });
  const days = h("input", { type: "number", min: 1, max: 10, value: 3, class: "days", "aria-label": "延期工作日数" });
  const act = (action, extra = {}) => attempt(async () => {
    await api(`/tickets/${t.id}/actions/${action}`, { method: "POST", body: { comment: reason.value.trim(), ...extra } });
    await load();
  }, "已提交");
  const file = h("input", { type: "file", accept: "image/*,application/pdf", capture: "environment", class: "photo", "aria-label": "上传现场照片" });
  file.addEventListener("change", () => attempt(async () => {
    for (const f of file.files) {
      const form = new FormData();
      form.append("file", f, f.name);
      await api(`/tickets/${t.id}/attachments`, { method: "POST", form });
    }
    const box = file.closest(".detail");
    const fresh = await api(`/tickets/${t.id}/attachments`);
    box.replaceChildren(...detail(t, fresh));
    for (const img of box.querySelectorAll("img[data-src]")) img.src = await blobUrl(img.dataset.src);
  }, "附件已上传"));
  return [
    h("p", {}, t.content),
    h("p", { class: "muted" }, `地址：${[t.township, t.village, t.address_detail].filter(Boolean).join(" ") || "未填"}`),
    h("p", { class: "muted" }, `来电人：${t.caller_name || "—"} ${t.contact_number || ""}${t.confidential ? "（保密）" : ""}`),
    h("p", { class: "muted" }, `派单：${fmt(t.dispatched_at)}　签收时限：${fmt(t.sign_by)}　办结时限：${fmt(t.close_by)}`),
    t.reply ? h("div", { class: "note" }, `答复：${t.reply}`) : "",
    h("h3", {}, `附件（${atts.length}）`),
    h("div", { class: "thumbs" }, atts.map((a) => a.content_type.startsWith("image/")
      ? h("img", { alt: a.filename, title: `${a.filename} · ${a.uploaded_by}`, "data-src": `/tickets/${t.id}/attachments/${a.id}` })
      : h("span", { class: "tag" }, a.filename))),
    LIVE.has(t.status) ? h("label", { class: "file-button" }, "拍照或选择照片上传", file) : "",
    can.size ? reason : "",
    h("div", { class: "row" },
      can.has("sign") ? h("button", { class: "primary", type: "button", "data-action": "sign", onclick: () => act("sign") }, "签收") : "",
      can.has("reply") ? h("button", { class: "primary", type: "button", "data-action": "reply",
        onclick: () => act("reply", { reply: reason.value.trim() }) }, "答复办结") : "",
      can.has("request_extension") ? h("span", { class: "row" }, days, "个工作日", h("button", { type: "button", "data-action": "request_extension",
        onclick: () => act("request_extension", { extension_days: Number(days.value) }) }, "申请延期")) : "",
      can.has("return") ? h("button", { class: "danger", type: "button", "data-action": "return", onclick: () => act("return") }, "退单") : ""),
  ];
}

$("#filter").addEventListener("change", load);
await load();
setInterval(tick, 30000);
