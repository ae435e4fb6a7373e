// The argument map as the page holds it, built from the API's node-link JSON export.

// Topic colours: blues, oranges, purples, browns, golds — none is the green, red or grey of an edge.
export const PALETTE = [
  "#3f6fb5", "#e07b00", "#7b4fb0", "#8c5a2b", "#c9a100", "#1f9bb4",
  "#b04f9b", "#5a6ad6", "#d09a5a", "#9b8ad0", "#6f8fa8", "#b8860b",
];
export const RELATIONS = ["supports", "rebuts", "restates"];

/** Build {claims, edges, topics, outgoing, incoming, byComment, graph} from node-link JSON. */
export function buildModel(data) {
  const claims = new Map();
  for (const node of data.nodes || []) {
    if (node.kind && node.kind !== "claim") continue;
    const id = String(node.id);
    claims.set(id, {
      ...node,
      id,
      text: String(node.text ?? ""),
      author: node.author ? String(node.author) : "",
      topic: node.topic ?? 0,
      rank: Number(node.rank) || 0,
    });
  }
  const edges = [];
  for (const link of data.edges || data.links || []) {
    const source = String(link.source);
    const target = String(link.target);
    if (!claims.has(source) || !claims.has(target) || source === target) continue;
    const relation = RELATIONS.includes(link.relation) ? link.relation
      : link.stance === "agree" ? "supports" : link.stance === "disagree" ? "rebuts" : "restates";
    edges.push({
      id: `e:${source}->${target}`,
      source,
      target,
      relation,
      stance: link.stance || "",
      replyId: link.reply_id == null ? "" : String(link.reply_id),
      confidence: Number(link.confidence ?? 1),
      origin: link.origin || "",
      // a reply link guessed from a paste (argmap.sources.reply_structure), not the thread's own
      inferred: Boolean(link.inferred),
      inferredConfidence: link.inferred_confidence == null ? null : Number(link.inferred_confidence),
    });
  }
  const outgoing = new Map();
  const incoming = new Map();
  const byComment = new Map();
  for (const claim of claims.values()) {
    outgoing.set(claim.id, []);
    incoming.set(claim.id, []);
    if (!byComment.has(claim.comment_id)) byComment.set(claim.comment_id, []);
    byComment.get(claim.comment_id).push(claim);
  }
  for (const edge of edges) {
    outgoing.get(edge.source).push(edge);
    incoming.get(edge.target).push(edge);
  }
  for (const list of byComment.values()) list.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));

  const ranked = [...claims.values()].sort((a, b) => b.rank - a.rank);
  const topicMap = new Map();
  for (const claim of ranked) {
    const key = String(claim.topic);
    if (!topicMap.has(key)) {
      topicMap.set(key, { id: key, label: claim.topic_label ? String(claim.topic_label) : "", claims: [], rankSum: 0 });
    }
    const topic = topicMap.get(key);
    topic.claims.push(claim);
    topic.rankSum += claim.rank;
  }
  const summary = data.summary && typeof data.summary === "object" ? data.summary : {};
  const summaryTopics = new Map((Array.isArray(summary.topics) ? summary.topics : []).map((t) => [String(t.id), t]));
  const topics = [...topicMap.values()].sort((a, b) => b.rankSum - a.rankSum);
  topics.forEach((topic, index) => {
    topic.color = PALETTE[index % PALETTE.length];
    topic.summary = summaryTopics.get(topic.id) || null;
    topic.keywords = topic.label;
    // Titled by its lead claim (a short label), never by a bag of keywords.
    const lead = (topic.summary && topic.summary.central_claim) || topic.claims[0];
    const leadClaim = lead && lead.id !== undefined && claims.has(String(lead.id)) ? claims.get(String(lead.id)) : topic.claims[0];
    topic.lead = leadClaim;
    topic.label = topics.length === 1 && !leadClaim ? "All claims" : headline(leadClaim ? leadClaim.text : topic.label, 60);
  });
  const topicById = new Map(topics.map((t) => [t.id, t]));
  const ranks = ranked.map((c) => c.rank);
  return {
    claims, edges, ranked, topics, topicById, outgoing, incoming, byComment,
    graph: data.graph || {},
    summary,
    stats: data.stats || {},
    maxRank: ranks.length ? ranks[0] : 1,
    minRank: ranks.length ? ranks[ranks.length - 1] : 0,
  };
}

