// The outline view: key claims per topic with their supports and rebuttals, as plain lists.
import { el, safeUrl } from "./dom.js";
import { byline, shorten } from "./model.js";

const CLAIMS_PER_TOPIC = 10;
const REPLIES_PER_CLAIM = 5;

function replies(model, claim, relation, onPick) {
  const edges = (model.incoming.get(claim.id) || [])
    .filter((e) => e.relation === relation)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, REPLIES_PER_CLAIM);
  if (!edges.length) return null;
  const label = relation === "supports" ? "Supported by" : "Rebutted by";
  return el("div", { class: `replies ${relation}` },
    el("span", { class: "replies-label" }, `${label}:`),
    el("ul", {}, edges.map((edge) => {
      const source = model.claims.get(edge.source);
      return el("li", {}, el("button", { type: "button", class: "claim-link", onclick: () => onPick(source.id) },
        shorten(source.text, 200)), el("span", { class: "muted small" }, ` — ${byline(source)}`));
    })));
}

/** Render the outline into ``container``; onPick(id) opens a claim on the map. */
export function renderOutline(container, model, onPick) {
  const sections = model.topics.map((topic) => {
    const key = topic.claims.slice(0, CLAIMS_PER_TOPIC);
    return el("section", { class: "outline-topic" },
      el("h2", {}, el("span", { class: "swatch", dataset: { color: topic.color } }), topic.label,
        el("span", { class: "muted small" }, ` — ${topic.claims.length} claims`)),
      el("ol", {}, key.map((claim) => {
        const url = safeUrl(claim.url);
        return el("li", { class: "outline-claim" },
          el("button", { type: "button", class: "claim-link strong", onclick: () => onPick(claim.id) }, claim.text),
          el("span", { class: "muted small" }, ` — ${byline(claim)} `),
          url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "small",
            "aria-label": `${byline(claim)}'s comment (opens in a new tab)` }, "source ↗") : null,
          replies(model, claim, "supports", onPick),
          replies(model, claim, "rebuts", onPick));
      })));
  });
  container.replaceChildren(
    el("p", { class: "muted" }, `The ${CLAIMS_PER_TOPIC} most important claims of each topic, with the claims that support or rebut them.`),
    ...sections);
  for (const swatch of container.querySelectorAll(".swatch[data-color]")) swatch.style.backgroundColor = swatch.dataset.color;
}
