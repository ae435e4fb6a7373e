// The interactive map: which claims and edges are visible, and drawing them with Cytoscape.js + dagre.
//
// Claims are boxes with their text wrapped inside, laid out as a hierarchy per dispute (the
// claim answered above, its replies below: supporters to the left, rebutters to the right).
// dagre is deterministic, so the same analysis gives the same positions on every load.
import { byline, mainDisputes, shorten, topicOf } from "./model.js";

export const PAGE_SIZE = 40;
const FOCUS_MAX = 36;
const DISPUTES_FIRST = 3; // the summary's first main disputes open the default map ...
const DISPUTE_ANSWERS = 8; // ... each with up to this many of the claims answering it (rebuttals first)
const BOX_WIDTH = 210;
const FONT = 13;
export const READABLE_PX = 12; // rendered label size the initial view never goes below
const MAX_FIT_ZOOM = 1.3;
const ROW_WIDTH = 2200; // components are packed in rows about this wide (model units)
const GAP = 70;

export const EDGE_COLORS = { supports: "#1a7f37", rebuts: "#c62828", restates: "#595959" };
const SIDE = { supports: 0, restates: 1, rebuts: 2 };

/** The filters and view choices the user controls. */
export function initialState() {
  return {
    relations: new Set(["supports", "rebuts", "restates"]),
    minConfidence: 0,
    author: "",
    thread: "", // a corpus: only this thread's claims
    hiddenTopics: new Set(),
    collapsedTopics: new Set(),
    onlyLinked: true,
    limit: PAGE_SIZE,
    focus: null,
    search: "",
  };
}

function edgePasses(state, edge) {
  return state.relations.has(edge.relation) && edge.confidence >= state.minConfidence;
}

function neighbourEdges(model, state, id) {
  return [...(model.outgoing.get(id) || []), ...(model.incoming.get(id) || [])].filter((e) => edgePasses(state, e));
}

function otherEnd(edge, id) {
  return edge.source === id ? edge.target : edge.source;
}

