// The live page: polls /api/overview and /api/reactors once a second and
// redraws. Relative URLs, so the page works wherever the handler is
// mounted. History for the charts and rates lives here, not on the server.
"use strict";

const REFRESH_MS = 1000;
const HISTORY = 300; // points per chart: five minutes at one a second
const PAGE = 50;
const MAX_FLOW_NODES = 24;

// Fields of panel snapshots that count up (a table's ops, a router's
// routed events, a node's messages and bytes): the page shows their rate
// beside them, as "<field>/s".
const COUNTERS = new Set(["ops", "routed", "inMsgs", "outMsgs", "inBytes", "outBytes"]);

const state = {
  sort: "depth",
  desc: true,
  filter: "",
  offset: 0,
  prev: null, // previous overview, for rates
  prevHandled: new Map(), // reactor id -> [handled, time]
  prevFlows: new Map(), // "from>to" -> sampled
  history: { rate: [], dead: [], depth: [], live: [] },
  prevPanels: new Map(), // "panel/path/field" -> [value, time]
  reactorsSeq: 0, // the latest request of the reactors table; older answers are dropped
};

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const ns = ["svg", "g", "line", "circle", "text", "polyline", "polygon", "path", "defs", "marker", "title"].includes(tag)
    ? "http://www.w3.org/2000/svg" : null;
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fmt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(1) + " G";
  if (a >= 1e6) return (n / 1e6).toFixed(1) + " M";
  if (a >= 1e4) return (n / 1e3).toFixed(1) + " k";
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(a < 10 ? 1 : 0);
}

function fmtAge(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return Math.floor(s) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min";
  if (s < 86400) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}

function push(series, v) {
  series.push(v);
  if (series.length > HISTORY) series.shift();
}

function drawChart(id, series) {
  const svg = $("#" + id);
  svg.replaceChildren();
  const max = Math.max(1, ...series);
  $("#" + id + "-max").textContent = "max " + fmt(max);
  if (series.length < 2) return;
  const pts = series.map((v, i) => {
    const x = (i / (HISTORY - 1)) * 300;
    const y = 58 - (v / max) * 54;
    return x.toFixed(1) + "," + y.toFixed(1);
  });
  const lastX = ((series.length - 1) / (HISTORY - 1)) * 300;
  svg.append(el("polygon", { points: "0,60 " + pts.join(" ") + " " + lastX.toFixed(1) + ",60" }));
  svg.append(el("polyline", { points: pts.join(" ") }));
}

async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(url + ": " + r.status + " " + (await r.text()));
  return r.json();
}

function reactorsURL() {
  const p = new URLSearchParams({
    sort: state.sort, desc: String(state.desc), offset: String(state.offset), limit: String(PAGE),
  });
  if (state.filter) p.set("q", state.filter);
  return "api/reactors?" + p.toString();
}

// reloadReactors fetches the reactors table at once, after a change of
// sort, filter or page: the next poll would come up to a second later.
async function reloadReactors() {
  const seq = ++state.reactorsSeq;
  try {
    const page = await getJSON(reactorsURL());
    if (seq === state.reactorsSeq) renderReactors(page, null);
  } catch (err) {
    // The poll reports the connection's state.
  }
}

