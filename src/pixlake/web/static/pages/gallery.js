// The gallery of a dataset version (or of a datalake's data): one page of thumbnails by
// key, shapes drawn over each, a sidebar of counts for the current filter, and review
// actions on the selected items.

import * as api from "../api.js";
import { labelColor } from "../colors.js";
import { h, message, replace } from "../dom.js";
import { filterParams, isEmpty, readFilter, STATUSES, toggled } from "../filters.js";
import { setLabelVisible } from "../overlay.js";
import { go, link } from "../route.js";
import { sourceFor } from "../sources.js";
import { framedImage } from "../thumb.js";
import { notePage } from "../trail.js";

export const PAGE_SIZE = 48;

/** Labels whose shapes the user hid, per version, kept while the tab lives. */
function hiddenLabels(scopeId) {
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

export async function galleryPage(app, scope, params) {
  const source = sourceFor(scope);
  const filter = readFilter(params);
  const after = params.get("after") || "";
  const base = scope.kind === "version" ? ["versions", scope.id] : ["datalakes", scope.id];
  const title = await source.title();
  app.setCrumbs(["Home", "#/"], ...title.crumbs);

  const hidden = hiddenLabels(scope.id);
  const labels = await source.labels();
  const labelsById = new Map(labels.map((label) => [label.id, label]));
  const labelName = (id) => labelsById.get(id)?.name ?? "?";

  const sidebar = h("aside", { className: "sidebar", id: "sidebar" });
  const grid = h("div", { className: "grid", id: "grid" });
  const status = h("div", { className: "status", id: "gallery-status" });
  const pager = h("nav", { className: "pager", "aria-label": "Pages" });
  const selection = new Set();
  const selectedCount = h("span", { id: "selected-count" }, "0 selected");
  const root = h(
    "div",
    { className: "gallery-page" },
    sidebar,
    h(
      "section",
      { className: "gallery" },
      h("h1", {}, title.heading),
      filterForm(filter, labels, source, (next) => go(base, filterParams(next))),
      reviewBar(source, selection, selectedCount, status, () => app.refresh()),
      status,
      grid,
      pager,
    ),
  );

  // The page of items and the sidebar's counts are independent: ask for both at once.
  const [pageResult, countsResult] = await Promise.allSettled([
    source.page(filter, after, PAGE_SIZE),
    source.counts(filter),
  ]);
  if (pageResult.status === "rejected") {
    replace(status, message(pageResult.reason.message || String(pageResult.reason)));
    grid.classList.add("failed");
  } else {
    const { items, next_after: nextAfter } = pageResult.value;
    notePage(scope.id, filter, after || null, items.map((item) => item.id));
    if (!items.length) {
      replace(status, message(isEmpty(filter) ? "Nothing here yet." : "Nothing matches this filter.", "notice"));
    }
    for (const item of items) {
      grid.append(thumbnail(item, source, base, filter, labelName, hidden.set, selection, selectedCount));
    }
    replace(
      pager,
      after ? h("a", { className: "button", href: link(base, filterParams(filter)), id: "first-page" }, "⏮ First page") : null,
      after ? h("button", { type: "button", id: "previous-page", onclick: () => history.back() }, "◀ Previous") : null,
      h("span", { className: "page-size" }, `${items.length} shown`),
      nextAfter
        ? h("a", { className: "button", id: "next-page", href: link(base, filterParams(filter, { after: nextAfter })) }, "Next ▶")
        : null,
    );
  }
  if (countsResult.status === "fulfilled") {
    replace(sidebar, sidebarContent(countsResult.value, labels, filter, base, hidden, root));
  } else {
    replace(sidebar, message(countsResult.reason.message || String(countsResult.reason)));
  }
  return root;
}

function thumbnail(item, source, base, filter, labelName, hidden, selection, selectedCount) {
  const checkbox = h("input", {
    type: "checkbox",
    className: "select",
    "aria-label": `Select ${item.filename}`,
  });
  checkbox.addEventListener("change", () => {
    if (checkbox.checked) selection.add(item.id);
    else selection.delete(item.id);
    cell.classList.toggle("selected", checkbox.checked);
    selectedCount.textContent = `${selection.size} selected`;
  });
  const shapes = item.shapes || [];
  const cell = h(
    "figure",
    { className: "thumb", dataset: { id: item.id, shapes: String(shapes.length) } },
    h(
      "a",
      { className: "cell", href: link([...base, source.itemSegment, item.id], filterParams(filter)) },
      framedImage(source.thumbnailUrl(item), item.width, item.height, shapes, labelName, hidden, item.filename),
    ),
    h("figcaption", {}, checkbox, h("span", { className: "filename", title: item.filename }, item.filename)),
  );
  return cell;
}

function filterForm(filter, labels, source, apply) {
  const filename = h("input", { type: "search", name: "filename", id: "filter-filename", value: filter.filename, placeholder: "part of a filename" });
  const q = h("input", { type: "search", name: "q", id: "filter-q", value: filter.q, placeholder: "query, e.g. label = cat" });
  const tag = h("input", { type: "text", name: "tag", id: "filter-tag", placeholder: "tag name", list: "known-tags" });
  const statusSelect = h(
    "select",
    { name: "status", id: "filter-status", disabled: !source.hasAnnotations },
    h("option", { value: "" }, "any status"),
    STATUSES.map((name) => h("option", { value: name, selected: filter.status === name }, name.toLowerCase())),
  );
  const form = h(
    "form",
    { className: "filters", id: "filters" },
    h("label", {}, "Filename ", filename),
    source.hasAnnotations ? h("label", {}, "Status ", statusSelect) : null,
    h("label", {}, "Add a tag ", tag),
    source.hasQuery ? h("label", { className: "wide" }, "q ", q) : null,
    h("button", { type: "submit" }, "Apply"),
    isEmpty(filter) ? null : h("a", { href: "#", id: "clear-filters", onclick: (event) => { event.preventDefault(); apply(readFilter(new URLSearchParams())); } }, "clear"),
    activeChips(filter, apply),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = { ...filter, filename: filename.value.trim(), q: q.value.trim(), status: statusSelect.value };
    const tagName = tag.value.trim();
    if (tagName && !next.tags.includes(tagName)) next.tags = [...next.tags, tagName];
    apply(next);
  });
  void labels;
  return form;
}

