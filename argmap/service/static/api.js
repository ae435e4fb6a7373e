// The JSON API the pages read from (see argmap/service/api.py); every call goes through here.
import { csrfToken } from "./dom.js";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken();
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch {
    throw new ApiError(0, "offline", "The argmap server did not answer. Is it still running?");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const code = error.code || (response.status === 404 ? "not_found" : response.status === 413 ? "too_large"
      : response.status === 429 ? "rate_limited" : "error");
    throw new ApiError(response.status, code, error.message || response.statusText);
  }
  return data;
}

export const submitAnalysis = (item) => request("POST", "/analyses", item);
export const getAnalysis = (id) => request("GET", `/analyses/${encodeURIComponent(id)}`);
export const listAnalyses = () => request("GET", "/analyses");
export const getGraph = (id, format = "json") =>
  request("GET", `/analyses/${encodeURIComponent(id)}/graph?format=${encodeURIComponent(format)}`);
export const graphUrl = (id, format) =>
  `${API}/analyses/${encodeURIComponent(id)}/graph?format=${encodeURIComponent(format)}`;
export const retryAnalysis = (id) => request("POST", `/analyses/${encodeURIComponent(id)}/retry`, {});
export const refreshAnalysis = (id) => request("POST", `/analyses/${encodeURIComponent(id)}/refresh`, {});
/** The home page's list: this browser's own analyses (or everyone's, when the instance says so). */
export async function listRecent() {
  const response = await fetch("/recent", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new ApiError(response.status, "error", response.statusText);
  return response.json();
}
export const getCollection = (id) => request("GET", `/collections/${encodeURIComponent(id)}`);
export const getCollectionGraph = (id, format = "json") =>
  request("GET", `/collections/${encodeURIComponent(id)}/graph?format=${encodeURIComponent(format)}`);
export const collectionGraphUrl = (id, format) =>
  `${API}/collections/${encodeURIComponent(id)}/graph?format=${encodeURIComponent(format)}`;
