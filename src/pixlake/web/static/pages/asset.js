// The asset view: the full image with zoom and pan, every annotation by worker with its
// shapes and status (accept, refuse, back to pending), the asset's and the data's tags and
// metadata, and previous/next within the gallery's filter.

import * as api from "../api.js";
import { labelColor } from "../colors.js";
import { formatBytes, h, message, replace, urlError } from "../dom.js";
import { FILTER_NAMES, filterParams, readFilter, unknownParams } from "../filters.js";
import { overlay } from "../overlay.js";
import { link } from "../route.js";
import { sourceFor } from "../sources.js";
import { zoomable } from "../zoom.js";

const REVIEW_ACTIONS = [
  ["ACCEPTED", "Accept", "accept"],
  ["REFUSED", "Refuse", "refuse"],
  ["PENDING", "Back to pending", "pending"],
];

export async function assetPage(app, scope, itemId, params) {
  const source = sourceFor(scope);
  const filter = readFilter(params);
  const base = scope.kind === "version" ? ["versions", scope.id] : ["datalakes", scope.id];
  const [title, item, labels] = await Promise.all([
    source.title(),
    source.item(itemId),
    source.labels(),
  ]);
  const galleryHref = link(base, filterParams(filter));
  const wrong = unknownParams(params, FILTER_NAMES);
  if (wrong)
    return urlError(wrong, link([...base, source.itemSegment, itemId], filterParams(filter)));
  app.setCrumbs(
    ["Home", "#/"],
    ...title.crumbs.slice(0, -1),
    [title.crumbs.at(-1)[0], galleryHref],
    [item.filename],
  );
  const labelsById = new Map(labels.map((label) => [label.id, label]));
  const labelName = (id) => labelsById.get(id)?.name ?? "?";

  const [annotations, tags, neighbours] = await Promise.all([
    source.annotations(item),
    source.tags(item),
    source.neighbours(filter, item.id),
  ]);

  const shapes = annotations.flatMap((annotation) =>
    annotation.shapes.map((shape) => ({ ...shape, annotation_id: annotation.id })),
  );
  const frame = h("div", { className: "frame full" });
  const status = h("div", { className: "status", id: "asset-status" });
  const picture =
    item.type === "VIDEO"
      ? h("video", { src: source.imageUrl(item), controls: true, preload: "metadata" })
      : h("img", { src: source.imageUrl(item), alt: item.filename, draggable: "false" });
  // Bytes a browser can't decode (or gone from the store): the thumbnail route's
  // placeholder stands in, never a broken picture.
  picture.addEventListener(
    "error",
    () => {
      const standIn = h("img", {
        src: source.thumbnailUrl(item),
        alt: item.filename,
        draggable: "false",
      });
      picture.replaceWith(standIn);
      replace(
        status,
        message("This file can't be shown: its thumbnail stands in for it.", "notice"),
      );
    },
    { once: true },
  );
  frame.append(picture);
  if (item.width && item.height) frame.append(overlay(item.width, item.height, shapes, labelName));

  const navigation = h(
    "nav",
    { className: "neighbours" },
    neighbours.previous
      ? h(
          "a",
          {
            className: "button",
            id: "previous",
            href: link([...base, source.itemSegment, neighbours.previous], filterParams(filter)),
          },
          "◀ Previous",
        )
      : h("span", { className: "button disabled" }, "◀ Previous"),
    h("a", { className: "button", href: galleryHref, id: "back-to-gallery" }, "Gallery"),
    neighbours.next
      ? h(
          "a",
          {
            className: "button",
            id: "next",
            href: link([...base, source.itemSegment, neighbours.next], filterParams(filter)),
          },
          "Next ▶",
        )
      : h("span", { className: "button disabled" }, "Next ▶"),
  );

  return h(
    "div",
    { className: "asset-page" },
    h(
      "header",
      { className: "asset-header" },
      h("h1", { className: "filename" }, item.filename),
      navigation,
    ),
    h(
      "div",
      { className: "asset-body" },
      zoomable(frame, item.width || 512, item.height || 512),
      h(
        "aside",
        { className: "asset-panel" },
        status,
        source.hasAnnotations
          ? h(
              "section",
              { id: "annotations" },
              h("h2", {}, `Annotations (${annotations.length})`),
              annotations.length
                ? annotations.map((a) => annotationCard(a, labelName, status, frame))
                : h("p", { className: "empty" }, "No annotation."),
            )
          : null,
        h(
          "section",
          { id: "tags" },
          tags.map(([what, list]) =>
            h(
              "div",
              { className: "tag-group" },
              h("h3", {}, what),
              list.length
                ? h(
                    "ul",
                    { className: "tags" },
                    list.map((tag) => h("li", { className: "tag" }, tag.name)),
                  )
                : h("p", { className: "empty" }, "none"),
            ),
          ),
        ),
        h(
          "section",
          { id: "metadata" },
          h("h2", {}, "File"),
          definitionList(fileFacts(item)),
          h("h3", {}, "Metadata"),
          definitionList(Object.entries(item.metadata || {})),
          h("h3", {}, "Custom metadata"),
          definitionList(Object.entries(item.custom_metadata || {})),
        ),
      ),
    ),
  );
}

