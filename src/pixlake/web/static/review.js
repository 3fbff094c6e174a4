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
  return h(
    "div",
    { className: "review-bar", id: "review-bar" },
    selectedCount,
    name,
    h("button", { type: "button", id: "add-tag", onclick: () => change("attach") }, "Add tag"),
    h(
      "button",
      { type: "button", id: "remove-tag", onclick: () => change("detach") },
      "Remove tag",
    ),
  );
}
