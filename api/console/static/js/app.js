// 控制台公共部分：登录令牌、调用 /api/v1、按角色显示的导航、小工具。无外部依赖。
export const API = "/api/v1";
const TOKEN = "hotline.token", USER = "hotline.user";

export const PAGES = [
  { href: "desk.html", label: "坐席工作台", roles: ["agent", "supervisor", "admin"] },
  { href: "unit.html", label: "掌上办", roles: ["unit_staff"] },
  { href: "callbacks.html", label: "回访", roles: ["agent", "supervisor", "admin"] },
  { href: "qa.html", label: "质检", roles: ["qa", "supervisor", "admin", "agent"] },
  { href: "dashboard.html", label: "督办看板", roles: ["supervisor", "admin"] },
  { href: "kb.html", label: "知识库", roles: ["agent", "supervisor", "admin", "qa", "unit_staff"] },
  { href: "ask.html", label: "自助问答", roles: null },
];
export const HOME = { agent: "desk.html", unit_staff: "unit.html", qa: "qa.html", supervisor: "dashboard.html", admin: "dashboard.html" };

export const token = () => localStorage.getItem(TOKEN);
export const user = () => JSON.parse(localStorage.getItem(USER) || "null");

export function saveLogin(tok, me) {
  localStorage.setItem(TOKEN, tok);
  localStorage.setItem(USER, JSON.stringify(me));
}

export function clearLogin() {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(USER);
}

export class ApiError extends Error {
  constructor(status, code, message, details) { super(message); this.status = status; this.code = code; this.details = details; }
}

/** Calls the API; throws ApiError with the service's Chinese message. */
export async function api(path, { method = "GET", body, form, raw = false, auth = true } = {}) {
  const headers = {};
  if (auth && token()) headers.Authorization = `Bearer ${token()}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  let r;
  try {
    r = await fetch(API + path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, "network", "无法连接服务，请检查网络");
  }
  if (r.status === 401 && auth) {
    clearLogin();
    location.href = "index.html?next=" + encodeURIComponent(location.pathname.split("/").pop());
    throw new ApiError(401, "authentication_failed", "登录已失效，请重新登录");
  }
  if (!r.ok) {
    let err = {};
    try { err = (await r.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(r.status, err.code || "error", err.message || `请求失败（${r.status}）`, err.details);
  }
  if (raw) return r;
  if (r.status === 204) return null;
  return r.json();
}

/** A file behind the API (recording, photo) as an object URL the page can show. */
export async function blobUrl(path) {
  const r = await api(path, { raw: true });
  return URL.createObjectURL(await r.blob());
}

/** Element builder: h("div", {class: "x", onclick}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function toast(message, kind = "") {
  const el = h("div", { class: `toast ${kind}`, role: "status" }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 6000 : 3000);
}

/** Runs an async action, reports its error as a toast; returns its value or undefined. */
export async function attempt(fn, done) {
  try {
    const v = await fn();
    if (done) toast(done);
    return v;
  } catch (e) {
    if (e.status !== 401) toast(e.message || String(e), "error");
    return undefined;
  }
}

const pad = (n) => String(n).padStart(2, "0");
export function fmt(value) {
  if (!value) return "";
  const d = new Date(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "剩 3 小时 20 分" / "已超期 2 小时" for a deadline. */
export function countdown(deadline, now = Date.now()) {
  if (!deadline) return { text: "", cls: "" };
  let ms = new Date(deadline).getTime() - now;
  const late = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86400000), hr = Math.floor(ms / 3600000) % 24, mi = Math.floor(ms / 60000) % 60;
  const span = d ? `${d} 天 ${hr} 小时` : hr ? `${hr} 小时 ${mi} 分` : `${mi} 分钟`;
  return { text: late ? `已超期 ${span}` : `剩 ${span}`, cls: late ? "late" : ms < 4 * 3600000 ? "soon" : "" };
}

export const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

/** The page frame: header with the navigation this role may use; sends others to login. */
export function shell(current, { roles = null, phone = false } = {}) {
  const me = user();
  if (roles && (!me || !token())) {
    location.href = "index.html?next=" + encodeURIComponent(current);
    throw new Error("login required");
  }
  if (phone) document.body.classList.add("phone");
  const links = PAGES.filter((p) => !p.roles || (me && p.roles.includes(me.role)));
  const nav = h("nav", { "aria-label": "页面" }, links.map((p) =>
    h("a", { href: p.href, "aria-current": p.href === current ? "page" : null }, p.label)));
  const right = me
    ? h("span", { class: "who" }, `${me.display_name}（${me.role_label}） `,
        h("button", { type: "button", onclick: logout, id: "logout" }, "退出"))
    : h("a", { href: "index.html" }, "工作人员登录");
  document.body.prepend(h("header", { class: "top" }, h("span", { class: "brand" }, "12345 热线智能助手"), nav, right));
  const main = $("main");
  if (roles && !roles.includes(me.role)) {
    main.replaceChildren(h("div", { class: "panel alert" }, "当前账号无权使用此页面。"),
      h("a", { href: HOME[me.role] || "index.html" }, "返回我的首页"));
    throw new Error("forbidden");
  }
  return me;
}

async function logout() {
  try { await api("/auth/logout", { method: "POST" }); } catch { /* already gone */ }
  clearLogin();
  location.href = "index.html";
}

/** Marks the text of spans inside a sentence: [{start, end}] → nodes. */
export function highlight(text, spans) {
  const out = [];
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at || s.end > text.length) continue;
    out.push(text.slice(at, s.start), h("mark", {}, text.slice(s.start, s.end)));
    at = s.end;
  }
  out.push(text.slice(at));
  return out;
}

export async function vocab() {
  if (!vocab.cache) vocab.cache = await api("/vocab", { auth: false });
  return vocab.cache;
}