function annotationCard(annotation, labelName, status, frame) {
  const badge = h(
    "span",
    { className: `badge status-${annotation.status.toLowerCase()}`, id: `status-${annotation.id}` },
    annotation.status.toLowerCase(),
  );
  const show = h("input", { type: "checkbox", checked: true, "aria-label": "Show these shapes" });
  show.addEventListener("change", () => {
    for (const node of frame.querySelectorAll(".overlay .shape")) {
      if (annotation.shapes.some((shape) => shape.id === node.dataset.id))
        node.classList.toggle("hidden-annotation", !show.checked);
    }
  });
  const buttons = REVIEW_ACTIONS.map(([value, text, name]) =>
    h(
      "button",
      {
        type: "button",
        className: `review review-${name}`,
        dataset: { status: value },
        disabled: annotation.status === value,
        onclick: async () => {
          try {
            const updated = await api.patch(`/annotations/${annotation.id}`, { status: value });
            annotation.status = updated.status;
            badge.textContent = updated.status.toLowerCase();
            badge.className = `badge status-${updated.status.toLowerCase()}`;
            for (const button of buttons)
              button.disabled = button.dataset.status === updated.status;
            replace(status, message(`Annotation ${updated.status.toLowerCase()}.`, "notice"));
          } catch (error) {
            replace(status, message(error.message));
          }
        },
      },
      text,
    ),
  );
  return h(
    "article",
    { className: "annotation", dataset: { id: annotation.id } },
    h("h3", {}, show, h("span", { className: "worker" }, annotation.worker_name), badge),
    h("p", { className: "meta" }, `${annotation.shapes.length} shape(s) · ${annotation.duration}s`),
    h("div", { className: "review-buttons" }, buttons),
    h(
      "ul",
      { className: "shape-list" },
      annotation.shapes.map((shape) => {
        const swatch = h("span", { className: "swatch" });
        swatch.style.backgroundColor = labelColor(labelName(shape.label_id));
        // Pointing at a row picks its shape out on the image.
        const focus = (on) => {
          const node = frame.querySelector(`.overlay .shape[data-id="${shape.id}"]`);
          if (node) node.classList.toggle("focused", on);
        };
        return h(
          "li",
          {
            className: "shape-row",
            dataset: { kind: shape.kind },
            onmouseenter: () => focus(true),
            onmouseleave: () => focus(false),
          },
          swatch,
          h("span", { className: "label-name" }, labelName(shape.label_id)),
          ` ${shape.kind.toLowerCase()} `,
          h("span", { className: "geometry" }, geometry(shape)),
        );
      }),
    ),
  );
}

function geometry(shape) {
  const round = (value) => Math.round(value * 10) / 10;
  if (shape.kind === "RECTANGLE")
    return `${round(shape.x)}, ${round(shape.y)} · ${round(shape.w)}×${round(shape.h)}`;
  if (shape.kind === "CLASSIFICATION") return shape.text || "";
  return `${shape.coords.length} point(s)`;
}

function fileFacts(item) {
  return [
    ["type", item.type],
    ["size", formatBytes(item.size)],
    ["content type", item.content_type],
    ["width × height", item.width && item.height ? `${item.width} × ${item.height}` : "—"],
    item.duration ? ["duration", `${item.duration} s`] : null,
    ["checksum", item.checksum],
  ].filter(Boolean);
}

function definitionList(pairs) {
  if (!pairs.length) return h("p", { className: "empty" }, "none");
  return h(
    "dl",
    { className: "facts" },
    pairs.map(([name, value]) => [
      h("dt", {}, name),
      h(
        "dd",
        {},
        typeof value === "object" && value !== null ? JSON.stringify(value) : String(value),
      ),
    ]),
  );
}
