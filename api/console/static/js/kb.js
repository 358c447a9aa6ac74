// 知识库：条目列表、编辑（保存为新版本）、提交审核 / 审核发布 / 退回 / 下线、命中测试、知识缺口。
import { $, api, attempt, fmt, h, shell, toast } from "./app.js";

const me = shell("kb.html", { roles: ["agent", "supervisor", "admin", "qa", "unit_staff"] });
const EDITOR = ["agent", "supervisor", "admin"].includes(me.role);
const REVIEWER = ["supervisor", "admin"].includes(me.role);
const MOVES = { submit: ["提交审核", EDITOR, ["draft"]], approve: ["审核发布", REVIEWER, ["in_review"]],
  reject: ["退回修改", REVIEWER, ["in_review"]], retire: ["下线", REVIEWER, ["published", "draft", "in_review"]],
  restore: ["恢复为草稿", REVIEWER, ["retired"]] };
const FIELDS = [["question", "标准问", "input"], ["similar_questions", "相似问（每行一个）", "lines"], ["answer", "答案", "area"],
  ["category", "分类（如 社会保障/养老保险）", "input"], ["unit", "责任单位", "input"], ["region", "适用地区", "input"],
  ["valid_from", "生效日期", "date"], ["valid_to", "失效日期", "date"], ["source", "依据或来源", "input"]];
let page = 1;
if (!EDITOR) for (const el of document.querySelectorAll(".editor-only")) el.classList.add("hidden");

async function load() {
  const q = $("#kb-q").value.trim(), st = $("#kb-status").value;
  const data = await attempt(() => api(`/kb/articles?page=${page}&size=20${q ? `&q=${encodeURIComponent(q)}` : ""}${st ? `&status=${st}` : ""}`));
  if (!data) return;
  $("#kb-list").replaceChildren(...data.items.map((a) => h("li", { class: "clickable", tabindex: 0, dataset: { code: a.code },
    onclick: () => open(a.code), onkeydown: (e) => { if (e.key === "Enter") open(a.code); } },
  h("b", {}, a.content.question), " ", h("span", { class: `tag ${a.status === "published" ? "green" : a.status === "in_review" ? "amber" : ""}` }, a.status_label),
  h("div", { class: "muted" }, `${a.code} · ${a.content.category || "未分类"} · 第 ${a.latest_version} 版${a.published_version && a.published_version !== a.latest_version ? `（在用第 ${a.published_version} 版）` : ""}`))));
  $("#kb-page").textContent = `第 ${page} 页，共 ${data.total} 条`;
  $("#kb-prev").disabled = page <= 1;
  $("#kb-next").disabled = page * 20 >= data.total;
}

function form(content = {}) {
  const els = {};
  const nodes = FIELDS.map(([name, label, kind]) => {
    const id = `kb-${name}`;
    let el;
    if (kind === "area" || kind === "lines") el = h("textarea", { id, rows: kind === "area" ? 6 : 3 });
    else el = h("input", { id, type: kind === "date" ? "date" : "text" });
    const v = content[name];
    el.value = Array.isArray(v) ? v.join("\n") : v || "";
    if (!EDITOR) el.readOnly = true;
    els[name] = el;
    return [h("label", { for: id }, label), el];
  });
  const value = () => Object.fromEntries(FIELDS.map(([name, , kind]) => {
    const v = els[name].value.trim();
    if (kind === "lines") return [name, v ? v.split("\n").map((x) => x.trim()).filter(Boolean) : []];
    if (kind === "date") return [name, v || null];
    return [name, v];
  }));
  return { nodes: nodes.flat(), value };
}

