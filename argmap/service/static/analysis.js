// The analysis page: honest progress while the job runs, then the summary, the map, the outline
// and the downloads.
import {
  ApiError, collectionGraphUrl, getAnalysis, getCollection, getCollectionGraph, getGraph, graphUrl, refreshAnalysis,
  retryAnalysis,
} from "./api.js";
import { el, explainError, fmt } from "./dom.js";
import { EDGE_COLORS, MapView, PAGE_SIZE, initialState } from "./map.js";
import { buildModel, byline, shorten } from "./model.js";
import { renderOutline } from "./outline.js";
import { closePanel, showClaim } from "./panel.js";
import { renderSummary } from "./summary.js";
import { tablist } from "./tabs.js";

const $ = (id) => document.getElementById(id);
const page = $("page");
const analysisId = page.dataset.analysisId;
const isCollection = page.dataset.kind === "collection";

/** A collection's status in the shape of an analysis's: running until every thread is finished. */
async function collectionStatus(id) {
  const collection = await getCollection(id);
  const { total, done, failed, finished } = collection.aggregate;
  return {
    id,
    status: finished ? (done ? "done" : "failed") : "running",
    title: collection.title || `${total} threads`,
    progress: { stage: "claims", done: done + failed, total, message: `${done + failed} of ${total} threads analysed` },
    error: finished && !done ? { code: "failed", message: "no thread of the collection could be analysed" } : null,
    links: {},
    collection,
  };
}

const statusOf = (id) => (isCollection ? collectionStatus(id) : getAnalysis(id));
const graphOf = (id, format) => (isCollection ? getCollectionGraph(id, format) : getGraph(id, format));
const downloadUrl = (id, format) => (isCollection ? collectionGraphUrl(id, format) : graphUrl(id, format));
// kept in this browser: how the map was drawn before an update (this tab only), which version
// and claims the visitor last saw, and whether to update on a timer
const LAYOUT_KEY = `argmap:layout:${analysisId}`;
const SEEN_KEY = `argmap:seen:${analysisId}`;
const AUTO_KEY = `argmap:auto:${analysisId}`;

function readKept(storage, key) {
  try { return JSON.parse(storage.getItem(key) || "null"); } catch { return null; }
}

function keep(storage, key, value) {
  try { storage.setItem(key, JSON.stringify(value)); } catch { /* storage full or blocked: nothing kept */ }
}

// The stages of a job in order, in words, with the share of the whole job each usually takes.
const STAGES = [
  { key: "queued", words: "Waiting for a worker", weight: 0.02 },
  { key: "fetch", words: "Reading the thread", weight: 0.08 },
  { key: "claims", words: "Finding the claims", weight: 0.25 },
  { key: "embed", words: "Understanding the claims", weight: 0.2 },
  { key: "relations", words: "Linking replies that support or rebut", weight: 0.4 },
  { key: "graph", words: "Drawing the map and finding topics", weight: 0.05 },
];
const ALIASES = { starting: "queued", parse: "fetch", candidates: "relations", topics: "graph", done: "graph" };

const clock = { started: performance.now(), stage: null, stageStarted: performance.now(), fraction: 0, eta: null };

function stageIndex(stage) {
  const key = ALIASES[stage] || stage;
  const index = STAGES.findIndex((s) => s.key === key);
  return index < 0 ? 0 : index;
}

