// The sign-in page: the API token is exchanged for a session cookie, and the page the
// visitor was sent from (kept in the URL's fragment) opens. A refused token shows the
// server's message, and no cookie is set.

import * as api from "./api.js";
import { message, replace } from "./dom.js";

const REASONS = {
  used_link:
    "This sign-in link was used already or has expired: run `pixlake ui` again, or sign in with a token.",
  expired: "Your session has ended: sign in again.",
};

const form = document.getElementById("signin-form");
const token = document.getElementById("token");
const status = document.getElementById("signin-status");

const reason = new URLSearchParams(window.location.search).get("error");
if (reason) replace(status, message(REASONS[reason] || "Sign in again.", "notice"));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  replace(status);
  try {
    await api.post("/ui/session", { token: token.value });
    token.value = "";
    window.location.assign(`/${window.location.hash}`);
  } catch (error) {
    replace(status, message(error.message || "Sign-in failed."));
    token.select();
  }
});
token.focus();
