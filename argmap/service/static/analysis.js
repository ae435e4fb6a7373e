// The analysis page: live progress while the job runs, then the map, the outline and the exports.
import { ApiError, getAnalysis, getGraph, graphUrl } from "./api.js";
import { el, explainError, fmt } from "./dom.js";
import { MapView, PAGE_SIZE, initialState } from "./map.js";
import { buildModel } from "./model.js";
import { renderOutline } from "./outline.js";
import { showClaim } from "./panel.js";

const $ = (id) => document.getElementById(id);
const page = $("page");
const analysisId = page.dataset.analysisId;

const STAGES = {
  queued: "Waiting for a worker",
  starting: "Starting",
  fetch: "Reading the thread",
  parse: "Reading the thread",
  claims: "Finding claims",
  embed: "Understanding the claims",
  relations: "Linking claims that support or rebut each other",
  candidates: "Linking claims that support or rebut each other",
  graph: "Drawing the map",
  topics: "Finding topics",
  done: "Done",
};

function progressOf(status) {
  const progress = status.progress || {};
  return {
    stage: progress.stage || status.stage || status.status,
    done: Number(progress.done ?? 0),
    total: Number(progress.total ?? 0),
    message: progress.message || "",
  };
}

function showProgress(status) {
  const { stage, done, total, message } = progressOf(status);
  const words = STAGES[stage] || (stage ? stage[0].toUpperCase() + stage.slice(1) : "Working");
  const counts = message || (total ? `${fmt.format(done)} / ${fmt.format(total)}` : "");
  $("status-line").textContent = counts ? `${words} — ${counts}` : `${words}…`;
  const bar = $("progress");
  bar.hidden = status.status !== "running" && status.status !== "queued";
  if (total > 0) { bar.max = total; bar.value = Math.min(done, total); } else bar.removeAttribute("value");
}

function showFailure(error) {
  $("progress").hidden = true;
  $("status-line").textContent = "The analysis did not finish.";
  $("status-error").textContent = explainError(error);
  $("status-error").hidden = false;
  $("status-home").hidden = false;
}