function duration(seconds) {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The whole job's fraction done: finished stages by their weights, plus the current one's counts. */
function overall(status) {
  const progress = status.progress || {};
  const stage = progress.stage || status.status;
  const index = stageIndex(stage);
  const done = Number(progress.done ?? 0);
  const total = Number(progress.total ?? 0);
  let fraction = STAGES.slice(0, index).reduce((sum, s) => sum + s.weight, 0);
  if (total > 0) fraction += STAGES[index].weight * Math.min(1, done / total);
  return { index, fraction: Math.min(0.99, fraction), done, total, message: progress.message || "" };
}

function showProgress(status) {
  const now = performance.now();
  const { index, fraction, done, total, message } = overall(status);
  if (clock.stage !== index) { clock.stage = index; clock.stageStarted = now; }
  // one bar for the whole job, never going back
  clock.fraction = Math.max(clock.fraction, fraction);
  const elapsed = (now - clock.started) / 1000;
  const inStage = (now - clock.stageStarted) / 1000;
  $("progress-box").hidden = false;
  $("progress").value = Math.round(clock.fraction * 1000);
  page.dataset.progress = clock.fraction.toFixed(4);
  // the store's words for a queued job and for one a worker took say nothing the step does not
  const counts = (message && !["started", "waiting for a worker"].includes(message) ? message : "")
    || (total ? `${fmt.format(done)} / ${fmt.format(total)}` : "");
  const words = ((status.progress || {}).stage === "starting") ? "Starting: a worker loads the models" : STAGES[index].words;
  $("status-line").textContent = `Step ${index + 1} of ${STAGES.length}: ${words}`
    + (counts ? ` — ${counts}` : "…");
  // the estimate: the measured rate of the whole job so far (the stage weights say how much is left)
  let estimate = "";
  if (clock.fraction > 0.03 && elapsed > 2) {
    const remaining = (elapsed / clock.fraction) * (1 - clock.fraction);
    clock.eta = clock.eta === null ? remaining : 0.7 * clock.eta + 0.3 * remaining;
    estimate = `About ${duration(clock.eta)} left, judging by the speed so far`;
  } else {
    estimate = "Estimating the time left…";
  }
  $("status-estimate").textContent = `${estimate} · ${Math.round(clock.fraction * 100)}% · ${duration(inStage)} in this step`;
  $("stage-list").replaceChildren(...STAGES.map((stage, i) => el("li", {
    class: i < index ? "done" : i === index ? "current" : "todo",
    "aria-current": i === index ? "step" : false,
  }, `${i < index ? "✓ " : i === index ? "▶ " : ""}${stage.words}`)));
}

function showFailure(error, { canRetry = false } = {}) {
  $("progress-box").hidden = true;
  $("status-error").textContent = `The analysis did not finish. ${explainError(error)}`;
  $("status-error").hidden = false;
  $("status-actions").hidden = false;
  $("retry").hidden = !canRetry;
  page.dataset.failed = "true";
}

async function retry() {
  $("retry").disabled = true;
  try {
    const created = await retryAnalysis(analysisId);
    window.location.assign(`/a/${encodeURIComponent(created.id)}`);
  } catch (error) {
    $("retry").disabled = false;
    $("status-error").textContent = `Retrying failed. ${explainError(error)}`;
  }
}

async function poll() {
  let delay = 600;
  let misses = 0;
  for (;;) {
    let status;
    try {
      status = await statusOf(analysisId);
      misses = 0;
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        showFailure(error);
        return;
      }
      misses += 1;
      $("status-line").textContent = `Waiting for the server… (${misses})`;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10000, delay * 2 ** misses)));
      continue;
    }
    const title = status.title || (status.summary && status.summary.title);
    if (title) { $("title").textContent = title; document.title = `argmap — ${title}`; }
    if (status.status === "failed") {
      showFailure(status.error || {}, { canRetry: !isCollection });
      return;
    }
    const updating = (status.status === "queued" || status.status === "running") && status.version;
    if (status.status === "done" || updating) {
      if (!$("progress-box").hidden) { $("progress").value = 1000; page.dataset.progress = "1"; }
      await showResult(status);
      if (updating) watchUpdate(status.version || 1);
      return;
    }
    showProgress(status);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(2000, delay * 1.2);
  }
}

function summaryText(model, status) {
  const stats = { ...model.stats, ...((status.summary && status.summary.counts) || {}) };
  const parts = [];
  if (stats.comments !== undefined) parts.push(plural(stats.comments, "comment"));
  parts.push(plural(model.claims.size, "claim"));
  for (const [rel, noun] of [["supports", "support"], ["rebuts", "rebuttal"], ["restates", "restatement"]]) {
    parts.push(plural(model.edges.filter((e) => e.relation === rel).length, noun));
  }
  // which stance judge read the replies (stats.stance_method): the careful one or the fast one
  const reading = { cross: "every reply read closely", model: "replies read fast", rules: "replies read by markers" };
  if (reading[stats.stance_method]) parts.push(reading[stats.stance_method]);
  // replies to the post draw no stance edge: the judges cannot tell it reliably (README)
  const toPost = Number(stats.replies_to_post_not_judged) || 0;
  if (toPost) {
    parts.push(`${toPost === 1 ? "1 reply" : `${fmt.format(toPost)} replies`} to the post itself not drawn as `
      + "agreeing or disagreeing with it (argmap too often gets that wrong)");
  }
  return parts.join(" · ");
}