async function open(code) {
  for (const li of document.querySelectorAll("#kb-list li")) li.classList.toggle("sel", li.dataset.code === code);
  const [a, hist] = await Promise.all([attempt(() => api(`/kb/articles/${code}`)), attempt(() => api(`/kb/articles/${code}/history`))]);
  if (!a) return;
  const f = form(a.content);
  const comment = h("input", { id: "kb-comment", placeholder: "修改说明 / 审核意见" });
  const save = () => attempt(async () => {
    await api(`/kb/articles/${code}`, { method: "PUT", body: { ...f.value(), comment: comment.value.trim() } });
    await open(code); await load();
  }, "已保存为新版本");
  const move = (action) => attempt(async () => {
    await api(`/kb/articles/${code}/${action}`, { method: "POST", body: { comment: comment.value.trim() } });
    await open(code); await load();
  }, `已${MOVES[action][0]}`);
  $("#kb-editor").classList.remove("muted");
  $("#kb-editor").replaceChildren(
    h("p", {}, h("b", {}, a.code), ` ${a.status_label} · 第 ${a.latest_version} 版 · ${fmt(a.updated_at)}`),
    ...f.nodes,
    EDITOR ? comment : "",
    h("div", { class: "row gap-above" },
      EDITOR ? h("button", { class: "primary", type: "button", id: "kb-save", onclick: save }, "保存") : "",
      Object.entries(MOVES).filter(([, [, allowed, from]]) => allowed && from.includes(a.status)).map(([action, [label]]) =>
        h("button", { type: "button", "data-move": action, class: action === "retire" || action === "reject" ? "danger" : "", onclick: () => move(action) }, label))),
    h("details", {}, h("summary", {}, "审核记录"), h("ul", {}, (hist || []).map((e) =>
      h("li", {}, `${fmt(e.at)} ${e.actor} ${e.action}${e.comment ? `：${e.comment}` : ""}`)))));
}

function newArticle() {
  const f = form({ region: "全县" });
  const create = () => attempt(async () => {
    const a = await api("/kb/articles", { method: "POST", body: f.value() });
    toast(`已新建草稿 ${a.code}`);
    await load(); await open(a.code);
  });
  $("#kb-editor").classList.remove("muted");
  $("#kb-editor").replaceChildren(h("p", {}, h("b", {}, "新建条目（保存为草稿）")), ...f.nodes,
    h("p", {}, h("button", { class: "primary", type: "button", id: "kb-create", onclick: create }, "保存草稿")));
  $("#kb-question").focus();
}

async function hitTest() {
  const questions = $("#hit-questions").value.split("\n").map((x) => x.trim()).filter(Boolean);
  if (!questions.length) { toast("请输入测试问题", "error"); return; }
  const rows = await attempt(() => api("/kb/hit-test", { method: "POST", body: { questions, k: 3 } }));
  if (!rows) return;
  const MODE = { answer: ["直接答复", "green"], candidates: ["候选", "amber"], none: ["无答案", "red"] };
  $("#hit-results").replaceChildren(h("table", {}, h("tr", {}, h("th", {}, "问题"), h("th", {}, "结果"), h("th", {}, "命中条目")),
    rows.map((r) => h("tr", {}, h("td", {}, r.query), h("td", {}, h("span", { class: `tag ${MODE[r.mode][1]}` }, MODE[r.mode][0]), ` ${(r.confidence * 100).toFixed(0)}%`),
      h("td", {}, r.suggestions.map((s) => h("div", {}, `${s.code} ${s.question}（${s.score.toFixed(2)}）`)))))));
}

async function gaps() {
  const rows = await attempt(() => api("/kb/gaps?days=30"));
  if (!rows) return;
  $("#gaps").replaceChildren(...(rows.length ? rows.map((g) => h("li", {}, h("b", {}, g.example), ` ${g.size} 次 `,
    h("span", { class: "muted" }, `最近 ${fmt(g.last_asked)}`),
    h("button", { type: "button", onclick: () => { newArticle(); $("#kb-question").value = g.example; $("#kb-similar_questions").value = g.questions.join("\n"); } }, "补充条目")))
    : [h("li", { class: "muted" }, "近期没有知识缺口。")]));
}

async function exportCsv(ev) {
  ev.preventDefault();
  const r = await attempt(() => api("/kb/export?format=csv", { raw: true }));
  if (!r) return;
  const a = h("a", { href: URL.createObjectURL(await r.blob()), download: "knowledge_base.csv" });
  a.click();
}

$("#kb-q").addEventListener("change", () => { page = 1; load(); });
$("#kb-status").addEventListener("change", () => { page = 1; load(); });
$("#kb-prev").addEventListener("click", () => { page -= 1; load(); });
$("#kb-next").addEventListener("click", () => { page += 1; load(); });
$("#kb-new").addEventListener("click", newArticle);
$("#hit-run").addEventListener("click", hitTest);
$("#kb-export").addEventListener("click", exportCsv);
await load();
if (EDITOR) gaps();
