// The summary view: the story of the argument first — the question, the main disputes with their
// best quotes, consensus, unanswered claims, topic cards and people. Every item opens the map on it.
// Thread text is untrusted: everything here is built with el() (textContent), never as HTML.
import { el, fmt, safeUrl } from "./dom.js";
import { byline, headline, mainDisputes, responders, shorten, siteName } from "./model.js";

const DISPUTES = 5;
const LISTED = 5;

/** The claim objects (from the model) a summary list names, or ``fallback`` when the list is absent. */
function claimsOf(model, refs, fallback) {
  const list = Array.isArray(refs) ? refs : fallback();
  return list.map((ref) => model.claims.get(String(ref && ref.id !== undefined ? ref.id : ref))).filter(Boolean);
}

/** A quote: the claim's words, who said it, a link to its comment and a button to the map. */
function quote(model, claim, onOpen, { tag = "figure", note = "" } = {}) {
  const url = safeUrl(claim.url);
  return el(tag, { class: "quote" },
    el("blockquote", {}, shorten(claim.text, 320)),
    el("figcaption", {},
      el("span", { class: "author" }, byline(claim)),
      note ? el("span", { class: "muted" }, ` · ${note}`) : null,
      url ? [" · ", el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "comment-link",
        "aria-label": `${byline(claim)}'s comment on ${siteName(url)} (opens in a new tab)` },
        `comment on ${siteName(url)} ↗`)] : null,
      " · ",
      el("button", { type: "button", class: "link open-map", dataset: { claim: claim.id }, onclick: () => onOpen(claim.id),
        "aria-label": `show on the map: ${headline(claim.text, 60)}` },
        "show on the map")));
}

function people(names) {
  if (!names.length) return "nobody";
  const shown = names.slice(0, 4).join(", ");
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

function dispute(model, claim, onOpen) {
  const against = responders(model, claim.id, "rebuts");
  const forIt = responders(model, claim.id, "supports");
  const opponents = Number.isFinite(claim.opponents) ? claim.opponents : against.people.length;
  const supporters = Number.isFinite(claim.supporters) ? claim.supporters : forIt.people.length;
  return el("article", { class: "dispute card", dataset: { claim: claim.id } },
    el("h3", { class: claim.text.length > 160 ? null : "visually-hidden" }, headline(claim.text, 90)),  // a short claim is its own heading
    quote(model, claim, onOpen),
    el("div", { class: "sides" },
      el("section", { class: "side against" },
        el("h4", {}, `Disputed by ${opponents === 1 ? "1 person" : `${fmt.format(opponents)} people`}: ${people(against.people)}`),
        against.best ? quote(model, against.best, onOpen, { note: "best rebuttal" }) : el("p", { class: "muted" }, "No rebuttal found.")),
      el("section", { class: "side for" },
        el("h4", {}, supporters ? `Defended by ${supporters === 1 ? "1 person" : `${fmt.format(supporters)} people`}: ${people(forIt.people)}`
          : "Nobody defended it"),
        forIt.best ? quote(model, forIt.best, onOpen, { note: "best support" }) : null)));
}

/** A corpus map's question: its threads, each with its title and a link to it. */
function corpusThreads(model) {
  const threads = model.graph.threads;
  return el("section", { class: "thesis card", "aria-labelledby": "thesis-title" },
    el("h2", { id: "thesis-title" }, "The threads"),
    el("p", { class: "thesis-title" }, model.summary.title || model.graph.title || `${fmt.format(threads.length)} threads`),
    el("ul", { class: "thread-list" }, threads.map((thread) => {
      const url = safeUrl(thread.url);
      const name = thread.title || thread.key;
      return el("li", {}, url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, `${name} ↗`) : name,
        el("span", { class: "muted small" }, ` · ${fmt.format(thread.claims ?? 0)} ${thread.claims === 1 ? "claim" : "claims"}`));
    })));
}

function thesis(model) {
  if (Array.isArray(model.graph.threads) && model.graph.threads.length) return corpusThreads(model);
  const threadId = String(model.graph.thread_id ?? "");
  const root = [...model.claims.values()].filter((c) => String(c.comment_id) === threadId || c.field === "title")
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const title = model.summary.title || model.graph.title || "";
  // the post's own words (``graph.post_text``; an analysis made before it was kept: the post's claims)
  const words = typeof model.graph.post_text === "string" && model.graph.post_text.trim()
    ? model.graph.post_text.trim() : root.map((c) => c.text).filter((t) => t !== title).join(" ");
  const url = safeUrl(model.summary.url || model.graph.url);
  const link = safeUrl(model.graph.post_link);
  return el("section", { class: "thesis card", "aria-labelledby": "thesis-title" },
    el("h2", { id: "thesis-title" }, "The question"),
    el("p", { class: "thesis-title" }, title || (root[0] ? root[0].text : "A discussion")),
    words ? el("p", { class: "thesis-text" }, shorten(words, 420)) : null,
    link ? el("p", { class: "small" }, "The post links to ",
      el("a", { href: link, target: "_blank", rel: "noopener noreferrer" }, `${shorten(link.replace(/^https?:\/\/(www\.)?/, ""), 70)} ↗`)) : null,
    url ? el("p", { class: "small" }, el("a", { href: url, target: "_blank", rel: "noopener noreferrer" },
      `Open the thread on ${siteName(url)} ↗`)) : null);
}

function claimList(model, claims, onOpen, note) {
  return el("ol", { class: "claim-list" }, claims.map((claim) => el("li", {}, quote(model, claim, onOpen, { tag: "div", note: note(claim) }))));
}

