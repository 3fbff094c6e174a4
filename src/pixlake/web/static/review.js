// Review in the gallery: add or remove a tag on the selected items, through the same
// route as the SDK (POST /tags/attach, /tags/detach).

import * as api from "./api.js";
import { h, message, replace } from "./dom.js";

export function reviewBar(source, selection, selectedCount, status, reload) {
  const name = h("input", {
    type: "text",
    id: "review-tag",
    placeholder: "tag name",
    "aria-label": "Tag to add or remove",
  });
  async function change(action) {
    const tag = name.value.trim();
    if (!tag || !selection.size) {
      replace(status, message("Select some items and name a tag first.", "notice"));
      return;
    }
    try {
      await api.post(`/tags/${action}`, {
        target: source.tagTarget,
        object_ids: [...selection],
        tags: [tag],
      });
      // The counts and the tags shown change: draw the view again.
      await reload();
    } catch (error) {
      replace(status, message(error.message));
    }
  }
  // Ticks every item of the page, through each box's own change handler.
  const selectPage = h(
    "button",
    {
      type: "button",
      id: "select-page",
      onclick: () => {
        const boxes = [...document.querySelectorAll("#grid input.select")];
        const tick = boxes.some((box) => !box.checked);
        for (const box of boxes) {
          if (box.checked !== tick) {
            box.checked = tick;
            box.dispatchEvent(new Event("change"));
          }
        }
      },
    },
    "Select page",
  );
  return h(
    "div",
    { className: "review-bar", id: "review-bar" },
    selectedCount,
    selectPage,
    name,
    h("button", { type: "button", id: "add-tag", onclick: () => change("attach") }, "Add tag"),
    h(
      "button",
      { type: "button", id: "remove-tag", onclick: () => change("detach") },
      "Remove tag",
    ),
  );
}
