// The app's entry: reads the route from the URL fragment, makes sure there is a session,
// and hands the view to the page the route names.

import * as api from "./api.js";
import { h, message, replace } from "./dom.js";
import { assetPage } from "./pages/asset.js";
import { galleryPage } from "./pages/gallery.js";
import { homePage } from "./pages/home.js";
import { statsPage } from "./pages/stats.js";
import { currentRoute, link } from "./route.js";

const view = document.getElementById("view");
const crumbs = document.getElementById("crumbs");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");

let me = null;

/** What every page gets: the signed-in user and a way to set the breadcrumbs. */
const app = {
  get me() {
    return me;
  },
  /** Draw the current view again (after a change made from it). */
  refresh() {
    return render();
  },
  setCrumbs(...items) {
    replace(
      crumbs,
      items.map(([text, href]) =>
        href ? h("a", { href }, text) : h("span", { className: "current" }, text),
      ),
    );
  },
};

function pageFor(route) {
  const [first, id, sub, subId] = route.segments;
  if (first === undefined) return () => homePage(app);
  if (first === "datalakes" && id && sub === undefined) {
    return () => galleryPage(app, { kind: "datalake", id }, route.params);
  }
  if (first === "versions" && id && sub === undefined) {
    return () => galleryPage(app, { kind: "version", id }, route.params);
  }
  if (first === "versions" && id && sub === "assets" && subId) {
    return () => assetPage(app, { kind: "version", id }, subId, route.params);
  }
  if (first === "datalakes" && id && sub === "data" && subId) {
    return () => assetPage(app, { kind: "datalake", id }, subId, route.params);
  }
  if (first === "versions" && id && sub === "stats") return () => statsPage(app, id);
  return null;
}

/** Off to the sign-in page, which brings the visitor back to this view afterwards. */
function toSignIn(reason) {
  const query = reason ? `?error=${reason}` : "";
  window.location.assign(`/ui/signin${query}${window.location.hash}`);
}

async function ensureSignedIn() {
  if (me) return true;
  try {
    me = (await api.get("/ui/session")).me;
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) return false;
    throw error;
  }
  who.textContent = `${me.user.username} · ${me.organization.name}`;
  signOutButton.hidden = false;
  return true;
}

let rendering = 0;

async function render() {
  const ticket = ++rendering;
  const route = currentRoute();
  const hash = window.location.hash;
  const page = document.createElement("div");
  page.className = "page";
  replace(view, page);
  // Which view is drawn in full (scripts and tests wait for it); unset while drawing.
  delete view.dataset.shown;
  try {
    if (!(await ensureSignedIn())) {
      toSignIn();
      return;
    }
    const make = pageFor(route);
    if (!make) {
      app.setCrumbs(["Home", "#/"], ["Not found"]);
      replace(page, message("No page here."), h("a", { href: link([]) }, "Go home"));
      return;
    }
    const content = await make();
    // A later navigation owns the view now: drop what this one built.
    if (ticket === rendering) replace(page, content);
  } catch (error) {
    console.error(error);
    if (ticket === rendering) replace(page, message(error.message || String(error)));
  } finally {
    if (ticket === rendering) view.dataset.shown = hash || "#/";
  }
}

signOutButton.addEventListener("click", async () => {
  try {
    await api.request("DELETE", "/ui/session");
  } finally {
    window.location.assign("/ui/signin");
  }
});

// A session that ended while the page was open (expired, token revoked).
api.onSignedOut(() => toSignIn("expired"));

// Arrow keys step through the filter in the asset view (unless a field has the focus).
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea") || event.altKey || event.ctrlKey) return;
  const target = { ArrowLeft: "#previous", ArrowRight: "#next" }[event.key];
  const anchor = target && document.querySelector(`#view ${target}`);
  if (anchor) {
    event.preventDefault();
    anchor.click();
  }
});

window.addEventListener("hashchange", render);
render();
