// The order of the items this tab has seen under one filter, for "previous" in the asset
// view: listings page by key, forward only, so the item before another is remembered
// rather than asked for.

const MAX_REMEMBERED = 5000;

function key(scopeId) {
  return `pixlake.trail.${scopeId}`;
}

function load(scopeId, filter) {
  const stored = JSON.parse(sessionStorage.getItem(key(scopeId)) || "null");
  const sameFilter = stored && JSON.stringify(stored.filter) === JSON.stringify(filter);
  return sameFilter ? stored.ids : [];
}

function save(scopeId, filter, ids) {
  sessionStorage.setItem(key(scopeId), JSON.stringify({ filter, ids: ids.slice(-MAX_REMEMBERED) }));
}

/** Note that `ids` follow `after` (null: they open the listing). */
export function notePage(scopeId, filter, after, ids) {
  const known = load(scopeId, filter);
  const at = after ? known.indexOf(after) : -1;
  const before = after ? (at >= 0 ? known.slice(0, at + 1) : [after]) : [];
  save(scopeId, filter, [...before, ...ids]);
}

/** The item before `id`, if this tab has seen it. */
export function previousOf(scopeId, filter, id) {
  const known = load(scopeId, filter);
  const index = known.indexOf(id);
  return index > 0 ? known[index - 1] : null;
}