async function poll() {
  let delay = 600;
  let misses = 0;
  for (;;) {
    let status;
    try {
      status = await getAnalysis(analysisId);
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
      showFailure(status.error || {});
      return;
    }
    if (status.status === "done") {
      await showResult(status);
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
  if (stats.comments !== undefined) parts.push(`${fmt.format(stats.comments)} comments`);
  parts.push(`${fmt.format(model.claims.size)} claims`);
  for (const rel of ["supports", "rebuts", "restates"]) {
    parts.push(`${fmt.format(model.edges.filter((e) => e.relation === rel).length)} ${rel}`);
  }
  return parts.join(" · ");
}

function renderExports(status, view) {
  const reported = status.formats || (status.links && status.links.formats);
  const formats = Array.isArray(reported) && reported.length
    ? reported.map((f) => (typeof f === "string" ? { name: f, extension: f } : f))
    : JSON.parse(page.dataset.formats || "[]");
  const list = $("export-list");
  list.replaceChildren(...formats.map((format) => el("li", {},
    el("a", {
      href: graphUrl(analysisId, format.name),
      download: `argmap-${analysisId}.${format.extension || format.name}`,
      dataset: { format: format.name },
      title: format.description || "",
    }, format.name === "json" ? "JSON (node-link)" : format.name === "graphml" ? "GraphML (Gephi, Cytoscape, yEd)" : format.description || format.name))));
  list.append(el("li", {}, el("button", { type: "button", id: "export-png", onclick: () => downloadPng(view) }, "PNG of this view")));
  list.addEventListener("click", () => setTimeout(() => { list.closest("details").open = false; }, 0));
}

function downloadPng(view) {
  const blob = view.cy.png({ output: "blob", bg: "#ffffff", full: false, scale: 2 });
  const link = el("a", { href: URL.createObjectURL(blob), download: `argmap-${analysisId}.png` });
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
    $("map-note").textContent = "No claims match these filters: tick a topic or relation again, or lower the minimum confidence.";
    $("show-more").hidden = true;
    return;
  }
  const parts = [`Showing ${fmt.format(shown)} of ${fmt.format(view.model.claims.size)} claims`];
  if (state.focus) parts.push("around the selected claim");
  else if (hidden) parts.push(`(the most important first; ${fmt.format(hidden)} more match the filters)`);
  $("map-note").textContent = `${parts.join(" ")}, ${fmt.format(view.cy.edges().length)} relations.`;
  $("show-more").hidden = !!state.focus || hidden === 0;
  $("clear-focus").hidden = !state.focus;
}

function renderTopics(view, refresh) {
  const list = $("topic-list");
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
}

function renderSearchResults(view, pick) {
  const results = $("search-results");
  const query = view.state.search.trim().toLowerCase();
  if (query.length < 2) { results.hidden = true; return; }
  const matches = view.model.ranked.filter((c) => c.text.toLowerCase().includes(query)).slice(0, 12);
  results.replaceChildren(...(matches.length ? matches.map((claim) => el("li", {},
    el("button", { type: "button", class: "claim-link", onclick: () => pick(claim.id) }, claim.text),
    el("span", { class: "muted small" }, ` — ${claim.author || "anonymous"}`))) : [el("li", { class: "muted" }, "No claim matches.")]));
  results.hidden = false;
}

async function showResult(status) {
  $("status-line").textContent = "Loading the map…";
  let data;
  try {
    data = await getGraph(analysisId, "json");
    performance.mark("argmap:data");
  } catch (error) {
    showFailure(error);
    return;
  }
  const model = buildModel(data);
  const title = status.title || model.graph.title;
  if (title) { $("title").textContent = title; document.title = `argmap — ${title}`; }
  $("progress").hidden = true;
  $("status-line").textContent = summaryText(model, status);
  $("result").hidden = false;

  const state = initialState();
  state.onlyLinked = model.claims.size > PAGE_SIZE;
  $("only-linked").checked = state.onlyLinked;
  const authors = [...new Set([...model.claims.values()].map((c) => c.author).filter(Boolean))].sort((a, b) => a.localeCompare(b));
  $("author").append(...authors.map((name) => el("option", { value: name }, name)));

  let view;
  const refresh = () => { view.refresh(); setNote(view); renderTopics(view, refresh); };
  const pick = (id) => {
    if (view.cy.getElementById(id).empty()) { state.focus = id; refresh(); }
    showMapTab();
    view.select(id);
    showClaim($("panel"), model, id, { onPick: pick, onFocus: focus });
  };
  const focus = (id) => { state.focus = id; refresh(); pick(id); };
  view = new MapView($("cy"), model, state, {
    onSelect: (id) => showClaim($("panel"), model, id, { onPick: pick, onFocus: focus }),
    onStatus: (text) => {
      if (text) { $("map-note").textContent = text; page.dataset.ready = "false"; return; }
      setNote(view);
      page.dataset.ready = "true";
      if (!performance.getEntriesByName("argmap:painted").length) performance.mark("argmap:painted");
    },
  });
  view.onChange = () => { setNote(view); renderTopics(view, refresh); };
  window.argmap = { view, model, state };

  for (const box of document.querySelectorAll('input[name="relation"]')) {
    box.addEventListener("change", () => {
      if (box.checked) state.relations.add(box.value); else state.relations.delete(box.value);
      refresh();
    });
  }
  $("confidence").addEventListener("input", () => { $("confidence-value").textContent = Number($("confidence").value).toFixed(2); });
  $("confidence").addEventListener("change", () => { state.minConfidence = Number($("confidence").value); refresh(); });
  $("author").addEventListener("change", () => { state.author = $("author").value; state.focus = null; refresh(); });
  $("only-linked").addEventListener("change", () => { state.onlyLinked = $("only-linked").checked; refresh(); });
  $("show-more").addEventListener("click", () => { state.limit += PAGE_SIZE; refresh(); });
  $("clear-focus").addEventListener("click", () => { state.focus = null; refresh(); });
  $("fit").addEventListener("click", () => view.cy.fit(undefined, 20));
  $("zoom-in").addEventListener("click", () => view.cy.zoom({ level: view.cy.zoom() * 1.3, renderedPosition: center() }));
  $("zoom-out").addEventListener("click", () => view.cy.zoom({ level: view.cy.zoom() / 1.3, renderedPosition: center() }));
  let searchTimer;
  $("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = $("search").value; view.applySearch(); renderSearchResults(view, pick); }, 150);
  });
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      const first = $("search-results").querySelector("button");
      if (first) first.click();
    }
    if (event.key === "Escape") { $("search").value = ""; state.search = ""; view.applySearch(); renderSearchResults(view, pick); }
  });
  $("view-map").addEventListener("click", showMapTab);
  $("view-outline").addEventListener("click", () => {
    if (!$("outline-view").hasChildNodes()) renderOutline($("outline-view"), model, pick);
    setTab("outline");
  });
  renderExports(status, view);
  refresh();

  function center() {
    return { x: view.cy.width() / 2, y: view.cy.height() / 2 };
  }
  function showMapTab() {
    setTab("map");
  }
  function setTab(name) {
    $("view-map").setAttribute("aria-selected", String(name === "map"));
    $("view-outline").setAttribute("aria-selected", String(name === "outline"));
    $("map-view").hidden = name !== "map";
    $("outline-view").hidden = name !== "outline";
    if (name === "map") view.cy.resize();
  }
}

poll();
