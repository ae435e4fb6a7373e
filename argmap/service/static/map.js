// The interactive map: which claims and edges are visible, and drawing them with Cytoscape.js + fcose.
import { shorten, topicOf } from "./model.js";

export const PAGE_SIZE = 300;
const BIG = 400;
const FOCUS_MAX = 80;
const MAX_FIT_ZOOM = 1.6;

const EDGE_COLORS = { supports: "#2e9d4a", rebuts: "#d43c3c", restates: "#8a8a8a" };

/** The filters and view choices the user controls. */
export function initialState() {
  return {
    relations: new Set(["supports", "rebuts", "restates"]),
    minConfidence: 0,
    author: "",
    hiddenTopics: new Set(),
    collapsedTopics: new Set(),
    onlyLinked: false,
    limit: PAGE_SIZE,
    focus: null,
    search: "",
  };
}

function edgePasses(state, edge) {
  return state.relations.has(edge.relation) && edge.confidence >= state.minConfidence;
}

function neighbours(model, state, id) {
  const found = [];
  for (const edge of model.outgoing.get(id) || []) if (edgePasses(state, edge)) found.push(edge.target);
  for (const edge of model.incoming.get(id) || []) if (edgePasses(state, edge)) found.push(edge.source);
  return found;
}

/** The claims and edges to draw for ``state``: {nodes, edges, hiddenCount, faded}. */
export function computeView(model, state) {
  const visible = new Set();
  const faded = new Set();
  let eligibleCount = 0;
  if (state.focus && model.claims.has(state.focus)) {
    visible.add(state.focus);
    for (const id of neighbours(model, state, state.focus)) visible.add(id);
    for (const id of visible) if (id !== state.focus) faded.add(id);
    for (const id of [...visible]) if (id !== state.focus) for (const n of neighbours(model, state, id)) {
      if (visible.size >= FOCUS_MAX) break;
      if (!visible.has(n)) { visible.add(n); faded.add(n); }
    }
    eligibleCount = visible.size;
  } else {
    const shown = (claim) => !state.hiddenTopics.has(String(claim.topic));
    const linked = (claim) => neighbours(model, state, claim.id).some((n) => shown(model.claims.get(n)));
    let seeds = model.ranked.filter(shown);
    if (state.author) seeds = seeds.filter((c) => c.author === state.author);
    if (state.onlyLinked) seeds = seeds.filter(linked);
    eligibleCount = seeds.length;
    for (const claim of seeds.slice(0, state.limit)) visible.add(claim.id);
    if (state.author) {
      for (const id of [...visible]) for (const n of neighbours(model, state, id)) {
        if (!visible.has(n) && shown(model.claims.get(n))) { visible.add(n); faded.add(n); }
      }
    }
  }
  const nodeKey = (id) => {
    const topic = String(model.claims.get(id).topic);
    return state.collapsedTopics.has(topic) && id !== state.focus ? `topic:${topic}` : id;
  };
  const nodes = new Map();
  for (const id of visible) {
    const key = nodeKey(id);
    if (key === id) nodes.set(id, { kind: "claim", id });
    else {
      const entry = nodes.get(key) || { kind: "topic", id: key, topic: key.slice(6), members: 0 };
      entry.members += 1;
      nodes.set(key, entry);
    }
  }
  const edges = new Map();
  for (const edge of model.edges) {
    if (!edgePasses(state, edge) || !visible.has(edge.source) || !visible.has(edge.target)) continue;
    const source = nodeKey(edge.source);
    const target = nodeKey(edge.target);
    if (source === target) continue;
    const id = source === edge.source && target === edge.target ? edge.id : `agg:${source}->${target}:${edge.relation}`;
    const existing = edges.get(id);
    if (!existing || existing.confidence < edge.confidence) {
      edges.set(id, { id, source, target, relation: edge.relation, confidence: edge.confidence, inferred: edge.inferred });
    }
  }
  return { nodes, edges, hiddenCount: Math.max(0, eligibleCount - visible.size), faded };
}