/** ``argmap-<thread title slug>-<id>``: the name every download of this analysis starts with. */
function fileStem(title) {
  const words = String(title || "").toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];  // any script, as the API's names
  let slug = "";
  for (const word of words) { if (slug.length + word.length + 1 > 60) break; slug = slug ? `${slug}-${word}` : word; }
  return slug ? `argmap-${slug}-${analysisId}` : `argmap-${analysisId}`;
}

function renderExports(view, title, showMap) {
  const formats = JSON.parse(page.dataset.formats || "[]");
  const list = $("export-list");
  const stem = fileStem(title);
  list.replaceChildren(...formats.map((format) => el("li", {},
    el("a", {
      href: downloadUrl(analysisId, format.name),
      download: `${stem}.${format.extension || format.name}`,
      dataset: { format: format.name },
    }, format.label || format.name.toUpperCase()),
    format.description ? el("span", { class: "muted small format-note" }, ` — ${format.description}`) : null)));
  list.append(el("li", {}, el("button", { type: "button", id: "export-png", onclick: async () => {
    // the PNG is the map as drawn: from another tab, open the map first and let it settle
    if (showMap()) await mapReady();
    await downloadPng(view, title, stem);
  } },
    "PNG of the map view, with title and legend")));
  list.addEventListener("click", () => setTimeout(() => {
    const menu = list.closest("details");
    menu.open = false;
    menu.querySelector("summary").focus(); // keyboard focus stays on the menu, not lost with it
  }, 0));
  list.closest("details").addEventListener("keydown", (event) => {  // Escape closes the menu
    const menu = list.closest("details");
    if (event.key !== "Escape" || !menu.open) return;
    event.stopPropagation();
    menu.open = false;
    menu.querySelector("summary").focus();
  });
}

/** Resolves once the map has drawn (``data-ready``), or after five seconds. */
function mapReady() {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (page.dataset.ready === "true" || Date.now() - started > 5000 ? resolve() : setTimeout(check, 50));
    requestAnimationFrame(() => requestAnimationFrame(check));
  });
}

