// Building the DOM without HTML strings: every text a user may have set (file, tag, label,
// dataset and worker names, metadata) goes through textContent or setAttribute, never through
// an HTML parser, so a name such as `<img src=x onerror=...>` is shown, not run.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name === "className") {
      node.setAttribute("class", value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An HTML element: h("a", {href: "#/"}, "text", otherNode). */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention as h(). */
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replace every child of `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  return fill(node, {}, children);
}

/** A short, human reading of a byte count. */
export function formatBytes(bytes) {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

/** A message box for an error (class "error") or a notice. */
export function message(text, kind = "error") {
  return h(
    "p",
    { className: `message ${kind}`, role: kind === "error" ? "alert" : "status" },
    text,
  );
}

/** What a page shows in place of itself when its URL can't be read, with a way out. */
export function urlError(text, fixed) {
  return h(
    "div",
    { className: "url-error" },
    h("p", { className: "message error", role: "alert", id: "url-error" }, text),
    h("a", { className: "button", href: fixed }, "Open it without them"),
  );
}
