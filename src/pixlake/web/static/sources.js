// What a gallery shows, from where: a dataset version's assets (with annotations, labels
// and statuses) or a datalake's data (tags only). Pages ask a source; only this module
// knows which API routes answer.

import * as api from "./api.js";
import { assignColors } from "./colors.js";
import { link } from "./route.js";
import { notePage, previousOf } from "./trail.js";

export function sourceFor(scope) {
  return scope.kind === "version" ? versionSource(scope.id) : datalakeSource(scope.id);
}

function versionSource(versionId) {
  let version = null;
  async function loadVersion() {
    version ??= await api.get(`/versions/${versionId}`);
    return version;
  }
  return {
    itemSegment: "assets",
    tagTarget: "ASSET",
    hasAnnotations: true,
    hasQuery: true,

    async title() {
      const v = await loadVersion();
      const dataset = await api.get(`/datasets/${v.dataset_id}`);
      return {
        heading: `${dataset.name} · ${v.version}`,
        crumbs: [[dataset.name], [v.version, link(["versions", versionId])]],
      };
    },
    async labels() {
      const labels = await api.get(`/versions/${versionId}/labels`);
      assignColors(labels.map((label) => label.name));
      return labels;
    },

    async page(filter, after, limit) {
      const body = { ...versionFilter(filter), limit };
      if (after) body.after = after;
      const page = await api.post(`/versions/${versionId}/gallery`, body);
      for (const item of page.items) {
        item.shapes = item.annotations.flatMap((annotation) => annotation.shapes);
      }
      return page;
    },

    counts: (filter) =>
      api.post(`/versions/${versionId}/gallery/counts`, filter ? versionFilter(filter) : {}),

    item: (id) => api.get(`/assets/${id}`),

    async annotations(asset) {
      const v = await loadVersion();
      const [annotations, workers] = await Promise.all([
        api.get(`/assets/${asset.id}/annotations`),
        api.get(`/datasets/${v.dataset_id}/workers`),
      ]);
      const names = new Map(workers.map((worker) => [worker.id, worker.username]));
      const shapes = await api.pooled(annotations, 4, (a) =>
        api.get(`/annotations/${a.id}/shapes`),
      );
      return annotations.map((annotation, index) => ({
        ...annotation,
        worker_name: names.get(annotation.worker_id) ?? "unknown worker",
        shapes: shapes[index],
      }));
    },

    async tags(asset) {
      const [assetTags, dataTags] = await Promise.all([
        api.post("/tags/of", { target: "ASSET", object_id: asset.id }),
        api.post("/tags/of", { target: "DATA", object_id: asset.data_id }),
      ]);
      return [
        ["asset tags", assetTags],
        ["data tags", dataTags],
      ];
    },

    async neighbours(filter, id) {
      return neighboursIn(versionId, filter, id, (f, after, limit) => this.page(f, after, limit));
    },

    thumbnailUrl: (asset) => `/data/${asset.data_id}/thumbnail`,
    imageUrl: (asset) => `/data/${asset.data_id}/content`,
  };
}

/** The gallery routes' filter body: only what is set, so that unset means "any". */
function versionFilter(filter) {
  const body = {};
  if (filter.tags.length) body.tags = filter.tags;
  if (filter.labels.length) body.labels = filter.labels;
  if (filter.status) body.status = filter.status;
  if (filter.filename) body.filename = filter.filename;
  // Sent as typed: the API parses it and answers its own error for a malformed query.
  if (filter.q) body.q = filter.q;
  return body;
}

function datalakeFilter(filter) {
  const body = {};
  if (filter.tags.length) body.tags = filter.tags;
  if (filter.filename) body.filename = filter.filename;
  if (filter.q) body.q = filter.q;
  return body;
}

function datalakeSource(datalakeId) {
  return {
    itemSegment: "data",
    tagTarget: "DATA",
    hasAnnotations: false,
    hasQuery: true,

    async title() {
      const datalake = await api.get(`/datalakes/${datalakeId}`);
      return { heading: datalake.name, crumbs: [[datalake.name, link(["datalakes", datalakeId])]] };
    },
    labels: async () => [],

    async page(filter, after, limit) {
      const body = { ...datalakeFilter(filter), limit };
      if (after) body.after = after;
      return api.post(`/datalakes/${datalakeId}/gallery`, body);
    },

    counts: (filter) =>
      api.post(`/datalakes/${datalakeId}/gallery/counts`, filter ? datalakeFilter(filter) : {}),

    item: (id) => api.get(`/data/${id}`),
    annotations: async () => [],
    async tags(data) {
      return [["data tags", await api.post("/tags/of", { target: "DATA", object_id: data.id })]];
    },
    async neighbours(filter, id) {
      return neighboursIn(datalakeId, filter, id, (f, after, limit) => this.page(f, after, limit));
    },
    thumbnailUrl: (data) => `/data/${data.id}/thumbnail`,
    imageUrl: (data) => `/data/${data.id}/content`,
  };
}

/**
 * Previous and next item of `id` in the listing under `filter`: the next one is asked of the
 * API by key (the item after `id`); the previous one is the one this tab saw before it.
 */
async function neighboursIn(scopeId, filter, id, page) {
  const next = (await page(filter, id, 1)).items[0]?.id ?? null;
  if (next) notePage(scopeId, filter, id, [next]);
  return { previous: previousOf(scopeId, filter, id), next };
}
