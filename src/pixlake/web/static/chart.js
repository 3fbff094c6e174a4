// A horizontal bar chart drawn as SVG: one row per name, its bar scaled to the largest value.

import { labelColor } from "./colors.js";
import { h, s } from "./dom.js";

const ROW = 26;
const NAME_WIDTH = 180;
const BAR_WIDTH = 420;
const VALUE_WIDTH = 80;

/** A figure with a title and a bar per [name, value] of `rows`. */
export function barChart(title, rows, { colored = false } = {}) {
  const largest = Math.max(1, ...rows.map(([, value]) => value));
  const width = NAME_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const svg = s("svg", {
    className: "chart",
    viewBox: `0 0 ${width} ${Math.max(1, rows.length) * ROW}`,
    role: "img",
    "aria-label": title,
  });
  rows.forEach(([name, value], index) => {
    const y = index * ROW;
    const length = (value / largest) * BAR_WIDTH;
    svg.append(
      s(
        "g",
        { className: "bar", dataset: { name, value: String(value) } },
        s("text", { x: NAME_WIDTH - 8, y: y + ROW / 2, className: "bar-name" }, clip(name)),
        s("rect", {
          x: NAME_WIDTH,
          y: y + 4,
          width: Math.max(length, value ? 1 : 0),
          height: ROW - 8,
          fill: colored ? labelColor(name) : undefined,
          className: "bar-fill",
        }),
        s("text", { x: NAME_WIDTH + length + 6, y: y + ROW / 2, className: "bar-value" }, value),
        s("title", {}, `${name}: ${value}`),
      ),
    );
  });
  return h(
    "figure",
    { className: "chart-figure" },
    h("figcaption", {}, title),
    rows.length ? svg : h("p", { className: "empty" }, "Nothing to count."),
  );
}

function clip(name) {
  return name.length > 24 ? `${name.slice(0, 23)}…` : name;
}