function activeChips(filter, apply) {
  const chips = [
    ...filter.labels.map((name) => ["labels", name, "label"]),
    ...filter.tags.map((name) => ["tags", name, "tag"]),
  ];
  if (!chips.length) return null;
  return h(
    "ul",
    { className: "chips", id: "active-filters" },
    chips.map(([key, name, what]) =>
      h(
        "li",
        { className: `chip chip-${what}` },
        `${what}: `,
        h("span", { className: "chip-name" }, name),
        h("button", { type: "button", "aria-label": `Remove ${what} ${name}`, onclick: () => apply(toggled(filter, key, name)) }, "×"),
      ),
    ),
  );
}

function sidebarContent(counts, labels, filter, base, hidden, root) {
  const labelRows = counts.labels.map((entry) => {
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
      h("a", { className: "facet-name", href: link(base, filterParams(toggled(filter, "labels", entry.name))) }, entry.name),
      h("span", { className: "count images", title: "images" }, entry.images),
      h("span", { className: "count shapes", title: "shapes" }, entry.shapes),
    );
  });
  const tagRows = counts.tags.map((entry) => {
    const active = filter.tags.includes(entry.name);
    return h(
      "li",
      { className: `facet${active ? " active" : ""}`, dataset: { tag: entry.name } },
      h("a", { className: "facet-name", href: link(base, filterParams(toggled(filter, "tags", entry.name))) }, entry.name),
      h("span", { className: "count images", title: "images" }, entry.images),
    );
  });
  void labels;
  return [
    h("p", { className: "total", id: "total" }, h("strong", {}, counts.images), " images", counts.shapes !== undefined ? [" · ", h("strong", {}, counts.shapes), " shapes"] : null),
    labelRows.length || counts.hasLabels
      ? [h("h2", {}, "Labels", h("span", { className: "legend" }, "images · shapes")), h("ul", { className: "facets", id: "label-facets" }, labelRows)]
      : null,
    h("h2", {}, "Tags", h("span", { className: "legend" }, "images")),
    tagRows.length ? h("ul", { className: "facets", id: "tag-facets" }, tagRows) : h("p", { className: "empty" }, "No tag."),
  ];
}

function reviewBar(source, selection, selectedCount, status, reload) {
  const name = h("input", { type: "text", id: "review-tag", placeholder: "tag name", "aria-label": "Tag to add or remove" });
  async function change(action) {
    const tag = name.value.trim();
    if (!tag || !selection.size) {
      replace(status, message("Select some items and name a tag first.", "notice"));
      return;
    }
    try {
      await api.post(`/tags/${action}`, { target: source.tagTarget, object_ids: [...selection], tags: [tag] });
      reload();
      replace(status, message(`Tag ${action === "attach" ? "added to" : "removed from"} ${selection.size} item(s).`, "notice"));
    } catch (error) {
      replace(status, message(error.message));
    }
  }
  return h(
    "div",
    { className: "review-bar", id: "review-bar" },
    selectedCount,
    name,
    h("button", { type: "button", id: "add-tag", onclick: () => change("attach") }, "Add tag"),
    h("button", { type: "button", id: "remove-tag", onclick: () => change("detach") }, "Remove tag"),
  );
}
