// The home page: submit a link, a thread JSON file or pasted text; list recent analyses.
import { ApiError, listRecent, submitAnalysis } from "./api.js";
import { ago, el, explainError, fmt } from "./dom.js";
import { tablist } from "./tabs.js";

const MAX_FILE_BYTES = 30 * 1024 * 1024;
const SAMPLE_TITLE = "Sample: a Hacker News thread on China and machine learning";
const $ = (id) => document.getElementById(id);
let mode = "url";
let recent = [];

const tabs = tablist(document.querySelector(".tabs"), (name) => { mode = name; hideMessages(); });
const selectTab = (name) => tabs.select(name);

function hideMessages() {
  $("form-error").hidden = true;
  $("url-error").hidden = true;
  $("reuse").hidden = true;
}

// The thread links argmap reads (argmap.sources.urls.ACCEPTED_URL_FORMS), checked before sending.
const URL_FORMS = [
  /^hn:\d+$/i,
  /^reddit:[a-z0-9]+$/i,
  /^https?:\/\/news\.ycombinator\.com\/item\?(.*&)?id=\d+/i,
  /^https?:\/\/hn\.algolia\.com\/api\/v1\/items\/\d+/i,
  /^https?:\/\/((www|old|new|np|m)\.)?reddit\.com\/(r\/[^/]+\/)?comments\/[a-z0-9]+/i,
  /^https?:\/\/redd\.it\/[a-z0-9]+/i,
];

export function acceptedUrl(url) {
  return URL_FORMS.some((form) => form.test(url.trim()));
}

function showUrlError(message) {
  $("url-error-text").textContent = message;
  $("url-error").hidden = false;
  $("url-input").setAttribute("aria-invalid", "true");
  $("analyse-button").disabled = false;
}

function showError(message) {
  $("form-error").textContent = message;
  $("form-error").hidden = false;
  $("analyse-button").disabled = false;
}

