// Sign-in: an API token exchanged for a session cookie (the token is not kept by the page).

import * as api from "../api.js";
import { h, message, replace } from "../dom.js";

export function signInPage(next, onSignedIn) {
  const status = h("div", { className: "status" });
  const token = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "current-password",
    required: true,
    placeholder: "pxl_…",
  });
  const form = h(
    "form",
    { className: "signin", id: "signin-form" },
    h("h1", {}, "Sign in to pixlake"),
    h("label", { for: "token" }, "API token"),
    token,
    h("button", { type: "submit" }, "Sign in"),
    status,
    h(
      "p",
      { className: "hint" },
      "An administrator makes tokens with `pixlake users create`; `pixlake ui` opens a signed-in page itself.",
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(status);
    try {
      await api.post("/ui/session", { token: token.value });
      token.value = "";
      onSignedIn(next);
    } catch (error) {
      replace(status, message(error.message || "Sign-in failed."));
    }
  });
  return h("section", { className: "signin-page" }, form);
}
