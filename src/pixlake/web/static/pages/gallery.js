// The gallery of a dataset version (or of a datalake's data): one page of thumbnails by
// key, shapes drawn over each, a sidebar of counts for the current filter, and review
// actions on the selected items.

import { labelColor } from "../colors.js";
import { h, message, replace, urlError } from "../dom.js";
import { filterForm } from "../filter-form.js";
import { FILTER_NAMES, filterParams, isEmpty, readFilter, unknownParams } from "../filters.js";
import { reviewBar } from "../review.js";
import { go, link } from "../route.js";
import { hiddenLabels, sidebarContent } from "../sidebar.js";
import { sourceFor } from "../sources.js";
import { framedImage } from "../thumb.js";
import { notePage, previousPageKey } from "../trail.js";

export const PAGE_SIZE = 48;

export async function galleryPage(app, scope, params) {
  const source = sourceFor(scope);
  const filter = readFilter(params);
  const after = params.get("after") || "";
  const base = scope.kind === "version" ? ["versions", scope.id] : ["datalakes", scope.id];
  const title = await source.title();
  app.setCrumbs(["Home", "#/"], ...title.crumbs);
  const wrong = unknownParams(params, [...FILTER_NAMES, "after"]);
  if (wrong) return urlError(wrong, link(base, filterParams(filter)));

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
      filterForm(filter, source, (next) => go(base, filterParams(next))),
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
    notePage(
      scope.id,
      filter,
      after || null,
      items.map((item) => item.id),
      nextAfter,
    );
    if (!items.length) {
      replace(
        status,
        message(isEmpty(filter) ? "Nothing here yet." : "Nothing matches this filter.", "notice"),
      );
    }
    for (const item of items) {
      grid.append(
        thumbnail(item, source, base, filter, labelName, hidden.set, selection, selectedCount),
      );
    }
    const previousKey = previousPageKey(scope.id, filter, after || null);
    replace(
      pager,
      after
        ? h(
            "a",
            { className: "button", href: link(base, filterParams(filter)), id: "first-page" },
            "⏮ First page",
          )
        : null,
      previousKey !== null
        ? h(
            "a",
            {
              className: "button",
              id: "previous-page",
              href: link(base, filterParams(filter, { after: previousKey })),
            },
            "◀ Previous",
          )
        : null,
      h("span", { className: "page-size" }, `${items.length} shown`),
      nextAfter
        ? h(
            "a",
            {
              className: "button",
              id: "next-page",
              href: link(base, filterParams(filter, { after: nextAfter })),
            },
            "Next ▶",
          )
        : null,
    );
  }
  if (countsResult.status === "fulfilled") {
    replace(sidebar, sidebarContent(countsResult.value, filter, base, hidden, root));
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
      {
        className: "cell",
        href: link([...base, source.itemSegment, item.id], filterParams(filter)),
      },
      framedImage(
        source.thumbnailUrl(item),
        item.width,
        item.height,
        shapes,
        labelName,
        hidden,
        item.filename,
      ),
      classifications(shapes, labelName, hidden),
    ),
    h(
      "figcaption",
      {},
      checkbox,
      h("span", { className: "filename", title: item.filename }, item.filename),
    ),
  );
  return cell;
}

/** Classifications have no geometry: their labels are listed over the picture. */
function classifications(shapes, labelName, hidden) {
  const labelIds = [
    ...new Set(shapes.filter((s) => s.kind === "CLASSIFICATION").map((s) => s.label_id)),
  ];
  if (!labelIds.length) return null;
  return h(
    "ul",
    { className: "classes" },
    labelIds.map((id) => {
      const chip = h(
        "li",
        { className: `class-chip${hidden.has(id) ? " hidden" : ""}`, dataset: { label: id } },
        labelName(id),
      );
      chip.style.borderColor = labelColor(labelName(id));
      return chip;
    }),
  );
}
