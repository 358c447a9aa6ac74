// 极简 SVG 图表（横向条形图、折线/柱状趋势），不依赖任何外部库。
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Horizontal bars: rows [{label, value, text?}], value in 0..max. */
export function bars(rows, { max = null, width = 520, color = "#1f5fae", format = (v) => String(v), title = "" } = {}) {
  const rowH = 22, labelW = 150, top = title ? 22 : 4;
  const m = max ?? Math.max(1, ...rows.map((r) => r.value || 0));
  const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${top + Math.max(rows.length, 1) * rowH + 4}`, role: "img", "aria-label": title });
  if (title) svg.append(el("text", { x: 0, y: 14, "font-weight": "700" }, title));
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(0, ((r.value || 0) / m) * (width - labelW - 70));
    svg.append(el("text", { x: labelW - 6, y: y + 15, "text-anchor": "end" }, r.label.length > 12 ? r.label.slice(0, 11) + "…" : r.label));
    svg.append(el("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, fill: r.color || color, rx: 2 }));
    svg.append(el("text", { x: labelW + w + 4, y: y + 15 }, r.text ?? format(r.value)));
  });
  if (!rows.length) svg.append(el("text", { x: 0, y: top + 14 }, "暂无数据"));
  return svg;
}

/** Daily columns: points [{label, value}]. */
export function columns(points, { width = 520, height = 160, color = "#1f5fae", title = "" } = {}) {
  const top = title ? 24 : 6, bottom = 20, n = Math.max(points.length, 1);
  const m = Math.max(1, ...points.map((p) => p.value));
  const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  if (title) svg.append(el("text", { x: 0, y: 14, "font-weight": "700" }, title));
  const bw = (width - 30) / n;
  points.forEach((p, i) => {
    const hgt = (p.value / m) * (height - top - bottom);
    const x = 30 + i * bw;
    svg.append(el("rect", { x: x + 1, y: height - bottom - hgt, width: Math.max(1, bw - 2), height: hgt, fill: color }));
    if (p.value) svg.append(el("text", { x: x + bw / 2, y: height - bottom - hgt - 2, "text-anchor": "middle" }, String(p.value)));
    if (i % Math.ceil(n / 8) === 0) svg.append(el("text", { x: x + bw / 2, y: height - 5, "text-anchor": "middle" }, p.label));
  });
  svg.append(el("text", { x: 0, y: top + 10 }, String(m)));
  return svg;
}