/** The map as drawn, under a header with the thread title and date, above a legend. */
async function downloadPng(view, title, stem) {
  const scale = 2;
  const image = new Image();
  image.src = view.cy.png({ output: "base64uri", bg: "#ffffff", full: false, scale });
  await image.decode();
  const header = 70 * scale;
  const footer = 64 * scale;
  const canvas = el("canvas", { width: image.width, height: image.height + header + footer });
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#111111";
  ctx.font = `bold ${20 * scale}px system-ui, sans-serif`;
  ctx.fillText(String(title || `Analysis ${analysisId}`).slice(0, 120), 16 * scale, 30 * scale);
  ctx.font = `${13 * scale}px system-ui, sans-serif`;
  ctx.fillStyle = "#444444";
  ctx.fillText(`argmap · ${new Date().toISOString().slice(0, 10)} · ${window.location.href}`, 16 * scale, 54 * scale);
  ctx.drawImage(image, 0, header);
  let x = 16 * scale;
  const y = image.height + header + 24 * scale;
  for (const [relation, color] of Object.entries(EDGE_COLORS)) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 3 * scale;
    ctx.setLineDash(relation === "restates" ? [6 * scale, 4 * scale] : []);
    ctx.beginPath(); ctx.moveTo(x, y - 5 * scale); ctx.lineTo(x + 30 * scale, y - 5 * scale); ctx.stroke();
    ctx.setLineDash([]);
    const end = x + 30 * scale;
    ctx.beginPath();  // the line's end as on the map: a bar for rebuts, an arrowhead otherwise
    if (relation === "rebuts") { ctx.moveTo(end, y - 11 * scale); ctx.lineTo(end, y + 1 * scale); ctx.stroke(); }
    else { ctx.moveTo(end - 7 * scale, y - 10 * scale); ctx.lineTo(end, y - 5 * scale); ctx.lineTo(end - 7 * scale, y); ctx.stroke(); }
    ctx.fillStyle = "#111111";
    ctx.fillText(relation, x + 36 * scale, y);
    x += 130 * scale;
  }
  ctx.fillStyle = "#444444";
  ctx.fillText("arrows point from a reply to the claim it answers; border colour = topic", 16 * scale, y + 24 * scale);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const link = el("a", { href: URL.createObjectURL(blob), download: `${stem}.png` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function setNote(view) {
  const state = view.state;
  const shown = view.view ? [...view.view.nodes.values()].reduce((sum, n) => sum + (n.members || 1), 0) : 0;
  const hidden = view.view ? view.view.hiddenCount : 0;
  if (!view.cy.nodes().length) {
    $("map-note").textContent = !view.model.claims.size ? "This analysis has no claims to draw."
      : !view.model.edges.length && state.onlyLinked ? "No claim here supports, rebuts or restates another: untick \u201conly claims with relations\u201d to see the claims."
        : "No claims match these filters: tick a topic or relation again, or lower the minimum confidence.";
    $("show-more").hidden = true;
    return;
  }
  const parts = [`Showing ${fmt.format(shown)} of ${fmt.format(view.model.claims.size)} claims`];
  if (state.focus) parts.push("around the selected claim");
  else if (hidden) parts.push(`(the most important first; ${fmt.format(hidden)} more match the filters)`);
  $("map-note").textContent = `${parts.join(" ")}, ${plural(view.cy.edges().length, "relation")}.`;
  $("show-more").hidden = !!state.focus || hidden === 0;
  $("clear-focus").hidden = !state.focus;
}

/** Keys on the focused map: N / P (or ] / [) select the next / previous drawn claim by
    importance (``select``), Enter opens the selected claim's panel (``open``), arrows move the
    view, + / − zoom, 0 fits it all. */
function mapKeys(event, view, select, open) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const cy = view.cy;
  const middle = { x: cy.width() / 2, y: cy.height() / 2 };
  const pans = { ArrowLeft: [80, 0], ArrowRight: [-80, 0], ArrowUp: [0, 80], ArrowDown: [0, -80] };
  const key = event.key;
  if (pans[key]) cy.panBy({ x: pans[key][0], y: pans[key][1] });
  else if (key === "+" || key === "=") cy.zoom({ level: cy.zoom() * 1.3, renderedPosition: middle });
  else if (key === "-" || key === "_") cy.zoom({ level: cy.zoom() / 1.3, renderedPosition: middle });
  else if (key === "0") cy.fit(undefined, 20);
  else if (["n", "N", "p", "P", "[", "]"].includes(key)) {
    const claims = cy.nodes().filter((node) => node.data("kind") !== "topic").toArray()
      .sort((a, b) => (b.data("rank") || 0) - (a.data("rank") || 0) || (a.id() < b.id() ? -1 : 1));
    if (!claims.length) return;
    const at = claims.findIndex((node) => node.selected());
    const step = ["n", "N", "]"].includes(key) ? 1 : -1;
    const next = at < 0 ? (step > 0 ? 0 : claims.length - 1) : (at + step + claims.length) % claims.length;
    view.select(claims[next].id());
    select(claims[next].id());
  } else if (key === "Enter" && cy.nodes(":selected").nonempty()) open();
  else return;
  event.preventDefault();
}

function renderTopics(view, refresh) {
  const list = $("topic-list");
  // the list is built anew: keyboard focus returns to the same control of the same topic
  const had = list.contains(document.activeElement) ? document.activeElement.closest("li") : null;
  const again = had ? [[...list.children].indexOf(had), document.activeElement.tagName] : null;
  list.replaceChildren(...view.model.topics.map((topic) => {
    const collapsed = view.state.collapsedTopics.has(topic.id);
    const swatch = el("span", { class: "swatch" });
    swatch.style.backgroundColor = topic.color;
    return el("li", {},
      el("button", {
        type: "button", class: "collapse", "aria-expanded": String(!collapsed),
        "aria-label": `${collapsed ? "Expand" : "Collapse"} topic ${topic.label}`,
        onclick: () => { view.toggleCollapse(topic.id); },
      }, collapsed ? "▸" : "▾"),
      el("label", {},
        el("input", {
          type: "checkbox", checked: !view.state.hiddenTopics.has(topic.id), dataset: { topic: topic.id },
          onchange: (event) => {
            if (event.target.checked) view.state.hiddenTopics.delete(topic.id);
            else view.state.hiddenTopics.add(topic.id);
            refresh();
          },
        }),
        swatch, ` ${topic.label} (${topic.claims.length})`));
  }));
  if (again && list.children[again[0]]) list.children[again[0]].querySelector(again[1] === "INPUT" ? "input" : "button")?.focus();
}

function renderSearchResults(view, pick) {
  const results = $("search-results");
  const query = view.state.search.trim().toLowerCase();
  if (query.length < 2) { results.hidden = true; $("search-status").textContent = ""; return; }
  const all = view.model.ranked.filter((c) => c.text.toLowerCase().includes(query));
  const matches = all.slice(0, 12);
  $("search-status").textContent = all.length
    ? `${all.length === 1 ? "1 claim matches" : `${fmt.format(all.length)} claims match`}${all.length > 12 ? ", the first 12 listed" : ""}`
    : "No claim matches.";
  results.replaceChildren(...(matches.length ? matches.map((claim) => el("li", {},
    el("button", { type: "button", class: "claim-link", onclick: () => pick(claim.id) }, claim.text),
    el("span", { class: "muted small" }, ` — ${byline(claim)}`))) : [el("li", { class: "muted" }, "No claim matches.")]));
  results.hidden = false;
}

async function showResult(status) {
  $("status-line").textContent = "Loading the result…";
  let data;
  try {
    data = await graphOf(analysisId, "json");
    performance.mark("argmap:data");
  } catch (error) {
    showFailure(error);
    return;
  }
  const model = buildModel(data);
  const previous = readKept(sessionStorage, LAYOUT_KEY);
  sessionStorage.removeItem(LAYOUT_KEY);
  const fresh = newSinceLastView(model, status);
  const title = status.title || model.graph.title || model.summary.title;
  if (title) { $("title").textContent = title; document.title = `argmap — ${title}`; }
  $("progress-box").hidden = false;
  $("progress").hidden = true;
  $("status-estimate").hidden = true;
  $("stage-list").hidden = true;
  document.querySelector(".keep-note").hidden = true;
  $("status-line").textContent = summaryText(model, status);
  $("result").hidden = false;

  const state = initialState();
  $("only-linked").checked = state.onlyLinked;
  const authors = [...new Set([...model.claims.values()].map((c) => c.author).filter(Boolean))].sort((a, b) => a.localeCompare(b));
  $("author").append(...authors.map((name) => el("option", { value: name }, name)));
  const threads = (model.graph.threads || []).filter((t) => t && t.key);
  if (threads.length > 1) {
    $("thread").append(...threads.map((t) => el("option", { value: t.key }, `${t.title || t.key} (${fmt.format(t.claims || 0)} claims)`)));
    $("thread-filter").hidden = false;
  }
  if (window.matchMedia("(min-width: 901px)").matches) $("filters").open = true;

  let view = null;
  // the address: "" (summary), "map", "outline", "claim=ID" (the map on that claim's
  // neighbourhood) or "select=ID" (the whole map, that claim selected); opening another tab or
  // claim is a history entry (Back returns to it), arrow keys between tabs and clicks are not
  const where = (name) => (name === "summary" ? "" : name === "map" && state.focus ? `claim=${state.focus}` : name);
  let shownTab = "summary";
  const tabs = tablist(document.querySelector(".views"), (name, { keyboard = false } = {}) => {
    if (name !== shownTab || !window.location.hash.includes("=")) keepInAddress(where(name), { push: !keyboard && name !== shownTab });
    shownTab = name;
    if (name === "map") ensureMap();
    if (name === "outline" && !$("outline-view").hasChildNodes()) renderOutline($("outline-view"), model, pick);
  });
  const refresh = () => { view.refresh(); setNote(view); renderTopics(view, refresh); };
  const panelActions = () => ({ onPick: pick, onFocus: focus,
    onClose: () => { view.cy.nodes(":selected").unselect(); $("cy").focus({ preventScroll: true }); } });
  /** Keyboard focus to the open claim's panel (its heading): a screen reader reads the claim,
      and on a narrow screen the panel below the map scrolls into view. */
  const focusPanel = () => { const title = $("panel").querySelector(".claim-title"); if (title) title.focus(); };
  function ensureMap() {
    if (view) { view.cy.resize(); return; }
    view = new MapView($("cy"), model, state, {
      previous: previous && previous.version === status.version - 1 ? previous : null,
      fresh,
      onSelect: (id) => {
        showClaim($("panel"), model, id, panelActions());
        if (!state.focus) keepInAddress(`select=${id}`);  // a click on the whole map selects, it does not focus
        keepAboveSheet(view, id);
      },
      onStatus: (text) => {
        if (text) { $("map-note").textContent = text; page.dataset.ready = "false"; return; }
        setNote(view);
        if (pending) { const id = pending; pending = null; view.select(id); keepAboveSheet(view, id); }
        page.dataset.ready = "true";
        if (!performance.getEntriesByName("argmap:painted").length) performance.mark("argmap:painted");
      },
    });
    view.onChange = () => { setNote(view); renderTopics(view, refresh); };
    window.argmap.view = view;
    $("cy").addEventListener("keydown", (event) => mapKeys(event, view, (id) => {
      showClaim($("panel"), model, id, panelActions());
      if (!state.focus) keepInAddress(`select=${id}`);
      keepAboveSheet(view, id);
      const claim = model.claims.get(id);
      $("map-live").textContent = `${shorten(claim.text, 200)} — ${byline(claim)}. Enter opens it.`;
    }, focusPanel));
    refresh();
  }
  let pending = null;
  /** Open the map on claim ``id``: the claim with its neighbourhood, centred, selected. */
  function focus(id) {
    const before = state.focus;
    state.focus = id;
    pending = id;
    tabs.select("map");
    keepInAddress(`claim=${id}`, { push: before !== id });
    revealMap();
    showClaim($("panel"), model, id, panelActions());
    refresh();
    focusPanel();
  }
  /** Select claim ``id`` on the map as it is (focus on it when it is not drawn). */
  function pick(id) {
    tabs.select("map");
    revealMap();
    $("search-results").hidden = true; // a result picked: the list gives the map its room back
    if (view.cy.getElementById(id).empty()) { focus(id); return; }
    keepInAddress(state.focus ? `claim=${state.focus}` : `select=${id}`, { push: true });
    showClaim($("panel"), model, id, panelActions());
    focusPanel();
    if (page.dataset.ready !== "true") { pending = id; return; } // selected once the layout is drawn
    view.select(id);
    keepAboveSheet(view, id);
  }
  window.argmap = { view, model, state, focus, tabs };

  renderSummary($("summary-view"), model, focus);
  for (const box of document.querySelectorAll('input[name="relation"]')) {
    box.addEventListener("change", () => {
      if (box.checked) state.relations.add(box.value); else state.relations.delete(box.value);
      refresh();
    });
  }
  $("confidence").addEventListener("input", () => { $("confidence-value").textContent = Number($("confidence").value).toFixed(2); });
  $("confidence").addEventListener("change", () => { state.minConfidence = Number($("confidence").value); refresh(); });
  $("author").addEventListener("change", () => { state.author = $("author").value; state.focus = null; keepInAddress("map"); refresh(); });
  $("thread").addEventListener("change", () => { state.thread = $("thread").value; state.focus = null; keepInAddress("map"); refresh(); });
  $("only-linked").addEventListener("change", () => { state.onlyLinked = $("only-linked").checked; refresh(); });
  $("show-more").addEventListener("click", () => { state.limit += PAGE_SIZE; refresh(); });
  $("clear-focus").addEventListener("click", () => {
    state.focus = null; keepInAddress("map"); closePanel($("panel")); refresh(); $("cy").focus({ preventScroll: true });
  });
  $("collapse-all").addEventListener("click", () => view.setCollapsed(true));
  $("expand-all").addEventListener("click", () => view.setCollapsed(false));
  $("fit").addEventListener("click", () => view.cy.fit(undefined, 20));
  $("zoom-in").addEventListener("click", () => view.cy.zoom({ level: view.cy.zoom() * 1.3, renderedPosition: center() }));
  $("zoom-out").addEventListener("click", () => view.cy.zoom({ level: view.cy.zoom() / 1.3, renderedPosition: center() }));
  let searchTimer;
  $("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = $("search").value; view.applySearch(); renderSearchResults(view, pick); }, 150);
  });
  $("search").addEventListener("keydown", (event) => {
    const first = $("search-results").querySelector("button");
    if (event.key === "Enter" && first) first.click();
    if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
    if (event.key === "Escape") { $("search").value = ""; state.search = ""; view.applySearch(); renderSearchResults(view, pick); }
  });
  document.addEventListener("keydown", (event) => {  // Escape closes the claim's panel
    if (event.key !== "Escape" || !$("panel").classList.contains("open")) return;
    if (event.target.closest && event.target.closest("#search, #search-results")) return;
    const inPanel = $("panel").contains(document.activeElement);
    closePanel($("panel"));
    if (view) view.cy.nodes(":selected").unselect();
    if (!state.focus && tabs.current() === "map") keepInAddress("map");
    if (inPanel) $("view-map").focus(); // keyboard focus stays on the page, not lost with the panel
  });
  $("search-results").addEventListener("keydown", (event) => {
    const buttons = [...$("search-results").querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at ? buttons[at - 1] : $("search")).focus(); }
    if (event.key === "Escape") $("search").focus();
  });
  renderExports({ get cy() { ensureMap(); return view.cy; } }, title, () => {
    if (!$("map-view").hidden) return false;
    tabs.select("map");
    return true;
  });
  renderNews(model, data.changes, fresh, focus);
  $("legend-new").hidden = !fresh.size;
  setupUpdates(status, tabs);
  /** Open what the address names (see ``where``), else the summary. */
  function openFromAddress() {
    let asked = "";
    try { asked = decodeURIComponent(window.location.hash.slice(1)); } catch { /* a mangled address: the summary */ }
    const [kind, id] = asked.includes("=") ? asked.split(/=(.*)/s) : [asked, ""];
    if (kind === "claim" && model.claims.has(id)) { focus(id); return; }
    if (state.focus && (kind === "map" || kind === "select")) { state.focus = null; if (view) refresh(); }
    if (kind === "select" && model.claims.has(id)) { pick(id); return; }
    if (kind === "map" || kind === "outline") tabs.select(kind);
    else if (tabs.current() !== "summary") tabs.select("summary");
  }
  restoringAddress(() => {
    // after a live update the page comes back where it was: the address says where, else the tab
    if (previous && previous.tab && previous.tab !== "summary" && !window.location.hash.includes("=")) tabs.select(previous.tab);
    else openFromAddress();
  });
  // Back and Forward move between the tabs and claims opened here (each opening is a history entry)
  window.addEventListener("popstate", () => restoringAddress(openFromAddress));
  page.dataset.summary = "true";

  function center() {
    return { x: view.cy.width() / 2, y: view.cy.height() / 2 };
  }
}

