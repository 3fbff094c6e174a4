// Home: the organization's datalakes and datasets, each dataset with its versions (asset
// count, tags, lock state).

import * as api from "../api.js";
import { h } from "../dom.js";
import { link } from "../route.js";

export function tagList(tags) {
  return h(
    "ul",
    { className: "tags" },
    tags.map((tag) => h("li", { className: "tag" }, tag.name)),
  );
}

export async function homePage(app) {
  app.setCrumbs(["Home"]);
  const [datalakes, datasets] = await Promise.all([api.get("/datalakes"), api.get("/datasets")]);
  const versionsOf = await api.pooled(datasets, 4, (dataset) =>
    api.get(`/datasets/${dataset.id}/versions`),
  );
  const allVersions = versionsOf.flat();
  const [datalakeCounts, versionStats, versionTags, datasetTags] = await Promise.all([
    api.pooled(datalakes, 4, (datalake) =>
      api.post(`/datalakes/${datalake.id}/gallery/counts`, {}),
    ),
    api.pooled(allVersions, 4, (version) => api.get(`/versions/${version.id}/stats`)),
    api.pooled(allVersions, 4, (version) =>
      api.post("/tags/of", { target: "DATASET_VERSION", object_id: version.id }),
    ),
    api.pooled(datasets, 4, (dataset) =>
      api.post("/tags/of", { target: "DATASET", object_id: dataset.id }),
    ),
  ]);
  const statsById = new Map(allVersions.map((v, i) => [v.id, versionStats[i]]));
  const tagsById = new Map(allVersions.map((v, i) => [v.id, versionTags[i]]));

  return h(
    "div",
    { className: "home" },
    h(
      "section",
      { className: "card", id: "datalakes" },
      h("h2", {}, "Datalakes"),
      datalakes.length
        ? h(
            "ul",
            { className: "plain" },
            datalakes.map((datalake, index) =>
              h(
                "li",
                { className: "datalake", dataset: { id: datalake.id } },
                h("a", { href: link(["datalakes", datalake.id]) }, datalake.name),
                h("span", { className: "count data-count" }, datalakeCounts[index].images),
              ),
            ),
          )
        : h("p", { className: "empty" }, "No datalake yet."),
    ),
    h(
      "section",
      { className: "card", id: "datasets" },
      h("h2", {}, "Datasets"),
      datasets.length
        ? datasets.map((dataset, index) =>
            h(
              "article",
              { className: "dataset", dataset: { id: dataset.id } },
              h("h3", {}, dataset.name, tagList(datasetTags[index])),
              dataset.description
                ? h("p", { className: "description" }, dataset.description)
                : null,
              versionTable(versionsOf[index], statsById, tagsById),
            ),
          )
        : h("p", { className: "empty" }, "No dataset yet."),
    ),
  );
}

function versionTable(versions, statsById, tagsById) {
  if (!versions.length) return h("p", { className: "empty" }, "No version.");
  return h(
    "table",
    { className: "versions" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Version", "Assets", "Annotations", "Tags", "State", ""].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      versions.map((version) => {
        const stats = statsById.get(version.id);
        return h(
          "tr",
          { className: "version", dataset: { id: version.id } },
          h("td", {}, h("a", { href: link(["versions", version.id]) }, version.version)),
          h("td", { className: "number asset-count" }, stats.nb_assets),
          h("td", { className: "number" }, stats.nb_annotations),
          h("td", {}, tagList(tagsById.get(version.id))),
          h("td", {}, version.locked ? h("span", { className: "locked" }, "🔒 locked") : "open"),
          h("td", {}, h("a", { href: link(["versions", version.id, "stats"]) }, "statistics")),
        );
      }),
    ),
  );
}
