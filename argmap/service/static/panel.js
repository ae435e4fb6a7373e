// The side panel for one claim: the claim in its comment, its author and link, and its relations.
import { ago, el, safeUrl } from "./dom.js";
import { byline, shorten, siteName, topicOf } from "./model.js";

const OUT_TITLES = { supports: "It supports", rebuts: "It rebuts", restates: "It restates" };
const IN_TITLES = { supports: "Supported by", rebuts: "Rebutted by", restates: "Restated by" };

function claimButton(model, claimId, edge, onPick) {
  const claim = model.claims.get(claimId);
  return el("li", { class: `rel-item ${edge.relation}` },
    el("button", { type: "button", class: "claim-link", dataset: { claim: claimId }, onclick: () => onPick(claimId) },
      shorten(claim.text, 160)),
    el("span", { class: "muted small" },
      ` — ${byline(claim)}, confidence ${edge.confidence.toFixed(2)}` +
      (edge.inferred ? `; who answers whom is guessed from the paste (${Math.round((edge.inferredConfidence ?? 0) * 100)} % sure)` : "")));
}

function relationSections(model, id, onPick) {
  const sections = [];
  const groups = [
    ...Object.entries(OUT_TITLES).map(([rel, title]) => [title, (model.outgoing.get(id) || []).filter((e) => e.relation === rel), "target"]),
    ...Object.entries(IN_TITLES).map(([rel, title]) => [title, (model.incoming.get(id) || []).filter((e) => e.relation === rel), "source"]),
  ];
  for (const [title, edges, end] of groups) {
    if (!edges.length) continue;
    const sorted = [...edges].sort((a, b) => b.confidence - a.confidence);
    sections.push(el("section", { class: "relations" },
      el("h3", {}, `${title} (${edges.length})`),
      el("ul", {}, sorted.map((edge) => claimButton(model, edge[end], edge, onPick)))));
  }
  return sections.length ? sections : [el("p", { class: "muted" }, "argmap found no supports or rebuttals for this claim.")];
}

/** The claim inside its comment: the comment's claims in order, the chosen one marked. */
function commentContext(model, claim) {
  const siblings = model.byComment.get(claim.comment_id) || [claim];
  return el("blockquote", { class: "comment" }, siblings.map((sibling, index) => [
    index ? " " : "",
    sibling.id === claim.id ? el("mark", {}, sibling.text) : el("span", {}, sibling.text),
  ]));
}

/** The chips on a claim, by the summary's rules (people, not sentences): "contested" when two
    or more people dispute it and someone defends it, "consensus" when two or more back it and
    nobody disputes it (``argmap.analytics.summary``); "unanswered" as the graph says. */
export function claimFlags(claim) {
  const counted = Number.isFinite(claim.opponents) && Number.isFinite(claim.supporters);
  const contested = counted ? claim.opponents >= 2 && claim.supporters >= 1 : claim.contested === true;
  const consensus = counted ? claim.supporters >= 2 && claim.opponents === 0 : claim.consensus === true;
  return [contested && "contested", consensus && "consensus", claim.unanswered === true && "unanswered"].filter(Boolean);
}

/** Empty the panel (on a phone: close the sheet). */
export function closePanel(panel) {
  panel.classList.remove("open");
  panel.replaceChildren(el("p", { class: "muted" }, "Click a claim to read it in its comment, with what supports and rebuts it."));
}

/** Fill ``panel`` with the claim ``id``; ``actions`` holds onPick(id), onFocus(id), onClose(). */
export function showClaim(panel, model, id, actions) {
  const claim = model.claims.get(id);
  if (!claim) return;
  const url = safeUrl(claim.url);
  const topic = topicOf(model, claim);
  const when = claim.created_at ? ago(claim.created_at) : "";
  const flags = claimFlags(claim);
  const parts = [
    el("button", { type: "button", class: "close-panel", "aria-label": "Close the claim",
      onclick: () => { closePanel(panel); actions.onClose?.(); } }, "×"),
    el("h2", { class: "claim-title", tabindex: "-1" }, "Claim"),
    el("p", { class: "claim-text" }, claim.text),
    el("p", { class: "meta" },
      el("span", { class: "author" }, byline(claim)),
      when ? el("time", { datetime: claim.created_at, title: claim.created_at }, ` · ${when}`) : null,
      " · ",
      el("span", { class: "topic-chip", dataset: { topic: topic.id } }, topic.label),
      flags.map((flag) => el("span", { class: `flag ${flag}` }, flag))),
    url ? el("p", {}, el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "source-link" },
      `Open the comment on ${siteName(url)} ↗`)) : null,
    el("h3", {}, "In its comment"),
    commentContext(model, claim),
    el("div", { class: "panel-actions" },
      el("button", { type: "button", id: "focus-claim", onclick: () => actions.onFocus(id) }, "Focus on its neighbourhood")),
    ...relationSections(model, id, actions.onPick),
  ];
  panel.replaceChildren(...parts.filter(Boolean));
  panel.classList.add("open");
  panel.scrollTop = 0;
}
