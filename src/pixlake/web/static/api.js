// The API as the pages call it: the same routes as the SDK, authenticated by the session
// cookie (sent by the browser), with the CSRF token echoed in a header on every request
// that changes something.

const CSRF_COOKIE = "pixlake_csrf";
const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** An error answer of the API: its status, code and message (ErrorBody). */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** Listeners told when the API answers 401 (the session ended). */
const signedOutListeners = [];
export function onSignedOut(listener) {
  signedOutListeners.push(listener);
}

/** Call the API: `request("POST", "/versions/ID/assets/search", {limit: 10})`. */
export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (!SAFE_METHODS.has(method)) headers[CSRF_HEADER] = csrfToken();
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = new ApiError(
      response.status,
      parsed?.code || "error",
      parsed?.message || `${response.status} ${response.statusText}`,
      parsed?.details,
    );
    if (response.status === 401 && !path.startsWith("/ui/session")) {
      for (const listener of signedOutListeners) listener(error);
    }
    throw error;
  }
  return parsed;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);
export const patch = (path, body) => request("PATCH", path, body);

/** The path with a query string built from `params` (lists repeat the name). */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") query.append(name, item);
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Run `work` over `items` with at most `width` calls in flight. */
export async function pooled(items, width, work) {
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}
