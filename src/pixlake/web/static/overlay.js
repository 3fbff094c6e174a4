// Shapes drawn over an image as SVG in the image's own coordinates: the <svg> has the
// image's size as its viewBox and covers exactly the box the image is shown in, so a
// rectangle at (x, y, w, h) lands on the same pixels at every zoom and thumbnail size.

import { labelColor } from "./colors.js";
import { s } from "./dom.js";

const points = (coords) => coords.map(([x, y]) => `${x},${y}`).join(" ");

/**
 * An <svg> overlay of `shapes` for an image of `width` x `height`.
 * `labelName(id)` names a shape's label (its colour and tooltip); shapes whose label id is
 * in `hidden` are drawn hidden, so toggling a label needs no redraw.
 */
export function overlay(width, height, shapes, labelName, hidden = new Set()) {
  const svg = s("svg", {
    className: "overlay",
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    "aria-hidden": "true",
  });
  const radius = Math.max(width, height) / 90;
  for (const shape of shapes) {
    const node = shapeNode(shape, radius);
    if (!node) continue;
    const name = labelName(shape.label_id);
    node.setAttribute("stroke", labelColor(name));
    node.setAttribute("class", `shape shape-${shape.kind.toLowerCase()}`);
    node.dataset.label = shape.label_id;
    node.dataset.kind = shape.kind;
    if (shape.id) node.dataset.id = shape.id;
    if (hidden.has(shape.label_id)) node.classList.add("hidden");
    node.append(s("title", {}, name));
    svg.append(node);
  }
  return svg;
}

function shapeNode(shape, radius) {
  switch (shape.kind) {
    case "RECTANGLE":
      return s("rect", { x: shape.x, y: shape.y, width: shape.w, height: shape.h });
    case "POLYGON":
      return s("polygon", { points: points(shape.coords) });
    case "LINE":
      return s("polyline", { points: points(shape.coords) });
    case "POINT": {
      const [x, y] = shape.coords[0];
      return s("circle", { cx: x, cy: y, r: radius });
    }
    default:
      return null; // classifications have no geometry: they are listed, not drawn
  }
}

/** Show or hide the shapes of one label in every overlay under `root`. */
export function setLabelVisible(root, labelId, visible) {
  for (const node of root.querySelectorAll(".overlay .shape, .class-chip")) {
    if (node.dataset.label === labelId) node.classList.toggle("hidden", !visible);
  }
}