function nodeSize(model, claim) {
  const span = model.maxRank - model.minRank || 1;
  return 14 + 42 * Math.sqrt(Math.max(0, claim.rank - model.minRank) / span);
}

/** Important claims get legible labels; the rest show theirs once the user zooms in. */
function labelSize(model, claim) {
  const span = model.maxRank - model.minRank || 1;
  return (claim.rank - model.minRank) / span > 0.25 ? 9 : 5;
}

function nodeElement(model, entry) {
  if (entry.kind === "topic") {
    const topic = model.topicById.get(entry.topic);
    return {
      group: "nodes",
      data: {
        id: entry.id, kind: "topic", topic: entry.topic, color: topic.color, fontSize: 11,
        label: `${shorten(topic.label, 40)} (${entry.members} claims)`, size: 40 + Math.min(60, entry.members),
      },
    };
  }
  const claim = model.claims.get(entry.id);
  return {
    group: "nodes",
    data: {
      id: claim.id, kind: "claim", topic: String(claim.topic), color: topicOf(model, claim).color,
      label: shorten(claim.text, 70), size: nodeSize(model, claim), author: claim.author,
      fontSize: labelSize(model, claim),
    },
  };
}

export function cytoscapeStyle() {
  return [
    { selector: "node", style: {
      "background-color": "data(color)", width: "data(size)", height: "data(size)",
      label: "data(label)", "font-size": "data(fontSize)", "text-wrap": "wrap", "text-max-width": 130,
      "text-valign": "bottom", "text-margin-y": 3, color: "#222", "min-zoomed-font-size": 8,
      "border-width": 1, "border-color": "#fff",
    } },
    { selector: 'node[kind = "topic"]', style: { shape: "round-rectangle", "font-size": 11, "font-weight": "bold" } },
    { selector: "node.faded", style: { opacity: 0.55 } },
    { selector: "node.match", style: { "border-width": 4, "border-color": "#f5b700" } },
    { selector: "node.dim", style: { opacity: 0.2 } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#111" } },
    { selector: "edge", style: {
      width: "mapData(confidence, 0, 1, 1, 4)", "line-color": "data(color)", "target-arrow-color": "data(color)",
      "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.9, opacity: 0.85,
    } },
    { selector: 'edge[relation = "restates"]', style: { "line-style": "dashed", "target-arrow-shape": "vee" } },
    { selector: "edge[?inferred]", style: { "line-style": "dotted" } },
    { selector: "edge.dim", style: { opacity: 0.12 } },
  ];
}

/** Put each new node beside a placed neighbour, so an incremental layout only settles the newcomers. */
function placeNearNeighbours(cy, fresh) {
  const freshIds = new Set(fresh.map((n) => n.id()));
  const box = cy.nodes().filter((n) => !freshIds.has(n.id())).boundingBox();
  fresh.forEach((node) => {
    const anchor = node.neighborhood("node").filter((n) => !freshIds.has(n.id()))[0];
    const jitter = () => (Math.random() - 0.5) * 80;
    node.position(anchor
      ? { x: anchor.position("x") + jitter(), y: anchor.position("y") + jitter() }
      : { x: box.x1 + Math.random() * box.w, y: box.y1 + Math.random() * box.h });
  });
}

/** Owns the Cytoscape instance and keeps it in step with the model and the filters. */
export class MapView {
  constructor(container, model, state, { onSelect, onStatus }) {
    this.model = model;
    this.state = state;
    this.onStatus = onStatus;
    this.layoutTimer = null;
    this.cy = window.cytoscape({
      container,
      style: cytoscapeStyle(),
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: model.claims.size > BIG,
      hideEdgesOnViewport: model.claims.size > BIG,
      boxSelectionEnabled: false,
    });
    this.cy.on("tap", "node", (event) => {
      const node = event.target;
      if (node.data("kind") === "topic") this.toggleCollapse(node.data("topic"));
      else onSelect(node.id());
    });
    this.view = null;
  }

  /** Recompute what is visible and redraw; re-run the layout when the node set changed. */
  refresh({ relayout = true } = {}) {
    const view = computeView(this.model, this.state);
    this.view = view;
    const cy = this.cy;
    let changed = false;
    cy.batch(() => {
      const wanted = new Set([...view.nodes.keys(), ...view.edges.keys()]);
      const stale = cy.elements().filter((ele) => !wanted.has(ele.id()));
      if (stale.nonempty()) { stale.remove(); changed = true; }
      const added = [];
      for (const entry of view.nodes.values()) {
        const existing = cy.getElementById(entry.id);
        const element = nodeElement(this.model, entry);
        if (existing.nonempty()) existing.data(element.data);
        else added.push(element);
      }
      for (const edge of view.edges.values()) {
        if (cy.getElementById(edge.id).empty()) {
          added.push({ group: "edges", data: { ...edge, color: EDGE_COLORS[edge.relation] } });
        }
      }
      if (added.length) {
        const before = cy.nodes().length;
        const fresh = cy.add(added).nodes();
        this.incremental = before > 0 && fresh.length < before && before + fresh.length <= BIG;
        if (this.incremental) placeNearNeighbours(cy, fresh);
        changed = true;
      }
      cy.nodes().forEach((node) => node.toggleClass("faded", view.faded.has(node.id())));
    });
    this.applySearch();
    if (changed && relayout) this.layout({ randomize: !this.incremental });
    else this.onStatus("");
    this.incremental = false;
    return view;
  }

  /** fcose with animation off and a bounded number of iterations, after the browser has painted. */
  layout({ randomize } = {}) {
    clearTimeout(this.layoutTimer);
    const count = this.cy.nodes().length;
    if (!count) { this.onStatus(""); return; }
    this.onStatus(`Laying out ${count} claims…`);
    // Above BIG claims only the spectral "draft" pass is fast enough, and it always starts afresh.
    const fresh = (randomize ?? true) || count > BIG;
    this.layoutTimer = setTimeout(() => {
      const started = performance.now();
      this.cy.layout({
        name: "fcose",
        animate: false,
        randomize: fresh,
        // "draft" is the spectral pass alone, which needs randomize; an incremental run refines positions.
        quality: fresh && count > BIG ? "draft" : "default",
        numIter: count > BIG ? 300 : 2500,
        nodeRepulsion: 6000,
        idealEdgeLength: 70,
        nodeSeparation: 60,
        packComponents: true,
        tilingPaddingVertical: 36,
        tilingPaddingHorizontal: 90,
        fit: true,
        padding: 20,
      }).run();
      if (this.cy.zoom() > MAX_FIT_ZOOM) { this.cy.zoom(MAX_FIT_ZOOM); this.cy.center(); }
      this.lastLayoutMs = Math.round(performance.now() - started);
      this.onStatus("");
    }, 30);
  }

  applySearch() {
    const query = this.state.search.trim().toLowerCase();
    this.cy.batch(() => {
      this.cy.elements().removeClass("match dim");
      if (!query) return;
      const matches = this.cy.nodes().filter((node) => {
        const claim = this.model.claims.get(node.id());
        return claim && (claim.text.toLowerCase().includes(query) || claim.author.toLowerCase() === query);
      });
      matches.addClass("match");
      this.cy.nodes().difference(matches).addClass("dim");
      this.cy.edges().addClass("dim");
    });
  }

  toggleCollapse(topic) {
    if (this.state.collapsedTopics.has(topic)) this.state.collapsedTopics.delete(topic);
    else this.state.collapsedTopics.add(topic);
    this.refresh();
    this.onChange?.();
  }

  select(id) {
    this.cy.nodes(":selected").unselect();
    const node = this.cy.getElementById(id);
    if (node.nonempty()) {
      node.select();
      this.cy.animate({ center: { eles: node }, duration: 200 });
    }
  }

  visibleEdgeCount() {
    return this.cy.edges().length;
  }
}
