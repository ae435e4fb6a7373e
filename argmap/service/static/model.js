// The argument map as the page holds it, built from the API's node-link JSON export.

export const PALETTE = [
  "#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#edc948", "#59a14f",
  "#ff9da7", "#9c755f", "#e15759", "#86bcb6", "#d37295", "#8cd17d",
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
    edges.push({
      id: `e:${source}->${target}`,
      source,
      target,
      relation: RELATIONS.includes(link.relation) ? link.relation : "restates",
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
  const topics = [...topicMap.values()].sort((a, b) => b.rankSum - a.rankSum);
  topics.forEach((topic, index) => {
    topic.color = PALETTE[index % PALETTE.length];
    if (!topic.label) {
      topic.label = topics.length === 1 ? "All claims" : `Topic ${index + 1}: ${shorten(topic.claims[0].text, 40)}`;
    }
  });
  const topicById = new Map(topics.map((t) => [t.id, t]));
  const ranks = ranked.map((c) => c.rank);
  return {
    claims, edges, ranked, topics, topicById, outgoing, incoming, byComment,
    graph: data.graph || {},
    stats: data.stats || {},
    maxRank: ranks.length ? ranks[0] : 1,
    minRank: ranks.length ? ranks[ranks.length - 1] : 0,
  };
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
