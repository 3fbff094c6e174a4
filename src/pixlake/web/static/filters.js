// The gallery's filter, read from and written to the URL: labels and tags by name (a
// bookmark stays readable), an annotation status, a filename fragment and a `q` query.

export const STATUSES = ["PENDING", "ACCEPTED", "REFUSED", "SKIPPED"];

/** The names of the URL's parameters a filter takes. */
export const FILTER_NAMES = ["label", "tag", "status", "filename", "q"];

/**
 * A message naming the parameters of `params` that are not in `known`, or null: a mistyped
 * bookmark says so rather than showing everything as if unfiltered.
 */
export function unknownParams(params, known) {
  const unknown = [...new Set(params.keys())].filter((name) => !known.includes(name));
  if (!unknown.length) return null;
  const names = unknown.map((name) => `"${name}"`).join(", ");
  return `This page's URL has ${unknown.length > 1 ? "parameters" : "a parameter"} it does not take: ${names} (it takes ${known.join(", ")}).`;
}

/** The filter the URL's parameters hold. */
export function readFilter(params) {
  return {
    labels: params.getAll("label"),
    tags: params.getAll("tag"),
    status: params.get("status") || "",
    filename: params.get("filename") || "",
    q: params.get("q") || "",
  };
}

/** URL parameters for `filter` (and a page key), for link(). */
export function filterParams(filter, extra = {}) {
  return {
    label: filter.labels,
    tag: filter.tags,
    status: filter.status,
    filename: filter.filename,
    q: filter.q,
    ...extra,
  };
}

/** `filter` with `name` added to (or removed from) one of its lists. */
export function toggled(filter, key, name) {
  const values = filter[key].includes(name)
    ? filter[key].filter((value) => value !== name)
    : [...filter[key], name];
  return { ...filter, [key]: values };
}

export function isEmpty(filter) {
  return (
    !filter.labels.length && !filter.tags.length && !filter.status && !filter.filename && !filter.q
  );
}
