// 来电人自助问答（手机优先，无需登录）：提问、附出处的答复，或留言生成工单。
import { $, api, h, shell } from "./app.js";

shell("ask.html", { phone: true });

function showLeave(question) {
  $("#leave-form").classList.remove("hidden");
  $("#lm-question").value = question;
}

$("#ask-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const question = $("#question").value.trim();
  const box = $("#answer");
  box.replaceChildren(h("p", { class: "muted" }, "正在查找…"));
  try {
    const r = await api("/selfservice/ask", { method: "POST", auth: false, body: { question } });
    if (r.suggestions.length) {
      const s = r.suggestions[0];
      box.replaceChildren(h("div", { class: "card", id: "answer-card" }, h("p", { class: "muted" }, r.message), h("h3", {}, s.question),
        h("div", { class: "answer" }, s.answer),
        h("p", { class: "muted", id: "answer-source" }, `出处：${s.source || "本县政务知识库"}${s.unit ? ` · 责任单位：${s.unit}` : ""}${s.valid_to ? ` · 有效期至 ${s.valid_to}` : ""}`),
        h("button", { type: "button", onclick: () => showLeave(question) }, "没有解决？留言")));
    } else {
      box.replaceChildren(h("div", { class: "note", id: "no-answer" }, r.message));
      showLeave(question);
    }
  } catch (e) {
    box.replaceChildren(h("div", { class: "alert" }, e.message));
  }
});

$("#leave-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const r = await api("/selfservice/tickets", { method: "POST", auth: false, body: {
      name: $("#lm-name").value.trim(), phone: $("#lm-phone").value.trim(),
      township: $("#lm-township").value.trim(), question: $("#lm-question").value.trim() } });
    $("#leave-form").classList.add("hidden");
    $("#left").replaceChildren(h("div", { class: "note", id: "left-number", dataset: { number: r.number } }, r.message));
  } catch (e) {
    $("#left").replaceChildren(h("div", { class: "alert" }, e.message));
  }
});
