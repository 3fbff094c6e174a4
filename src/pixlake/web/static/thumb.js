// One image with its shapes over it: a frame sized to the image's aspect ratio, holding
// the <img> and an SVG overlay that both fill it exactly.

import { h } from "./dom.js";
import { overlay } from "./overlay.js";

/**
 * A framed image of `width` x `height` from `src`, with `shapes` drawn over it.
 * The frame is fitted into its square parent by setting its size through the CSSOM
 * (allowed by a CSP without 'unsafe-inline', unlike a style attribute).
 */
export function framedImage(src, width, height, shapes, labelName, hidden, alt) {
  const frame = h("div", { className: "frame" });
  const image = h("img", {
    src,
    alt: alt || "",
    loading: "lazy",
    decoding: "async",
    draggable: "false",
  });
  frame.append(image);
  if (width && height) {
    if (width >= height) {
      frame.style.width = "100%";
      frame.style.height = `${(100 * height) / width}%`;
    } else {
      frame.style.height = "100%";
      frame.style.width = `${(100 * width) / height}%`;
    }
    frame.append(overlay(width, height, shapes, labelName, hidden));
  } else {
    frame.classList.add("unsized");
  }
  return frame;
}
