// The gallery's sidebar: counts of images and shapes per label and of images per tag for
// the current filter; a label or tag name filters on it, a label's box shows or hides its
// shapes (kept for the tab, per version).

import { labelColor } from "./colors.js";
import { h } from "./dom.js";
import { filterParams, toggled } from "./filters.js";
import { setLabelVisible } from "./overlay.js";
import { link } from "./route.js";

/** Labels whose shapes the user hid, per version, kept while the tab lives. */
export function hiddenLabels(scopeId) {
  const key = `pixlake.hidden.${scopeId}`;
  const stored = new Set(JSON.parse(sessionStorage.getItem(key) || "[]"));
  return {
    set: stored,
    toggle(id) {
      if (stored.has(id)) stored.delete(id);
      else stored.add(id);
      sessionStorage.setItem(key, JSON.stringify([...stored]));
      return !stored.has(id);
    },
  };
}

/** The sidebar's content for `counts` (see sources.js), under the gallery `root`. */
export function sidebarContent(counts, filter, base, hidden, root) {
  const labelRows = (counts.labels || []).map((entry) => {
    const toggle = h("input", {
      type: "checkbox",
      className: "label-toggle",
      checked: !hidden.set.has(entry.id),
      "aria-label": `Show the shapes of ${entry.name}`,
    });
    toggle.addEventListener("change", () => {
      const visible = hidden.toggle(entry.id);
      setLabelVisible(root, entry.id, visible);
    });
    const swatch = h("span", { className: "swatch" });
    swatch.style.backgroundColor = labelColor(entry.name);
    const active = filter.labels.includes(entry.name);
    return h(
      "li",
      { className: `facet${active ? " active" : ""}`, dataset: { label: entry.name } },
      toggle,
      swatch,
      h(
        "a",
        {
          className: "facet-name",
          href: link(base, filterParams(toggled(filter, "labels", entry.name))),
        },
        entry.name,
      ),
      h("span", { className: "count images", title: "images" }, entry.images),
      h("span", { className: "count shapes", title: "shapes" }, entry.shapes),
    );
  });
  const tagRows = (counts.tags || []).map((entry) => {
    const active = filter.tags.includes(entry.name);
    return h(
      "li",
      { className: `facet${active ? " active" : ""}`, dataset: { tag: entry.name } },
      h(
        "a",
        {
          className: "facet-name",
          href: link(base, filterParams(toggled(filter, "tags", entry.name))),
        },
        entry.name,
      ),
      h("span", { className: "count images", title: "images" }, entry.images),
    );
  });
  return [
    counts.images === null || counts.images === undefined
      ? null
      : h(
          "p",
          { className: "total", id: "total" },
          h("strong", {}, counts.images),
          " images",
          counts.shapes === null || counts.shapes === undefined
            ? null
            : [" · ", h("strong", {}, counts.shapes), " shapes"],
        ),
    counts.labels
      ? [
          h("h2", {}, "Labels", h("span", { className: "legend" }, "images · shapes")),
          h("ul", { className: "facets", id: "label-facets" }, labelRows),
        ]
      : null,
    h("h2", {}, "Tags", h("span", { className: "legend" }, "images")),
    tagRows.length
      ? h("ul", { className: "facets", id: "tag-facets" }, tagRows)
      : h("p", { className: "empty" }, "No tag."),
  ];
}