let restoring = false; // opening what the address says: no new history entry for it

function restoringAddress(open) {
  restoring = true;
  try { open(); } finally { restoring = false; }
}

/** The open tab (or the claim the map is on) in the address, so a reload or a shared link opens
 * it; ``push``: a new history entry (another tab, a claim opened), so Back returns to the last. */
function keepInAddress(where, { push = false } = {}) {
  const url = new URL(window.location.href);
  url.hash = where ? encodeURIComponent(where).replace(/%3D/g, "=") : "";
  const href = url.href.replace(/#$/, "");
  if (href === window.location.href) return;
  if (push && !restoring) history.pushState(history.state, "", href);
  else history.replaceState(history.state, "", href);
}

/** On a phone the claim's panel is a sheet over the bottom of the map: move the claim into
 * the part of the map still in view above it. */
function keepAboveSheet(view, id) {
  if (!view || !window.matchMedia("(max-width: 700px)").matches) return;
  const panel = $("panel");
  if (!panel.classList.contains("open")) return;
  const node = view.cy.getElementById(id);
  if (node.empty()) return;
  const area = $("cy").getBoundingClientRect();
  const top = Math.max(area.top, 0);
  const bottom = Math.min(area.bottom, panel.getBoundingClientRect().top);
  if (bottom - top < 60) return;
  const at = node.renderedPosition();
  view.cy.panBy({ x: view.cy.width() / 2 - at.x, y: (top + bottom) / 2 - (area.top + at.y) });
}

/** Scroll the tabs to the top of the window: a link far down the summary opens the map in view. */
function revealMap() {
  const bar = document.querySelector("#result > .toolbar");
  if (!bar) return;
  const top = bar.getBoundingClientRect().top;
  if (top < 0 || top > 80) bar.scrollIntoView({ block: "start" });
}

// ----------------------------------------------------------------------------------
// live updates: fetch the thread again, keep the map where it was, show what is new

/** Claims new since this browser last showed this analysis (none on a first view); remembers this view. */
function newSinceLastView(model, status) {
  const seen = readKept(localStorage, SEEN_KEY);
  const fresh = new Set();
  if (seen && Array.isArray(seen.claims) && status.version && seen.version && seen.version < status.version) {
    const before = new Set(seen.claims);
    for (const id of model.claims.keys()) if (!before.has(id)) fresh.add(id);
  }
  if (status.version) keep(localStorage, SEEN_KEY, { version: status.version, claims: [...model.claims.keys()] });
  return fresh;
}

function plural(count, word) {
  return `${fmt.format(count)} ${word}${count === 1 ? "" : "s"}`;
}

function renderNews(model, changes, fresh, focus) {
  const parts = [];
  if (fresh.size) {
    parts.push(el("strong", {}, `${plural(fresh.size, "new claim")} since your last view`),
      " — outlined in blue on the map.");
    const first = [...fresh].map((id) => model.claims.get(id)).sort((a, b) => b.rank - a.rank)[0];
    if (first) parts.push(el("button", { type: "button", id: "show-new", onclick: () => focus(first.id) }, "Show the first"));
  }
  if (changes && changes.counts) {
    const c = changes.counts;
    const words = [plural(c.new_comments, "new comment"), `${fmt.format(c.edited_comments)} edited`,
      `${fmt.format(c.deleted_comments)} deleted`, plural(c.new_claims, "new claim"),
      plural(c.new_disputes, "new dispute"), plural(c.changed_stances, "changed stance")];
    if (c.post_edited) words.unshift("the post was edited");
    parts.push(el("p", { class: "small" }, `Version ${changes.to_version}, against version ${changes.from_version}: ${words.join(", ")}.`));
  }
  $("news").replaceChildren(...parts);
  $("news").hidden = !parts.length;
}

let updating = false;

function setupUpdates(status, tabs) {
  if (!status.links || !status.links.refresh) return;
  $("update-box").hidden = false;
  const when = status.updated_at ? new Date(status.updated_at).toLocaleString() : "";
  $("version-line").textContent = `Version ${status.version || 1}${when ? ` · ${when}` : ""}`;
  if (status.update_error) {
    $("update-status").textContent = `The last update failed: ${status.update_error.message}`;
  }
  const version = status.version || 1; // a result from before versions were counted is version 1
  $("update").addEventListener("click", () => startUpdate(version, tabs));
  const auto = readKept(localStorage, AUTO_KEY) || { on: false, every: 5 };
  $("auto-update").checked = !!auto.on;
  $("auto-every").value = String(auto.every || 5);
  let timer = null;
  const schedule = () => {
    clearInterval(timer);
    const every = Number($("auto-every").value) || 5;
    keep(localStorage, AUTO_KEY, { on: $("auto-update").checked, every });
    if ($("auto-update").checked) timer = setInterval(() => { if (!updating) startUpdate(version, tabs); }, every * 60000);
  };
  $("auto-update").addEventListener("change", schedule);
  $("auto-every").addEventListener("change", schedule);
  schedule();
  window.argmap.tabs = tabs;
}

async function startUpdate(version, tabs) {
  if (updating) return;
  $("update").disabled = true;
  $("update-status").textContent = "Fetching the thread again…";
  try {
    await refreshAnalysis(analysisId);
  } catch (error) {
    $("update").disabled = false;
    $("update-status").textContent = `Could not update: ${explainError(error)}`;
    return;
  }
  watchUpdate(version, tabs);
}

/** Poll until the update is done; then draw the new version where the old one was (a reload). */
async function watchUpdate(version, tabs = window.argmap && window.argmap.tabs) {
  updating = true;
  $("update").disabled = true;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let status;
    try {
      status = await getAnalysis(analysisId);
    } catch (error) {
      $("update-status").textContent = `Waiting for the server… ${explainError(error)}`;
      continue;
    }
    if (status.status === "queued" || status.status === "running") {
      const progress = status.progress || {};
      $("update-status").textContent = `Updating: ${progress.message || progress.stage || status.status}`;
      continue;
    }
    if (status.status === "done" && (status.version || 1) > version) {
      const view = window.argmap && window.argmap.view;
      keep(sessionStorage, LAYOUT_KEY, {
        version,
        tab: tabs ? tabs.current() : "summary",
        positions: view ? Object.fromEntries(view.cy.nodes().map((n) => [n.id(), n.position()])) : null,
        zoom: view ? view.cy.zoom() : 1,
        pan: view ? view.cy.pan() : { x: 0, y: 0 },
      });
      window.location.reload();
      return;
    }
    updating = false;
    $("update").disabled = false;
    const when = new Date().toLocaleTimeString();
    $("update-status").textContent = status.update_error
      ? `The update failed: ${status.update_error.message} (still version ${version})`
      : status.status === "done" ? `Checked at ${when}: nothing new since version ${version}.` : `The analysis is ${status.status}.`;
    return;
  }
}

$("retry").addEventListener("click", retry);
poll();