async function refresh() {
  try {
    const seq = ++state.reactorsSeq;
    const [ov, page] = await Promise.all([getJSON("api/overview"), getJSON(reactorsURL())]);
    renderOverview(ov);
    if (seq === state.reactorsSeq) renderReactors(page, new Date(ov.time).getTime());
    const s = $("#status");
    s.textContent = "live";
    s.className = "status live";
    $("#updated").textContent = "updated " + new Date(ov.time).toLocaleTimeString();
  } catch (err) {
    const s = $("#status");
    s.textContent = "disconnected";
    s.className = "status error";
    s.title = String(err);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

function renderOverview(ov) {
  const now = new Date(ov.time).getTime();
  let rate = null;
  let deadRate = 0;
  if (state.prev) {
    const dt = (now - state.prev.t) / 1000;
    if (dt > 0) {
      rate = Math.max(0, ov.handled - state.prev.handled) / dt;
      deadRate = Math.max(0, ov.deadLetters - state.prev.dead) / dt;
    }
  }
  state.prev = { t: now, handled: ov.handled, dead: ov.deadLetters };

  $("#stat-reactors").textContent = fmt(ov.reactors);
  $("#stat-rate").textContent = rate === null ? "–" : fmt(rate);
  $("#stat-handled").textContent = fmt(ov.handled);
  $("#stat-depth").textContent = fmt(ov.depth);
  $("#stat-deadletters").textContent = fmt(ov.deadLetters);
  $("#stat-failures").textContent = fmt(ov.failures) + " / " + fmt(ov.restarts);
  $("#stat-spawned").textContent = fmt(ov.spawned);
  $("#introspection").textContent = ov.introspection ? "" :
    "introspection off: build the system with reactor.WithIntrospection() for ages, connectors, recent dead letters and the flow map";

  if (rate !== null) push(state.history.rate, rate);
  push(state.history.dead, deadRate);
  push(state.history.depth, ov.depth);
  push(state.history.live, ov.reactors);
  drawChart("chart-rate", state.history.rate);
  drawChart("chart-dead", state.history.dead);
  drawChart("chart-depth", state.history.depth);
  drawChart("chart-live", state.history.live);

  const reasons = Object.entries(ov.byReason).sort((a, b) => b[1] - a[1]);
  $("#reasons tbody").replaceChildren(...(reasons.length ? reasons.map(([r, n]) =>
    el("tr", { "data-reason": r }, el("td", null, r), el("td", { class: "num" }, fmt(n)))) :
    [el("tr", null, el("td", { colspan: 2, class: "muted" }, "none"))]));

  $("#recent tbody").replaceChildren(...ov.recent.map((d) =>
    el("tr", { class: "dead-letter" },
      el("td", null, new Date(d.time).toLocaleTimeString()),
      el("td", null, d.channel), el("td", null, d.reason), el("td", null, d.type))));

  $("#global-queue").textContent = fmt(ov.globalQueue);
  $("#workers tbody").replaceChildren(...(ov.workers || []).map((w, i) =>
    el("tr", null, el("td", null, "#" + i), el("td", { class: "num" }, fmt(w.queue)),
      el("td", { class: "num" }, fmt(w.turns)), el("td", { class: "num" }, fmt(w.steals)),
      el("td", { class: "num" }, fmt(w.parks)), el("td", null, w.parked ? "yes" : ""))));

  renderFlows(ov, now);
  renderPanels(ov.panels, now);
}

// renderReactors draws a page of the reactors table. now is the server's
// time of the poll that fetched it, or null for a page fetched between
// polls, which shows the rates known and records none.
function renderReactors(page, now) {
  const rows = page.rows.map((r) => {
    const prev = state.prevHandled.get(r.id);
    let rate = null;
    if (now === null) {
      rate = prev ? prev[2] : null;
    } else {
      if (prev && now > prev[1]) rate = Math.max(0, r.handled - prev[0]) / ((now - prev[1]) / 1000);
      state.prevHandled.set(r.id, [r.handled, now, rate]);
    }
    const conns = r.connectors.map((c) => (c.name || "·") + (c.closed ? " (closed)" : "") + ": " + c.len).join(", ");
    return el("tr", { class: "reactor", "data-id": r.id, "data-name": r.name },
      el("td", null, r.name), el("td", { class: "num" }, r.id),
      el("td", { class: "state-" + r.state }, r.state), el("td", null, r.scheduler),
      el("td", { class: "num" }, fmt(r.depth)), el("td", { class: "num handled" }, fmt(r.handled)),
      el("td", { class: "num" }, rate === null ? "–" : fmt(rate)),
      el("td", { class: "num" }, fmt(r.restarts)), el("td", { class: "num" }, fmtAge(r.ageSeconds)),
      el("td", { class: "conns" }, conns));
  });
  if (state.prevHandled.size > 10 * PAGE) state.prevHandled.clear();
  $("#reactors tbody").replaceChildren(...rows);
  const from = page.matched === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.rows.length;
  $("#page-info").textContent = from + "–" + to + " of " + page.matched +
    (page.matched !== page.total ? " (" + page.total + " live)" : "");
  $("#prev").disabled = page.offset === 0;
  $("#next").disabled = to >= page.matched;
  for (const th of document.querySelectorAll("#reactors th[data-sort]")) {
    th.classList.toggle("sorted", th.dataset.sort === state.sort);
    th.classList.toggle("asc", th.dataset.sort === state.sort && !state.desc);
  }
}

function renderFlows(ov, now) {
  const svg = $("#flowmap");
  const dt = state.prevFlowsAt ? (now - state.prevFlowsAt) / 1000 : 0;
  const edges = ov.flows.map((f) => {
    const key = f.from + ">" + f.to;
    const before = state.prevFlows.get(key);
    const rate = before !== undefined && dt > 0 ? Math.max(0, f.sampled - before) * ov.flowSample / dt : null;
    return { ...f, key, rate };
  });
  state.prevFlows = new Map(ov.flows.map((f) => [f.from + ">" + f.to, f.sampled]));
  state.prevFlowsAt = now;

  // The busiest nodes, by sampled traffic.
  const weight = new Map();
  const names = new Map();
  for (const e of edges) {
    weight.set(e.from, (weight.get(e.from) || 0) + e.sampled);
    weight.set(e.to, (weight.get(e.to) || 0) + e.sampled);
    names.set(e.from, e.from === 0 ? "goroutines" : e.fromName);
    names.set(e.to, e.toName);
  }
  const nodes = [...weight.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_FLOW_NODES).map(([id]) => id);
  const pos = new Map();
  const cx = 320, cy = 210, R = 160;
  nodes.forEach((id, i) => {
    const a = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    pos.set(id, [cx + R * Math.cos(a), cy + R * Math.sin(a)]);
  });
  svg.replaceChildren(el("defs", null,
    el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerUnits: "userSpaceOnUse", markerWidth: "9", markerHeight: "9", orient: "auto-start-reverse" },
      el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#2f6fde" }))));
  if (!ov.introspection) {
    svg.append(el("text", { x: 20, y: 30 }, "Flow sampling is off (reactor.WithIntrospection)."));
    return;
  }
  if (nodes.length === 0) {
    svg.append(el("text", { x: 20, y: 30 }, "No sends sampled yet."));
    return;
  }
  const maxRate = Math.max(1, ...edges.map((e) => e.rate || 0));
  for (const e of edges) {
    if (!pos.has(e.from) || !pos.has(e.to)) continue;
    const [x1, y1] = pos.get(e.from);
    const [x2, y2] = pos.get(e.to);
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
    const sx = x1 + ux * 14, sy = y1 + uy * 14, tx = x2 - ux * 16, ty = y2 - uy * 16;
    const w = 1 + 4 * ((e.rate || 0) / maxRate);
    const label = e.rate === null ? "" : "~" + fmt(e.rate) + "/s";
    svg.append(el("g", { class: "edge", "data-from-name": names.get(e.from), "data-to-name": e.toName },
      el("title", null, names.get(e.from) + " → " + e.toName + (label ? ": " + label : "")),
      el("line", { x1: sx, y1: sy, x2: tx, y2: ty, "stroke-width": w.toFixed(1), "marker-end": "url(#arrow)" }),
      el("text", { x: ((sx + tx) / 2 + uy * 8).toFixed(1), y: ((sy + ty) / 2 - ux * 8).toFixed(1) }, label)));
  }
  for (const id of nodes) {
    const [x, y] = pos.get(id);
    const name = names.get(id);
    const right = x >= cx;
    svg.append(el("g", { class: "node" + (id === 0 ? " outside" : ""), "data-name": name },
      el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 10 }),
      el("text", { x: (x + (right ? 14 : -14)).toFixed(1), y: (y + 4).toFixed(1), "text-anchor": right ? "start" : "end" }, name)));
  }
}

function renderValue(v) {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
    const keys = [...new Set(v.flatMap((x) => Object.keys(x)))];
    return el("table", { class: "grid" },
      el("thead", null, el("tr", null, ...keys.map((k) => el("th", null, k)))),
      el("tbody", null, ...v.map((x) => el("tr", null, ...keys.map((k) => el("td", null, cell(x[k])))))));
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    return el("table", { class: "grid" }, el("tbody", null, ...Object.entries(v).map(([k, x]) =>
      el("tr", null, el("th", null, k), el("td", null, renderValue(x))))));
  }
  return cell(v);
}

