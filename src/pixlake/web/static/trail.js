// What this tab has seen of one listing under one filter: the order of its items, for
// "previous" in the asset view, and the keys of its pages, for "previous page". Listings
// page by key, forward only, so what comes before is remembered rather than asked for.

const MAX_REMEMBERED = 5000;

function storageKey(scopeId) {
  return `pixlake.trail.${scopeId}`;
}

function load(scopeId, filter) {
  const stored = JSON.parse(sessionStorage.getItem(storageKey(scopeId)) || "null");
  const sameFilter = stored && JSON.stringify(stored.filter) === JSON.stringify(filter);
  return sameFilter ? stored : { filter, ids: [], pages: {} };
}

function save(scopeId, trail) {
  trail.ids = trail.ids.slice(-MAX_REMEMBERED);
  sessionStorage.setItem(storageKey(scopeId), JSON.stringify(trail));
}

/**
 * Note that `ids` follow `after` (null: they open the listing); `nextAfter`, when given, is
 * the key of the page after them.
 */
export function notePage(scopeId, filter, after, ids, nextAfter) {
  const trail = load(scopeId, filter);
  const at = after ? trail.ids.indexOf(after) : -1;
  const before = after ? (at >= 0 ? trail.ids.slice(0, at + 1) : [after]) : [];
  trail.ids = [...before, ...ids];
  if (nextAfter) trail.pages[nextAfter] = after || "";
  save(scopeId, trail);
}

/** The item before `id`, if this tab has seen it. */
export function previousOf(scopeId, filter, id) {
  const trail = load(scopeId, filter);
  const index = trail.ids.indexOf(id);
  return index > 0 ? trail.ids[index - 1] : null;
}

/** The key of the page before the one at `after` ("" for the first), null if unknown. */
export function previousPageKey(scopeId, filter, after) {
  if (!after) return null;
  const key = load(scopeId, filter).pages[after];
  return key === undefined ? null : key;
}
