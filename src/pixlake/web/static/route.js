// Routes live in the URL's fragment (#/versions/ID?label=cat&after=...): the server serves
// one shell at "/", the API keeps its own paths, and every view — filters and page key
// included — can be bookmarked and shared.

/** The current route: {segments: ["versions", id], params: URLSearchParams}. */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?", 2);
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { segments, params: new URLSearchParams(query) };
}

/** A fragment URL for `segments` and `params` (empty values are left out). */
export function link(segments, params) {
  const path = `#/${segments.map(encodeURIComponent).join("/")}`;
  const query = new URLSearchParams();
  for (const [name, value] of params ? entries(params) : []) {
    if (value !== undefined && value !== null && value !== "") query.append(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function entries(params) {
  if (params instanceof URLSearchParams) return [...params.entries()];
  return Object.entries(params).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((item) => [name, item]) : [[name, value]],
  );
}

/** Go to a route (a new history entry, so Back returns to the previous view). */
export function go(segments, params) {
  window.location.hash = link(segments, params).slice(1);
}
