import { $, HOME, api, saveLogin } from "./app.js";

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const err = $("#login-error");
  err.classList.add("hidden");
  try {
    const t = await api("/auth/login", { method: "POST", auth: false,
      body: { username: $("#username").value.trim(), password: $("#password").value } });
    saveLogin(t.access_token, null);
    const me = await api("/auth/me");
    saveLogin(t.access_token, me);
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && /^[a-z]+\.html$/.test(next) ? next : HOME[me.role] || "kb.html";
  } catch (e) {
    err.textContent = e.message;
    err.classList.remove("hidden");
  }
});