/** The API request body for what the user entered, or throws a message to show. */
async function readInput() {
  if (mode === "url") {
    const url = $("url-input").value.trim();
    if (!url) throw new Error("Paste the link of a Hacker News or Reddit thread first.");
    if (!acceptedUrl(url)) {
      const error = new Error("This link is not a Hacker News or Reddit thread argmap can read.");
      error.url = true;
      throw error;
    }
    return { url };
  }
  if (mode === "file") {
    const file = $("file-input").files[0];
    if (!file) throw new Error("Choose a thread file first.");
    if (file.size > MAX_FILE_BYTES) throw new Error("That file is too large (over 30 MB).");
    const content = await file.text();
    if (!content.trim()) throw new Error("That file is empty.");
    if (!/^\s*[[{]/.test(content)) return { text: content, title: file.name.replace(/\.[^.]+$/, "") };
    try {
      return { thread: JSON.parse(content) };
    } catch {
      throw new Error("That file looks like JSON but is not valid JSON.");
    }
  }
  const text = $("text-input").value;
  if (!text.trim()) throw new Error("Paste some discussion text first.");
  const title = $("title-input").value.trim();
  return title ? { text, title } : { text };
}

/** The keys under which two submissions count as "the same thread". */
function sameThreadKeys(item) {
  if (item.url) return [`url:${normaliseUrl(item.url)}`];
  if (item.text) return [`text:${firstLine(item.text)}`];
  // an uploaded thread: argmap's own JSON, a Hacker News item, or a raw Reddit listing [post, comments]
  const thread = item.thread || {};
  const post = Array.isArray(thread) ? (((thread[0] || {}).data || {}).children || [])[0] : null;
  const data = post ? post.data || {} : thread;
  const keys = [];
  // a Hacker News item from the Algolia or HNPWA API: a number for an id, and no argmap "source"
  const hnItem = !post && !("source" in data) && /^\d+$/.test(String(data.id ?? ""));
  if (hnItem) keys.push(`url:${normaliseUrl(`https://news.ycombinator.com/item?id=${data.id}`)}`);
  else if (data.url && !post) keys.push(`url:${normaliseUrl(data.url)}`);  // argmap's own thread JSON
  if (post && data.permalink) keys.push(`url:${normaliseUrl(`https://www.reddit.com${data.permalink}`)}`);
  if (data.id !== undefined && data.id !== null) keys.push(`thread:${data.id}`);
  return keys;
}

function firstLine(text) {
  const line = text.trim().split("\n")[0] || "";
  return line.slice(0, 120);
}

function normaliseUrl(url) {
  try {
    const u = new URL(url);
    return (u.host.replace(/^(www|old|new|m)\./, "") + u.pathname.replace(/\/$/, "") + u.search).toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/** The same key for an analysis the API lists (see analysis_out in argmap/service/api.py). */
function recentKey(entry) {
  if (entry.thread_url) return `url:${normaliseUrl(entry.thread_url)}`;
  if (entry.source_kind === "thread" && entry.thread_id) return `thread:${entry.thread_id}`;
  if (entry.source_kind === "text" && entry.source) return `text:${entry.source.replace(/^pasted text: /, "")}`;
  return null;
}

async function submit(item, { force = false } = {}) {
  hideMessages();
  const keys = sameThreadKeys(item);
  if (!force && keys.length) {
    const stored = recent.find((entry) => entry.status === "done" && keys.includes(recentKey(entry)));
    if (stored) {
      $("reuse-text").textContent =
        `This thread was analysed ${ago(stored.updated_at || stored.created_at)}. Open that map, or analyse it again?`;
      $("reuse-open").href = `/a/${encodeURIComponent(stored.id)}`;
      $("reuse-fresh").onclick = () => submit(item, { force: true });
      $("reuse").hidden = false;
      return;
    }
  }
  $("analyse-button").disabled = true;
  try {
    const created = await submitAnalysis($("careful-input").checked ? { ...item, reading: "careful" } : item);
    window.location.assign(`/a/${encodeURIComponent(created.id)}`);
  } catch (error) {
    showError(error instanceof ApiError ? explainError(error) : error.message);
  }
}

async function onSubmit(event) {
  event.preventDefault();
  hideMessages(); // an earlier attempt's message must not stand beside this one's
  let item;
  try {
    item = await readInput();
  } catch (error) {
    if (error.url) showUrlError(error.message); else showError(error.message);
    return;
  }
  await submit(item);
}

async function trySample() {
  const response = await fetch("/sample-thread.txt");
  if (!response.ok) {
    showError("The sample thread is missing from this installation.");
    return;
  }
  selectTab("text");
  $("text-input").value = await response.text();
  $("title-input").value = SAMPLE_TITLE;
  await submit({ text: $("text-input").value, title: SAMPLE_TITLE });
}

function summaryLine(entry) {
  const parts = [];
  const stats = (entry.summary && entry.summary.counts) || {};
  if (entry.status && entry.status !== "done") parts.push(entry.status);
  const count = (n, word) => `${fmt.format(n)} ${n === 1 ? word : `${word}s`}`;
  if (typeof stats.claims === "number") parts.push(count(stats.claims, "claim"));
  if (typeof stats.edges === "number") parts.push(count(stats.edges, "relation"));
  const when = ago(entry.created_at);
  if (when) parts.push(when);
  return parts.join(" · ");
}

async function loadRecent() {
  try {
    const data = await listRecent();
    recent = Array.isArray(data) ? data : (data.items || data.analyses || []);
  } catch {
    recent = [];
  }
  const list = $("recent-list");
  list.replaceChildren();
  for (const entry of recent.slice(0, 20)) {
    const title = entry.title || (entry.summary && entry.summary.title) || entry.source || `Analysis ${entry.id}`;
    list.append(el("li", { class: `recent-item status-${entry.status || "unknown"}` },
      el("span", {}, el("a", { href: `/a/${encodeURIComponent(entry.id)}` }, title),
        entry.source_kind === "text" && entry.source ? el("span", { class: "muted small recent-source" },
          entry.source.replace(/^pasted text: /, "")) : null),
      el("span", { class: "muted small" }, summaryLine(entry))));
  }
  $("recent-empty").hidden = recent.length > 0;
}

$("url-input").addEventListener("input", () => { $("url-error").hidden = true; $("url-input").removeAttribute("aria-invalid"); });
$("analyse-form").addEventListener("submit", onSubmit);
$("text-input").addEventListener("keydown", (event) => {  // Ctrl+Enter (⌘+Enter) analyses the paste
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    if (!$("analyse-button").disabled) $("analyse-form").requestSubmit();  // not twice while one is sent
  }
});
$("sample-button").addEventListener("click", trySample);
loadRecent();