/** A short label from a claim: its first clause, cut at a word boundary. */
export function headline(text, length = 60) {
  const clean = String(text ?? "").replace(/\s+/g, " ").trim();
  const clause = clean.split(/(?<=[.!?;:])\s/)[0] || clean;
  if (clause.length <= length) return clause.replace(/[.;:]$/, "");
  const cut = clause.slice(0, length - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > length / 2 ? cut.slice(0, space) : cut}…`;
}

/** Who wrote a claim, as the page says it: a paste's stand-in for a quoted comment says so. */
export function byline(claim) {
  if (claim.quoted_only) return "quoted from a comment not in the paste";
  return claim.author || "anonymous";
}

/** Distinct authors of the claims answering ``id`` with ``relation`` (not the claim's own author). */
export function responders(model, id, relation) {
  const claim = model.claims.get(id);
  const edges = (model.incoming.get(id) || []).filter((e) => e.relation === relation);
  edges.sort((a, b) => b.confidence - a.confidence || model.claims.get(b.source).rank - model.claims.get(a.source).rank);
  const people = [];
  for (const edge of edges) {
    const author = model.claims.get(edge.source).author || "anonymous";
    if (claim && author === claim.author && author) continue;
    if (!people.includes(author)) people.push(author);
  }
  return { edges, people, best: edges.length ? model.claims.get(edges[0].source) : null };
}

/** The summary's main disputes: the claims several people dispute and someone defends
 * (``summary.most_contested``), then those several people rebut and nobody defended; where a
 * thread has neither, the claims anyone rebutted, the most rebutted first. ``contested`` says
 * which of the two the list is. */
const disputesOf = new WeakMap(); // model -> its main disputes (the map asks on every redraw)

export function mainDisputes(model, count = 5) {
  if (!disputesOf.has(model)) disputesOf.set(model, findDisputes(model));
  const found = disputesOf.get(model);
  return { contested: found.contested, claims: found.claims.slice(0, count) };
}

function findDisputes(model) {
  const refs = Array.isArray(model.summary.most_contested) ? model.summary.most_contested : [];
  const contested = refs.map((ref) => model.claims.get(String(ref && ref.id !== undefined ? ref.id : ref))).filter(Boolean);
  const opponents = new Map();
  for (const claim of model.claims.values()) {
    const against = responders(model, claim.id, "rebuts");
    if (against.edges.length) opponents.set(claim.id, against.people.length);
  }
  const rebutted = [...opponents.keys()].map((id) => model.claims.get(id))
    .sort((a, b) => opponents.get(b.id) - opponents.get(a.id) || b.rank - a.rank);
  // then the claims several people rebut that nobody defended: a thread's sharpest
  // disagreement is often one side piling on
  const listed = new Set(contested.map((c) => c.id));
  const piledOn = rebutted.filter((c) => opponents.get(c.id) >= 2 && !listed.has(c.id));
  if (contested.length || piledOn.length) return { contested: true, claims: [...contested, ...piledOn].slice(0, 20) };
  return { contested: false, claims: rebutted.slice(0, 20) };
}

export function shorten(text, length) {
  const clean = String(text).replace(/\s+/g, " ").trim();
  return clean.length > length ? `${clean.slice(0, length - 1)}…` : clean;
}

export function topicOf(model, claim) {
  return model.topicById.get(String(claim.topic));
}

/** Where a claim's comment lives, in words ("Hacker News", "Reddit"). */
export function siteName(url) {
  if (!url) return "";
  if (url.includes("ycombinator.com")) return "Hacker News";
  if (url.includes("reddit.com")) return "Reddit";
  return "the source";
}
