// The outline view: key claims per topic with their supports and rebuttals, as plain lists.
import { el, safeUrl } from "./dom.js";
import { byline, shorten } from "./model.js";

const CLAIMS_PER_TOPIC = 10;
const REPLIES_PER_CLAIM = 5;

/** A button that replaces itself with the rest of a list: the outline shows every claim and
    reply on request, so it is the map's whole text alternative. */
function showRest(list, rest, render, what) {
  if (!rest.length) return null;
  const button = el("button", { type: "button", class: "link show-rest" }, `show ${rest.length} more ${what}`);
  button.addEventListener("click", () => {
    const items = rest.map(render);
    list.append(...items);
    button.remove();
    items[0].querySelector("button")?.focus();
  });
  return button;
}

function replies(model, claim, relation, onPick) {
  const edges = (model.incoming.get(claim.id) || [])
    .filter((e) => e.relation === relation)
    .sort((a, b) => b.confidence - a.confidence);
  if (!edges.length) return null;
  const label = relation === "supports" ? "Supported by" : "Rebutted by";
  const item = (edge) => {
    const source = model.claims.get(edge.source);
    return el("li", {}, el("button", { type: "button", class: "claim-link", onclick: () => onPick(source.id) },
      shorten(source.text, 200)), el("span", { class: "muted small" }, ` — ${byline(source)}`));
  };
  const list = el("ul", {}, edges.slice(0, REPLIES_PER_CLAIM).map(item));
  return el("div", { class: `replies ${relation}` },
    el("span", { class: "replies-label" }, `${label}:`), list,
    showRest(list, edges.slice(REPLIES_PER_CLAIM), item, relation === "supports" ? "supports" : "rebuttals"));
}

/** Render the outline into ``container``; onPick(id) opens a claim on the map. */
export function renderOutline(container, model, onPick) {
  const item = (claim) => {
    const url = safeUrl(claim.url);
    return el("li", { class: "outline-claim" },
      el("button", { type: "button", class: "claim-link strong", onclick: () => onPick(claim.id) }, claim.text),
      el("span", { class: "muted small" }, ` — ${byline(claim)} `),
      url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "small",
        "aria-label": `${byline(claim)}'s comment (opens in a new tab)` }, "source ↗") : null,
      replies(model, claim, "supports", onPick),
      replies(model, claim, "rebuts", onPick));
  };
  const sections = model.topics.map((topic) => {
    const list = el("ol", {}, topic.claims.slice(0, CLAIMS_PER_TOPIC).map(item));
    return el("section", { class: "outline-topic" },
      el("h2", {}, el("span", { class: "swatch", dataset: { color: topic.color } }), topic.label,
        el("span", { class: "muted small" }, ` — ${topic.claims.length} claims`)),
      list, showRest(list, topic.claims.slice(CLAIMS_PER_TOPIC), item, "claims of this topic"));
  });
  container.replaceChildren(
    el("p", { class: "muted" }, `The ${CLAIMS_PER_TOPIC} most important claims of each topic, with the claims that `
      + "support or rebut them; each list shows the rest on request."),
    ...sections);
  for (const swatch of container.querySelectorAll(".swatch[data-color]")) swatch.style.backgroundColor = swatch.dataset.color;
}
