// Small DOM helpers. Text from a thread is untrusted: it only ever goes in via textContent.

/** Build an element: el("a", {href: url, class: "x"}, "text", childNode, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Only http(s) links to the outside world; anything else (javascript:, data:) becomes no link. */
export function safeUrl(url) {
  if (typeof url !== "string" || !/^https?:\/\//i.test(url.trim())) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export const fmt = new Intl.NumberFormat("en");

/** "3 minutes ago" style text for an ISO time. */
export function ago(iso) {
  if (!iso) return "";
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  const seconds = (Date.now() - then.getTime()) / 1000;
  const steps = [[60, "second"], [60, "minute"], [24, "hour"], [30, "day"], [12, "month"], [Infinity, "year"]];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) {
      const n = Math.max(1, Math.round(value));
      return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    }
    value /= size;
  }
  return then.toLocaleString();
}

/** A user-readable sentence for an API error {code, message}. */
export function explainError(error) {
  const code = error && error.code;
  // a validation message names what is wrong in words, never the schema path ("json.thread: …")
  const message = ((error && error.message) || "").replace(/^the request is invalid: [\w.]+: /, "The request is invalid: ");
  const hints = {
    unsupported_source: "This link is not a Hacker News or Reddit thread argmap can read.",
    thread_not_found: "That thread could not be found — it may have been deleted, or the link has a typo.",
    access_denied: "That thread is private or quarantined, so argmap cannot read it.",
    rate_limited: "Too many requests right now. Wait a minute and try again.",
    network_error: "argmap could not reach the site the thread lives on. Try again in a moment.",
    too_large: "That is too large for argmap to analyse here.",
    not_found: "There is no analysis with this id. It may have been deleted.",
    csrf: "Your session expired. Reload the page and try again.",
  };
  const hint = hints[code];
  if (hint && message && !hint.includes(message)) return `${hint} (${message})`;
  return hint || message || "Something went wrong.";
}