function topicCards(model, onOpen) {
  return el("div", { class: "topic-cards" }, model.topics.slice(0, 8).map((topic) => {
    const refs = topic.summary && Array.isArray(topic.summary.key_claims) ? topic.summary.key_claims : null;
    const key = claimsOf(model, refs, () => topic.claims.slice(0, 3)).filter((c) => c.id !== topic.lead?.id).slice(0, 2);
    const card = el("article", { class: "topic-card card", dataset: { topic: topic.id } },
      el("h3", {}, el("span", { class: "swatch", dataset: { color: topic.color } }), topic.label),
      el("p", { class: "muted small" }, `${fmt.format(topic.claims.length)} claims`
        + (topic.summary && topic.summary.contested ? ` · ${fmt.format(topic.summary.contested)} contested` : "")),
      topic.lead ? quote(model, topic.lead, onOpen) : null,
      key.map((claim) => quote(model, claim, onOpen)));
    return card;
  }));
}

function peopleTable(model) {
  const rows = (Array.isArray(model.summary.people) ? model.summary.people : [])
    .filter((p) => p && p.author).slice(0, 12);
  if (!rows.length) return el("p", { class: "muted" }, "No named people in this thread.");
  const names = (counts) => Object.entries(counts || {}).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n]) => n).join(", ") || "—";
  return el("table", { class: "people" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Person"), el("th", { scope: "col" }, "Claims"),
      el("th", { scope: "col" }, "Argues against"), el("th", { scope: "col" }, "Disputed by"),
      el("th", { scope: "col" }, "Agrees with"))),
    el("tbody", {}, rows.map((p) => el("tr", {},
      el("th", { scope: "row" }, String(p.author)), el("td", {}, fmt.format(Number(p.claims) || 0)),
      el("td", {}, names(p.rebutted)), el("td", {}, names(p.rebutted_by)), el("td", {}, names(p.supported))))));
}

function section(id, title, intro, ...content) {
  return el("section", { class: "summary-section", "aria-labelledby": id },
    el("h2", { id }, title), intro ? el("p", { class: "muted small" }, intro) : null, ...content);
}

/** Render the summary into ``container``; ``onOpen(id)`` opens the map focused on a claim. */
/** A corpus: the points made in several threads and rebutted somewhere, with the threads and sides. */
function recurring(model, onOpen) {
  const items = Array.isArray(model.graph.recurring) ? model.graph.recurring : [];
  const titles = new Map((model.graph.threads || []).map((t) => [t.key, t.title || t.key]));
  if (!items.length) return el("p", { class: "muted" }, "No point was made in two threads and rebutted in one.");
  return el("div", { class: "disputes" }, items.slice(0, DISPUTES).map((item) => {
    const claim = model.claims.get(String(item.claim));
    return el("article", { class: "dispute card recurring", dataset: { claim: String(item.claim) } },
      el("h3", {}, headline(String(item.point || ""), 90)),
      claim ? quote(model, claim, onOpen) : null,
      el("p", { class: "small" }, `In ${item.threads.length} threads: ${item.threads.map((k) => titles.get(k) || k).join(" · ")}`),
      el("p", { class: "small" }, `Made by ${people(item.asserted_by || [])}; supported by ${people(item.supported_by || [])}; `
        + `rebutted by ${people(item.rebutted_by || [])}.`));
  }));
}

export function renderSummary(container, model, onOpen) {
  const s = model.summary;
  // "most contested" needs several people against and someone for; a small thread may have
  // none, and then its disagreements (claims anyone rebutted) are the disputes to show
  if (!model.claims.size) {
    container.replaceChildren(section("disputes-title", "No claims found", "",
      el("p", {}, "argmap found no claim in this text: no sentence that states something one could agree or "
        + "disagree with. Greetings, links, bare questions and jokes are not claims; try a thread where people argue.")));
    return;
  }
  const { contested, claims: disputes } = mainDisputes(model, DISPUTES);
  const consensus = claimsOf(model, s.strongest_consensus, () => []).slice(0, LISTED);
  const unanswered = claimsOf(model, s.unanswered, () => []).slice(0, LISTED);
  const supportersOf = (c) => {
    const n = Number.isFinite(c.supporters) ? c.supporters : responders(model, c.id, "supports").people.length;
    return n ? `supported by ${n === 1 ? "1 person" : `${n} people`}` : "";
  };
  const corpus = Array.isArray(model.graph.threads) && model.graph.threads.length > 1;
  container.replaceChildren(
    thesis(model),
    corpus ? section("recurring-title", "Disputes that recur",
      `Points made in two or more of these ${model.graph.threads.length} threads and rebutted in at least one.`,
      recurring(model, onOpen)) : "",
    section("disputes-title", "Main disputes",
      contested ? "Claims several people dispute, those someone defends first: the best rebuttal of each and, where someone defended it, the best defence."
        : disputes.length ? "No claim here is disputed by several people and defended by others; these are the claims someone rebutted, the most rebutted first."
          : "",
      disputes.length ? el("div", { class: "disputes" }, disputes.map((c) => dispute(model, c, onOpen)))
        : el("p", { class: "muted" }, "argmap found no claim that people dispute.")),
    section("consensus-title", "Where people agree", "Claims two or more people backed and nobody disputed.",
      consensus.length ? claimList(model, consensus, onOpen, supportersOf) : el("p", { class: "muted" }, "No clear consensus.")),
    section("unanswered-title", "Unanswered", "Weighty claims nobody replied to.",
      unanswered.length ? claimList(model, unanswered, onOpen, () => "") : el("p", { class: "muted" }, "Every weighty claim got an answer.")),
    section("topics-title", "Topics", "Each topic is titled by its lead claim.", topicCards(model, onOpen)),
    section("people-title", "People", "Who argues with whom.", peopleTable(model)),
  );
  for (const swatch of container.querySelectorAll(".swatch[data-color]")) swatch.style.backgroundColor = swatch.dataset.color;
}