/** The claims and edges to draw for ``state``: {nodes, edges, hiddenCount, faded}. */
export function computeView(model, state) {
  const visible = new Set();
  const faded = new Set();
  let eligibleCount = 0;
  const shown = (id) => {
    const claim = model.claims.get(id);
    return !state.hiddenTopics.has(String(claim.topic)) && (!state.thread || claim.thread === state.thread);
  };
  if (state.focus && model.claims.has(state.focus)) {
    // the claim, what it answers, and who answers it (then who answers them), strongest first
    visible.add(state.focus);
    const queue = [state.focus];
    while (queue.length && visible.size < FOCUS_MAX) {
      const id = queue.shift();
      const edges = neighbourEdges(model, state, id).sort((a, b) => b.confidence - a.confidence);
      for (const edge of edges) {
        const other = otherEnd(edge, id);
        if (visible.size >= FOCUS_MAX) break;
        if (!visible.has(other)) { visible.add(other); queue.push(other); if (id !== state.focus) faded.add(other); }
      }
    }
    eligibleCount = visible.size;
  } else {
    let seeds = model.ranked.filter((c) => shown(c.id));
    if (state.author) seeds = seeds.filter((c) => c.author === state.author);
    const linkedTo = (id) => neighbourEdges(model, state, id).map((e) => otherEnd(e, id)).filter(shown);
    if (state.onlyLinked) seeds = seeds.filter((c) => linkedTo(c.id).length);
    eligibleCount = seeds.length;
    if (!state.author) {
      // the summary's main disputes first, each with who rebuts and defends it: a disputed
      // claim is never drawn without its rebuttals because they rank lower
      for (const claim of mainDisputes(model, DISPUTES_FIRST).claims) {
        if (!shown(claim.id) || visible.size >= state.limit) continue;
        // its rebuttals first, then its supports, each strongest first
        const order = { rebuts: 0, supports: 1, restates: 2 };
        const answers = [...new Set((model.incoming.get(claim.id) || []).filter((e) => edgePasses(state, e))
          .sort((a, b) => order[a.relation] - order[b.relation] || b.confidence - a.confidence)
          .map((e) => e.source).filter((id) => shown(id) && id !== claim.id))];
        if (!answers.length) continue;
        visible.add(claim.id);
        for (const id of answers.slice(0, DISPUTE_ANSWERS)) visible.add(id);
      }
    }
    for (const claim of seeds) {
      if (visible.size >= state.limit) break;
      visible.add(claim.id);
      // a linked claim comes with the claim it is most strongly linked to, so nothing floats alone
      if (state.onlyLinked || state.author) {
        const partners = linkedTo(claim.id).filter((id) => id !== claim.id);
        if (partners.length && !partners.some((id) => visible.has(id))) {
          visible.add(partners[0]);
          if (state.author && model.claims.get(partners[0]).author !== state.author) faded.add(partners[0]);
        }
      }
    }
    if (state.author) {
      for (const id of [...visible]) for (const other of linkedTo(id)) {
        if (!visible.has(other)) { visible.add(other); faded.add(other); }
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
  if (state.onlyLinked && !state.focus) {
    // never an unconnected claim with the default filter (a partner may sit in a hidden topic)
    const touched = new Set();
    for (const edge of edges.values()) { touched.add(edge.source); touched.add(edge.target); }
    for (const key of [...nodes.keys()]) {
      if (!touched.has(key)) { nodes.delete(key); visible.delete(key); }
    }
  }
  return { nodes, edges, hiddenCount: Math.max(0, eligibleCount - visible.size), faded };
}

/** Word-wrap ``text`` into lines of about ``width`` px at ``FONT`` px (an estimate for the box height). */
function wrapLines(text, width) {
  const perLine = Math.floor(width / (FONT * 0.56));
  let lines = 1;
  let length = 0;
  for (const word of text.split(" ")) {
    if (length && length + 1 + word.length > perLine) { lines += 1; length = word.length; } else length += (length ? 1 : 0) + word.length;
  }
  return lines;
}

/** A claim's words as its box shows them: cut to 120 characters, a long link or word cut to
 * what fits on one line of the box (the panel shows the whole claim). */
function boxWords(text) {
  const perLine = Math.floor((BOX_WIDTH - 16) / (FONT * 0.56));
  return shorten(text, 120).split(" ").map((word) => (word.length > perLine ? `${word.slice(0, perLine - 1)}…` : word)).join(" ");
}

function nodeElement(model, entry) {
  if (entry.kind === "topic") {
    const topic = model.topicById.get(entry.topic);
    const label = `Topic: ${topic.label}\n${entry.members} of ${topic.claims.length} claims — tap to expand`;
    return {
      group: "nodes",
      data: {
        id: entry.id, kind: "topic", topic: entry.topic, color: topic.color, label,
        width: BOX_WIDTH + 40, height: 20 + 17 * (wrapLines(label, BOX_WIDTH + 20) + 1), order: 1, rank: 1,
      },
    };
  }
  const claim = model.claims.get(entry.id);
  const words = boxWords(claim.text);
  const label = `${words}\n— ${byline(claim)}`;
  const side = Math.min(...(model.outgoing.get(claim.id) || []).map((e) => SIDE[e.relation]), 1);
  return {
    group: "nodes",
    data: {
      id: claim.id, kind: "claim", topic: String(claim.topic), color: topicOf(model, claim).color,
      label, author: claim.author, width: BOX_WIDTH,
      height: 14 + 17 * (wrapLines(words, BOX_WIDTH - 16) + 1),
      order: side, rank: claim.rank,
    },
  };
}

export function cytoscapeStyle() {
  return [
    { selector: "node", style: {
      shape: "round-rectangle", width: "data(width)", height: "data(height)",
      "background-color": "#ffffff", "border-width": 3, "border-color": "data(color)",
      label: "data(label)", "font-size": FONT, "line-height": 1.25, "text-wrap": "wrap",
      "text-max-width": BOX_WIDTH - 16, "text-valign": "center", "text-halign": "center", color: "#111",
      "min-zoomed-font-size": 6,
    } },
    { selector: 'node[kind = "topic"]', style: { "font-weight": "bold", "background-color": "#f3f4f8", "border-width": 5 } },
    { selector: "node.faded", style: { opacity: 0.6 } },
    { selector: "node.new", style: { "border-style": "double", "border-width": 7, "border-color": "#1565c0" } },
    { selector: "node.match", style: { "border-width": 6, "border-color": "#f5b700" } },
    { selector: "node.dim", style: { opacity: 0.25 } },
    { selector: "node:selected", style: { "border-width": 6, "border-color": "#111", "background-color": "#fff8d6" } },
    { selector: "edge", style: {
      width: "mapData(confidence, 0, 1, 1.5, 4)", "line-color": "data(color)", "target-arrow-color": "data(color)",
      "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 1.1, opacity: 0.9,
    } },
    // rebuts end in a flat bar, supports in an arrowhead: the two differ in shape, not only colour
    { selector: 'edge[relation = "rebuts"]', style: { "target-arrow-shape": "tee", "arrow-scale": 1.3 } },
    { selector: 'edge[relation = "restates"]', style: { "line-style": "dashed", "target-arrow-shape": "vee" } },
    { selector: "edge[?inferred]", style: { "line-style": "dotted" } },
    { selector: "edge.dim", style: { opacity: 0.12 } },
  ];
}

/** Pack the connected components in rows, the one holding the most important claim first. */
function packComponents(cy) {
  const components = cy.elements().components().map((eles) => ({
    eles, box: eles.nodes().boundingBox(), weight: Math.max(...eles.nodes().map((n) => n.data("rank") || 0)),
  }));
  components.sort((a, b) => b.weight - a.weight || a.eles.nodes()[0].id().localeCompare(b.eles.nodes()[0].id()));
  packInRows(components.map((c) => c.eles), 0, 0);
}

/** Lay components side by side in rows about ``ROW_WIDTH`` wide, the first row's top left at (x0, y0). */
function packInRows(components, x0, y0) {
  let x = x0;
  let y = y0;
  let rowHeight = 0;
  for (const eles of components) {
    const box = eles.nodes().boundingBox();
    if (x > x0 && x + box.w > x0 + ROW_WIDTH) { x = x0; y += rowHeight + GAP; rowHeight = 0; }
    const dx = x - box.x1;
    const dy = y - box.y1;
    eles.nodes().positions((node) => ({ x: node.position("x") + dx, y: node.position("y") + dy }));
    x += box.w + GAP;
    rowHeight = Math.max(rowHeight, box.h);
  }
}

/**
 * Put the components of a fresh layout back where the previous version drew them: each
 * component that holds claims drawn before moves by their mean offset, so they stay put;
 * components of new claims only go in rows below.
 */
export function alignToPrevious(cy, positions) {
  const placed = [];
  const fresh = [];
  for (const eles of cy.elements().components()) {
    const anchors = eles.nodes().filter((node) => positions[node.id()]);
    if (!anchors.length) { fresh.push(eles); continue; }
    let dx = 0;
    let dy = 0;
    anchors.forEach((node) => { dx += positions[node.id()].x - node.position("x"); dy += positions[node.id()].y - node.position("y"); });
    dx /= anchors.length;
    dy /= anchors.length;
    eles.nodes().positions((node) => ({ x: node.position("x") + dx, y: node.position("y") + dy }));
    placed.push(eles.nodes().boundingBox());
  }
  if (!fresh.length) return;
  packInRows(fresh, placed.length ? Math.min(...placed.map((b) => b.x1)) : 0,
    placed.length ? Math.max(...placed.map((b) => b.y2)) + GAP : 0);
}

/**
 * Claims drawn before go exactly where they were; the new ones, which ``alignToPrevious``
 * put near them, are settled by fCoSE around those fixed claims (a reply still below what it
 * answers) so that nothing overlaps.
 */
export function keepInPlace(cy, positions) {
  const fixed = cy.nodes().filter((node) => positions[node.id()]);
  if (!fixed.length) return;
  fixed.positions((node) => ({ x: positions[node.id()].x, y: positions[node.id()].y }));
  const moving = cy.nodes().difference(fixed);
  if (!moving.length || !window.cytoscape || typeof cy.layout !== "function") return;
  const below = cy.edges().filter((edge) => moving.contains(edge.source()) || moving.contains(edge.target()))
    .map((edge) => ({ top: edge.target().id(), bottom: edge.source().id(), gap: 40 }));
  try {
    cy.layout({
      name: "fcose", quality: "proof", randomize: false, animate: false, fit: false, packComponents: false,
      nodeDimensionsIncludeLabels: false, nodeSeparation: 40, idealEdgeLength: () => 90,
      fixedNodeConstraint: fixed.map((node) => ({ nodeId: node.id(), position: { ...positions[node.id()] } })),
      relativePlacementConstraint: below,
    }).run();
  } catch {
    // fCoSE missing or refusing the constraints: the new claims stay where alignToPrevious put them
  }
  fixed.positions((node) => ({ x: positions[node.id()].x, y: positions[node.id()].y }));
}

/** Owns the Cytoscape instance and keeps it in step with the model and the filters. */
export class MapView {
  /**
   * ``previous`` ({positions, zoom, pan}): how the version before was drawn, so the first
   * layout keeps those claims where they were; ``fresh``: ids of claims new since the
   * visitor's last view (outlined).
   */
  constructor(container, model, state, { onSelect, onStatus, previous = null, fresh = new Set() }) {
    this.model = model;
    this.state = state;
    this.onStatus = onStatus;
    this.previous = previous;
    this.fresh = fresh;
    this.layoutTimer = null;
    this.cy = window.cytoscape({
      container,
      style: cytoscapeStyle(),
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
    });
    this.cy.on("tap", "node", (event) => {
      container.focus({ preventScroll: true });  // after a click, the map's keys (N, P, arrows) work at once
      const node = event.target;
      if (node.data("kind") === "topic") this.toggleCollapse(node.data("topic"));
      else onSelect(node.id());
    });
    this.view = null;
  }

  /** Recompute what is visible and redraw; lay out again when the elements changed. */
  refresh() {
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
      if (added.length) { cy.add(added); changed = true; }
      cy.nodes().forEach((node) => {
        node.toggleClass("faded", view.faded.has(node.id()));
        node.toggleClass("new", this.fresh.has(node.id()));
      });
    });
    this.applySearch();
    if (changed || this.state.focus !== this.laidOutFocus) this.layout();
    else this.onStatus("");
    return view;
  }

  /** dagre (deterministic), components packed in rows, then a view whose labels can be read. */
  layout() {
    clearTimeout(this.layoutTimer);
    const count = this.cy.nodes().length;
    if (!count) { this.onStatus(""); return; }
    this.onStatus(`Laying out ${count} claims…`);
    this.layoutTimer = setTimeout(() => {
      const started = performance.now();
      const cy = this.cy;
      cy.resize();
      cy.layout({
        name: "dagre",
        rankDir: "BT", // an edge runs from a reply (below) to the claim it answers (above)
        nodeSep: 24,
        rankSep: 56,
        edgeSep: 8,
        animate: false,
        fit: false,
        // supporters first (left), rebutters last (right); then the more important first
        sort: (a, b) => (a.data("order") ?? 1) - (b.data("order") ?? 1) || (b.data("rank") || 0) - (a.data("rank") || 0)
          || (a.id() < b.id() ? -1 : 1),
      }).run();
      if (!this.state.focus) packComponents(cy);
      this.laidOutFocus = this.state.focus;
      const previous = this.previous;
      this.previous = null; // only the first layout after an update follows the version before
      if (previous && previous.positions && !this.state.focus) {
        alignToPrevious(cy, previous.positions);
        keepInPlace(cy, previous.positions);
        cy.zoom(previous.zoom);
        cy.pan(previous.pan);
      } else {
        this.frame();
      }
      this.lastLayoutMs = Math.round(performance.now() - started);
      this.onStatus("");
    }, 20);
  }

  /** The smallest zoom at which labels render at READABLE_PX or more. */
  readableZoom() {
    return READABLE_PX / FONT;
  }

  /** Fit everything when that keeps labels readable; else zoom to readable size at the focus or the top. */
  frame() {
    const cy = this.cy;
    const readable = this.readableZoom();
    const focus = this.state.focus ? cy.getElementById(this.state.focus) : null;
    cy.fit(undefined, 24);
    if (cy.zoom() > MAX_FIT_ZOOM) { cy.zoom(MAX_FIT_ZOOM); cy.center(focus && focus.nonempty() ? focus : undefined); }
    if (cy.zoom() >= readable) { if (focus && focus.nonempty()) cy.center(focus); return; }
    cy.zoom(readable);
    if (focus && focus.nonempty()) {
      // the focus, with as much of its neighbourhood as fits at a readable size; a claim too
      // long to fit the map at that size is fitted whole (the selection is always all in view)
      const own = focus.renderedBoundingBox();
      if (own.w > cy.width() - 16 || own.h > cy.height() - 16) { cy.fit(focus, 24); return; }
      const near = focus.closedNeighborhood().nodes().renderedBoundingBox();
      if (near.w <= cy.width() - 32 && near.h <= cy.height() - 32) { cy.center(focus.closedNeighborhood().nodes()); return; }
      // too big to see whole: the claim it answers and the focus at the top, centred across;
      // the replies hang below them (dagre puts the answered claim above, replies under it)
      const top = focus.union(focus.outgoers("node")).renderedBoundingBox();
      const start = top.h <= cy.height() / 2 ? top.y1 : own.y1;
      cy.panBy({ x: cy.width() / 2 - (own.x1 + own.x2) / 2, y: 24 - start });
      return;
    }
    const box = cy.nodes().boundingBox();
    const first = cy.elements().components()
      .map((eles) => eles.nodes().boundingBox())
      .reduce((best, b) => (b.y1 < best.y1 - 1 || (Math.abs(b.y1 - best.y1) <= 1 && b.x1 < best.x1) ? b : best));
    cy.pan({ x: 24 - Math.max(box.x1, first.x1) * readable, y: 24 - first.y1 * readable });
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

  setCollapsed(all) {
    this.state.collapsedTopics = new Set(all ? this.model.topics.map((t) => t.id) : []);
    this.refresh();
    this.onChange?.();
  }

  select(id) {
    this.cy.nodes(":selected").unselect();
    const node = this.cy.getElementById(id);
    if (node.nonempty()) {
      node.select();
      // the whole claim in view, not only its centre
      const box = node.renderedBoundingBox();
      const inside = box.x1 >= 0 && box.y1 >= 0 && box.x2 <= this.cy.width() && box.y2 <= this.cy.height();
      if (!inside) {
        if (box.w > this.cy.width() - 16 || box.h > this.cy.height() - 16) this.cy.fit(node, 24);
        else this.cy.center(node);
      }
    }
  }

  visibleEdgeCount() {
    return this.cy.edges().length;
  }
}
