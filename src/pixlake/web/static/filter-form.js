// The gallery's filter form: filename, annotation status, a tag to add, the `q` query, and
// chips for the labels and tags filtered on (each removable).

import { h } from "./dom.js";
import { isEmpty, readFilter, STATUSES, toggled } from "./filters.js";

/** The form for `filter`; `apply(next)` is called with the filter asked for. */
export function filterForm(filter, source, apply) {
  const filename = h("input", {
    type: "search",
    name: "filename",
    id: "filter-filename",
    value: filter.filename,
    placeholder: "part of a filename",
  });
  const q = h("input", {
    type: "search",
    name: "q",
    id: "filter-q",
    value: filter.q,
    placeholder: 'query, e.g. annotations.label.name = "cat"',
  });
  const tag = h("input", {
    type: "text",
    name: "tag",
    id: "filter-tag",
    placeholder: "tag name",
  });
  const statusSelect = h(
    "select",
    { name: "status", id: "filter-status", disabled: !source.hasAnnotations },
    h("option", { value: "" }, "any status"),
    STATUSES.map((name) =>
      h("option", { value: name, selected: filter.status === name }, name.toLowerCase()),
    ),
  );
  const form = h(
    "form",
    { className: "filters", id: "filters" },
    h("label", {}, "Filename ", filename),
    source.hasAnnotations ? h("label", {}, "Status ", statusSelect) : null,
    h("label", {}, "Tag ", tag),
    source.hasQuery ? h("label", { className: "wide" }, "q ", q) : null,
    h("button", { type: "submit" }, "Apply"),
    isEmpty(filter)
      ? null
      : h(
          "a",
          {
            href: "#",
            id: "clear-filters",
            onclick: (event) => {
              event.preventDefault();
              apply(readFilter(new URLSearchParams()));
            },
          },
          "clear",
        ),
    activeChips(filter, apply),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = {
      ...filter,
      filename: filename.value.trim(),
      q: q.value.trim(),
      status: statusSelect.value,
    };
    const tagName = tag.value.trim();
    if (tagName && !next.tags.includes(tagName)) next.tags = [...next.tags, tagName];
    apply(next);
  });
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
        h(
          "button",
          {
            type: "button",
            "aria-label": `Remove ${what} ${name}`,
            onclick: () => apply(toggled(filter, key, name)),
          },
          "×",
        ),
      ),
    ),
  );
}
