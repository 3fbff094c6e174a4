// Zoom and pan over one framed image: the wheel zooms around the pointer, dragging pans,
// buttons zoom in, out and back to fit. The transform is set through the CSSOM, which a
// CSP without 'unsafe-inline' allows.

import { h } from "./dom.js";

const MIN_SCALE = 0.05;
const MAX_SCALE = 40;

/** A viewport showing `frame` (an element of the image's natural size), with its controls. */
export function zoomable(frame, width, height) {
  const stage = h("div", { className: "stage", id: "stage" }, frame);
  const viewport = h("div", { className: "viewport", id: "viewport", tabindex: "0" }, stage);
  frame.style.width = `${width}px`;
  frame.style.height = `${height}px`;
  const state = { scale: 1, x: 0, y: 0 };

  function apply() {
    stage.style.transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`;
    // Strokes keep their width on screen: the stage's scale would widen them too.
    stage.style.setProperty("--stroke", `${2 / state.scale}px`);
    viewport.classList.toggle("magnified", state.scale > 2);
    viewport.dataset.scale = state.scale.toFixed(3);
  }
  function fit() {
    const box = viewport.getBoundingClientRect();
    const scale = Math.min(box.width / width, box.height / height) || 1;
    state.scale = Math.min(Math.max(scale, MIN_SCALE), MAX_SCALE);
    state.x = (box.width - width * state.scale) / 2;
    state.y = (box.height - height * state.scale) / 2;
    apply();
  }
  function zoomAt(factor, clientX, clientY) {
    const box = viewport.getBoundingClientRect();
    const px = clientX - box.left;
    const py = clientY - box.top;
    const scale = Math.min(Math.max(state.scale * factor, MIN_SCALE), MAX_SCALE);
    // Keep the image point under the pointer where it is.
    state.x = px - ((px - state.x) * scale) / state.scale;
    state.y = py - ((py - state.y) * scale) / state.scale;
    state.scale = scale;
    apply();
  }
  function zoomCentre(factor) {
    const box = viewport.getBoundingClientRect();
    zoomAt(factor, box.left + box.width / 2, box.top + box.height / 2);
  }

  viewport.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      zoomAt(Math.exp(-event.deltaY / 300), event.clientX, event.clientY);
    },
    { passive: false },
  );
  let drag = null;
  viewport.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX - state.x, y: event.clientY - state.y };
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add("dragging");
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) return;
    state.x = event.clientX - drag.x;
    state.y = event.clientY - drag.y;
    apply();
  });
  const stop = () => {
    drag = null;
    viewport.classList.remove("dragging");
  };
  viewport.addEventListener("pointerup", stop);
  viewport.addEventListener("pointercancel", stop);
  viewport.addEventListener("keydown", (event) => {
    if (event.key === "+" || event.key === "=") zoomCentre(1.25);
    else if (event.key === "-") zoomCentre(0.8);
    else if (event.key === "0") fit();
  });

  const controls = h(
    "div",
    { className: "zoom-controls" },
    h(
      "button",
      { type: "button", id: "zoom-in", onclick: () => zoomCentre(1.25), "aria-label": "Zoom in" },
      "+",
    ),
    h(
      "button",
      { type: "button", id: "zoom-out", onclick: () => zoomCentre(0.8), "aria-label": "Zoom out" },
      "−",
    ),
    h("button", { type: "button", id: "zoom-fit", onclick: fit }, "Fit"),
  );
  // Fit once the viewport has a size (after it is put in the page).
  new ResizeObserver(() => {
    if (!viewport.dataset.fitted && viewport.clientWidth) {
      viewport.dataset.fitted = "1";
      fit();
    }
  }).observe(viewport);
  return h("div", { className: "zoomable" }, controls, viewport);
}
