// Statistics of a version: bar charts of images and shapes per label, and of images per tag.

import { barChart } from "../chart.js";
import { h } from "../dom.js";
import { link } from "../route.js";
import { sourceFor } from "../sources.js";

export async function statsPage(app, versionId) {
  const source = sourceFor({ kind: "version", id: versionId });
  const [title, counts] = await Promise.all([source.title(), source.counts(null), source.labels()]);
  app.setCrumbs(["Home", "#/"], ...title.crumbs, ["Statistics"]);
  const byLabel = counts.labels;
  return h(
    "div",
    { className: "stats-page" },
    h("h1", {}, `Statistics of ${title.heading}`),
    h(
      "p",
      { className: "total" },
      h("strong", {}, counts.images),
      " images · ",
      h("strong", {}, counts.shapes ?? 0),
      " shapes · ",
      h("a", { href: link(["versions", versionId]) }, "open the gallery"),
    ),
    h(
      "div",
      { className: "charts", id: "charts" },
      barChart(
        "Images per label",
        byLabel.map((entry) => [entry.name, entry.images]),
        { colored: true },
      ),
      barChart(
        "Shapes per label",
        byLabel.map((entry) => [entry.name, entry.shapes]),
        { colored: true },
      ),
      barChart(
        "Images per tag",
        counts.tags.map((entry) => [entry.name, entry.images]),
      ),
    ),
  );
}