function cell(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return fmt(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// withRates returns a copy of v in which every object with a COUNTERS
// field also has "<field>/s": its rise per second since the previous
// poll (null on the first). key names v's place, to find that poll's
// value.
function withRates(v, key, now, seen) {
  if (Array.isArray(v)) return v.map((x, i) => withRates(x, key + "/" + i, now, seen));
  if (!v || typeof v !== "object") return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = withRates(x, key + "/" + k, now, seen);
    if (COUNTERS.has(k) && typeof x === "number") {
      const id = key + "/" + k;
      const prev = state.prevPanels.get(id);
      out[k + "/s"] = prev && now > prev[1] ? Math.max(0, x - prev[0]) / ((now - prev[1]) / 1000) : null;
      seen.set(id, [x, now]);
    }
  }
  return out;
}

function renderPanels(panels, now) {
  const seen = new Map();
  $("#panels").replaceChildren(...panels.map((p) =>
    el("div", { class: "panel", "data-title": p.title }, el("h2", null, p.title),
      renderValue(withRates(p.data, p.title, now, seen)))));
  state.prevPanels = seen;
}

function resetPage() {
  state.offset = 0;
  reloadReactors();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const th of document.querySelectorAll("#reactors th[data-sort]")) {
    th.addEventListener("click", () => {
      if (state.sort === th.dataset.sort) {
        state.desc = !state.desc;
      } else {
        state.sort = th.dataset.sort;
        state.desc = ["depth", "handled", "restarts", "age"].includes(state.sort);
      }
      resetPage();
    });
  }
  $("#filter").addEventListener("input", (e) => {
    state.filter = e.target.value.trim();
    resetPage();
  });
  $("#prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); reloadReactors(); });
  $("#next").addEventListener("click", () => { state.offset += PAGE; reloadReactors(); });
  refresh();
});
