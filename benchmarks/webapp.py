"""Web app benchmark: the JSON and pictures a gallery asks of the server, at scale.

Builds a dataset version of N assets (``--assets``, default 100,000) with S rectangles each
(``--shapes-per-asset``, default 5: 500,000 rectangles) on a SQLite workspace, and times,
through a real ``pixlake serve`` subprocess, what the web app's gallery asks:

=====================================  =============================================
web app request                        baseline measured in the same run
=====================================  =============================================
first gallery page (100 assets with    the plain API listing of the same page
all their shapes)                      (``POST /versions/{id}/assets/search``)
a page deep in the listing (by key,    the plain API listing of the same page
N - 200 assets in)
sidebar counts (per label, per tag)    the version's statistics (``GET .../stats``)
thumbnails/s warm (asked again: from   thumbnails/s cold (made and stored)
the server's memory)
server CPU per thumbnail, warm         the same, cold (read from /proc: the server's
                                       own time, whatever else the machine runs)
client CPU per thumbnail, warm         the same, cold (the benchmark's own process)
thumbnails/s revalidated (304)         thumbnails/s cold
``GET /health`` (the stack's floor)    its rate and server CPU per request
bytes of one 100-asset gallery page    —
=====================================  =============================================

Targets: gallery pages within 2x of the listing of the same page; warm thumbnails at least
20x cold; a gallery page of 100 assets at most a few hundred kB.

How the version comes to be: ``--originals`` (default 200) JPEGs of ``pixlake.samples``,
``--original-size`` each (default 1920x1080, a camera's or a video frame's; ``mixed`` for
the other benchmarks' 320x240 to 1024x768), are uploaded through the SDK and added to the
version, one of them annotated through the SDK (which makes the worker and the label); the
other data, assets, annotations (one per asset) and shapes are bulk-inserted straight into
the SQLite database with SQLAlchemy Core while the server is idle, as copies of the
uploaded data rows (new ids, distinct fake checksums, the same bytes). Each cold thumbnail
is of a distinct checksum, so it is really made (the original read, decoded, encoded,
stored); its warm repeats are answered from the server's memory.

Each page timing is the median of ``--repeats`` (default 5) requests over HTTP on loopback
(httpx, one keep-alive connection). Thumbnails go through a light client of its own
(``_light_http``: ``--connections`` keep-alive connections, default 6 as a browser opens,
one request in flight on each, a few tens of microseconds of client CPU per request), the
same client and concurrency for cold, warm, revalidated and ``/health``: one cold pass over
``--thumbnails`` pictures (default 200, each made by its request), then ``--warm-passes``
(default 5) warm passes asking each ``--warm-repeats`` times (default 5) and as many
revalidating ones (``If-None-Match``, as a browser asks after its cache's entry went);
rates are the median pass's, server and client CPU the mean per request.

    .venv/bin/python benchmarks/webapp.py --assets 100000 --cache /tmp/pixlake-bench-cache
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _common import render_table, sample_folder, serve_workspace
from _light_http import DEFAULT_CONNECTIONS, run_requests

DEFAULT_CACHE = Path("/tmp/pixlake-bench-cache")
PAGE = 100
GALLERY_RATIO_TARGET = 2.0
WARM_OVER_COLD_TARGET = 20.0
PAGE_BYTES_TARGET = 300 * 1024
CHUNK = 20_000


def sized_folder(cache: Path, count: int, width: int, height: int) -> Path:
    """``cache/jpeg-<count>-<w>x<h>`` holding ``count`` JPEGs of that size, made if missing."""
    from pixlake.samples import make_image

    folder = cache / f"jpeg-{count}-{width}x{height}"
    if folder.is_dir() and sum(1 for _ in folder.glob("sample_*.jpg")) == count:
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache))
    for index in range(count):
        make_image(staging / f"sample_{index:06d}.jpg", width, height, seed=index)
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    return folder


def _median_seconds(call: Callable[[], httpx.Response], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
        answer.raise_for_status()
    return statistics.median(times)


def build_version(url: str, token: str, folder: Path) -> dict[str, Any]:
    """The originals uploaded, a version of them with a label and one annotation: the ids
    the bulk insert copies."""
    from pixlake import Client

    with Client(api_token=token, host=url) as client:
        lake = client.get_datalake()
        uploaded = lake.upload_data(folder)
        version = client.create_dataset("bench-webapp").create_version("v1")
        assets = version.add_data(uploaded)
        label = version.create_label("box")
        annotation = assets[0].create_annotation()
        annotation.create_rectangle(1, 1, 10, 10, label)
        client.create_tag("bench-tag", "ASSET")
        return {
            "version_id": version.id,
            "datalake_id": lake.id,
            "label_id": label.id,
            "worker_id": annotation.worker_id,
            "organization_id": client.get_datalake().organization_id,
        }


def bulk_insert(database_url: str, made: dict[str, Any], total: int, shapes_per_asset: int) -> None:
    """Bring the version to ``total`` assets, each with one annotation of
    ``shapes_per_asset`` rectangles (and a tag on one asset in ten)."""
    from sqlalchemy import create_engine, delete, insert, select, text

    from pixlake.core import tables as t
    from pixlake.core.context import utcnow
    from pixlake.ids import new_id

    engine = create_engine(database_url)
    org, version_id = made["organization_id"], made["version_id"]
    now = utcnow()
    with engine.begin() as conn:
        originals = [
            dict(row)
            for row in conn.execute(
                select(t.data).where(t.data.c.datalake_id == made["datalake_id"])
            ).mappings()
        ]
        # The SDK's one annotation goes: every asset gets one of the same shape below.
        conn.execute(delete(t.shapes).where(t.shapes.c.dataset_version_id == version_id))
        conn.execute(
            delete(t.annotations_table).where(
                t.annotations_table.c.dataset_version_id == version_id
            )
        )
        tag_id = conn.execute(select(t.tags.c.id).where(t.tags.c.name == "bench-tag")).scalar_one()
        asset_ids = list(
            conn.execute(
                select(t.assets.c.id).where(t.assets.c.dataset_version_id == version_id)
            ).scalars()
        )
        for start in range(0, total - len(originals), CHUNK):
            data_rows, asset_rows = [], []
            for index in range(start, min(start + CHUNK, total - len(originals))):
                row = dict(originals[index % len(originals)])
                checksum = hashlib.sha256(f"bench-webapp-{index}".encode()).hexdigest()
                row.update(id=new_id(), checksum=checksum, created_at=now)
                data_rows.append(row)
                asset_id = new_id()
                asset_ids.append(asset_id)
                asset_rows.append(
                    {
                        "id": asset_id,
                        "organization_id": org,
                        "dataset_version_id": version_id,
                        "data_id": row["id"],
                        "created_at": now,
                    }
                )
            conn.execute(insert(t.data), data_rows)
            conn.execute(insert(t.assets), asset_rows)
        for start in range(0, len(asset_ids), CHUNK):
            annotation_rows, shape_rows, links = [], [], []
            for index, asset_id in enumerate(asset_ids[start : start + CHUNK], start):
                annotation_id = new_id()
                annotation_rows.append(
                    {
                        "id": annotation_id,
                        "organization_id": org,
                        "dataset_version_id": version_id,
                        "asset_id": asset_id,
                        "worker_id": made["worker_id"],
                        "duration": 1.0,
                        "status": "PENDING",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for number in range(shapes_per_asset):
                    shape_rows.append(
                        {
                            "id": new_id(),
                            "organization_id": org,
                            "dataset_version_id": version_id,
                            "annotation_id": annotation_id,
                            "kind": "RECTANGLE",
                            "label_id": made["label_id"],
                            "x": 10.0 * number,
                            "y": 8.0 * number,
                            "w": 40.0,
                            "h": 30.0,
                            "created_at": now,
                        }
                    )
                if index % 10 == 0:
                    links.append({"tag_id": tag_id, "object_id": asset_id})
            conn.execute(insert(t.annotations_table), annotation_rows)
            conn.execute(insert(t.shapes), shape_rows)
            if links:
                conn.execute(insert(t.tag_links), links)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def measure(
    url: str,
    server_pid: int,
    token: str,
    made: dict[str, Any],
    *,
    repeats: int,
    thumbnails: int,
    warm_passes: int,
    warm_repeats: int,
    connections: int,
) -> dict:
    version = made["version_id"]
    figures: dict[str, Any] = {}
    with httpx.Client(
        base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=300
    ) as http:
        gallery = f"/versions/{version}/gallery"
        listing = f"/versions/{version}/assets/search"

        def page(path: str, after: str | None) -> Callable[[], httpx.Response]:
            return lambda: http.post(path, json={"limit": PAGE, "after": after})

        figures["first_gallery"] = _median_seconds(page(gallery, None), repeats)
        figures["first_listing"] = _median_seconds(page(listing, None), repeats)
        first = http.post(gallery, json={"limit": PAGE}).content
        figures["page_bytes"] = len(first)
        figures["page_shapes"] = sum(
            len(a["shapes"])
            for item in httpx.Response(200, content=first).json()["items"]
            for a in item["annotations"]
        )
        # A key deep in the listing: the id of the asset 200 before the end.
        deep_after = _key_near_end(http, listing, 200)
        figures["deep_gallery"] = _median_seconds(page(gallery, deep_after), repeats)
        figures["deep_listing"] = _median_seconds(page(listing, deep_after), repeats)
        counts = f"/versions/{version}/gallery/counts"
        figures["counts"] = _median_seconds(lambda: http.post(counts, json={}), repeats)
        figures["counts_tag"] = _median_seconds(
            lambda: http.post(counts, json={"tags": ["bench-tag"]}), repeats
        )
        figures["stats"] = _median_seconds(lambda: http.get(f"/versions/{version}/stats"), repeats)
        # The pictures of the last gallery pages (bulk-inserted: distinct checksums, none
        # made yet), a page at a time as the web app asks.
        data_ids: list[str] = []
        after = _key_near_end(http, listing, thumbnails)
        while len(data_ids) < thumbnails:
            items = http.post(gallery, json={"limit": PAGE, "after": after}).json()["items"]
            if not items:
                break
            data_ids.extend(item["data_id"] for item in items)
            after = items[-1]["id"]
        data_ids = data_ids[:thumbnails]
        figures["thumbnails"] = len(data_ids)
    # Thumbnails go through the light client (a browser's parallel keep-alive connections,
    # one request in flight on each), cold and warm alike: what is measured is the server.
    figures["connections"] = connections
    cold = _thumbnail_pass(url, token, data_ids, server_pid, connections)
    figures["cold_per_second"], figures["cold_cpu"], figures["cold_client_cpu"] = cold[:3]
    etags = cold[3]
    # Warm passes go over the same pictures several times: each is quick, and one pass
    # on a loaded machine is a handful of scheduler decisions.
    warm = [
        _thumbnail_pass(url, token, data_ids * warm_repeats, server_pid, connections)
        for _ in range(warm_passes)
    ]
    _median_figures(figures, "warm", warm)
    revalidated = [
        _thumbnail_pass(
            url, token, data_ids * warm_repeats, server_pid, connections, etags * warm_repeats
        )
        for _ in range(warm_passes)
    ]
    _median_figures(figures, "revalidated", revalidated)
    # The floor of the stack: as many requests to a route that reads nothing and checks no
    # one (uvicorn, the event loop, the middleware).
    health = [
        _health_pass(url, len(data_ids) * warm_repeats, server_pid, connections)
        for _ in range(warm_passes)
    ]
    _median_figures(figures, "health", health)
    return figures


def _key_near_end(http: httpx.Client, listing: str, before_end: int) -> str:
    """The id ``before_end`` assets before the last, walked by key 5,000 at a time."""
    ids: list[str] = []
    after = None
    while True:
        answer = http.post(listing, json={"limit": 5000, "after": after}).json()
        ids.extend(item["id"] for item in answer["items"])
        ids = ids[-(before_end + 1) :]
        after = answer["next_after"]
        if after is None:
            return ids[0]


def _median_figures(figures: dict[str, Any], name: str, passes: list[tuple[Any, ...]]) -> None:
    """The median pass's rate; the mean server and client CPU per request over the passes."""
    figures[f"{name}_per_second"] = statistics.median(p[0] for p in passes)
    figures[f"{name}_cpu"] = statistics.fmean(p[1] for p in passes)
    figures[f"{name}_client_cpu"] = statistics.fmean(p[2] for p in passes)


def _thumbnail_pass(
    url: str,
    token: str,
    data_ids: list[str],
    server_pid: int,
    connections: int,
    etags: list[str] | None = None,
) -> tuple[float, float, float, list[str]]:
    """Asks for each thumbnail of ``data_ids`` (with its ETag in ``If-None-Match`` when
    ``etags`` are given, as a browser revalidates): thumbnails per second, the server
    process's CPU seconds per thumbnail (all its threads: the decoding ones too), the
    client's, and the ETags."""
    requests = []
    for index, data_id in enumerate(data_ids):
        headers = {"authorization": f"Bearer {token}"}
        if etags is not None:
            headers["if-none-match"] = etags[index]
        requests.append((f"/data/{data_id}/thumbnail", headers))
    cpu_before = _process_cpu_seconds(server_pid)
    run = run_requests(url, requests, connections=connections)
    cpu = _process_cpu_seconds(server_pid) - cpu_before
    expected = 304 if etags is not None else 200
    for data_id, answer in zip(data_ids, run.answers, strict=True):
        if answer.status != expected:
            raise RuntimeError(f"data {data_id} answered {answer.status}")
        if "x-pixlake-thumbnail" in answer.headers:
            raise RuntimeError(f"data {data_id} got a placeholder")
        if expected == 200 and len(answer.body) != int(answer.headers["content-length"]):
            raise RuntimeError(f"data {data_id} answered a short body")
    count = len(data_ids)
    return (
        count / run.seconds,
        cpu / count,
        run.client_cpu_seconds / count,
        [answer.headers["etag"] for answer in run.answers],
    )


def _health_pass(
    url: str, count: int, server_pid: int, connections: int
) -> tuple[float, float, float]:
    """``count`` requests to ``/health``: per second, server and client CPU seconds each."""
    cpu_before = _process_cpu_seconds(server_pid)
    run = run_requests(url, [("/health", {})] * count, connections=connections)
    cpu = _process_cpu_seconds(server_pid) - cpu_before
    if any(answer.status != 200 for answer in run.answers):
        raise RuntimeError("/health did not answer 200")
    return count / run.seconds, cpu / count, run.client_cpu_seconds / count


def _process_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far, all its threads (Linux /proc):
    what serving cost the server, whatever else the machine's cores were busy with."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(figures: dict[str, Any], assets: int, shapes_per_asset: int, size: str) -> str:
    def ms(seconds: float) -> str:
        # Hundredths below 10 ms: a warm thumbnail's CPU is a fraction of a millisecond.
        return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x"

    rows = [
        [
            "first page (100 assets + shapes)",
            ms(figures["first_gallery"]),
            ms(figures["first_listing"]),
            ratio(figures["first_gallery"], figures["first_listing"]),
            f"<= {GALLERY_RATIO_TARGET:.0f}x",
        ],
        [
            f"deep page ({assets - 200} in)",
            ms(figures["deep_gallery"]),
            ms(figures["deep_listing"]),
            ratio(figures["deep_gallery"], figures["deep_listing"]),
            f"<= {GALLERY_RATIO_TARGET:.0f}x",
        ],
        ["sidebar counts, no filter", ms(figures["counts"]), ms(figures["stats"]), "", ""],
        ["sidebar counts, a tag filter", ms(figures["counts_tag"]), ms(figures["stats"]), "", ""],
        [
            f"thumbnails/s ({figures['thumbnails']}, {figures['connections']} connections)",
            f"warm {figures['warm_per_second']:.0f}/s",
            f"cold {figures['cold_per_second']:.1f}/s",
            ratio(figures["warm_per_second"], figures["cold_per_second"]),
            f">= {WARM_OVER_COLD_TARGET:.0f}x",
        ],
        [
            "server CPU per thumbnail",
            f"warm {ms(figures['warm_cpu'])}",
            f"cold {ms(figures['cold_cpu'])}",
            ratio(figures["cold_cpu"], figures["warm_cpu"]),
            f">= {WARM_OVER_COLD_TARGET:.0f}x",
        ],
        [
            "client CPU per thumbnail",
            f"warm {ms(figures['warm_client_cpu'])}",
            f"cold {ms(figures['cold_client_cpu'])}",
            "",
            "",
        ],
        [
            "thumbnails/s revalidated (304)",
            f"{figures['revalidated_per_second']:.0f}/s",
            f"cold {figures['cold_per_second']:.1f}/s",
            ratio(figures["revalidated_per_second"], figures["cold_per_second"]),
            "",
        ],
        [
            "server CPU per revalidation (304)",
            ms(figures["revalidated_cpu"]),
            f"cold {ms(figures['cold_cpu'])}",
            ratio(figures["cold_cpu"], figures["revalidated_cpu"]),
            "",
        ],
        [
            "GET /health (the stack's floor)",
            f"{figures['health_per_second']:.0f}/s",
            f"server CPU {ms(figures['health_cpu'])}, client {ms(figures['health_client_cpu'])}",
            "",
            "",
        ],
        [
            f"bytes of a 100-asset page ({figures['page_shapes']} shapes)",
            f"{figures['page_bytes'] / 1024:.1f} kB",
            "",
            "",
            f"<= {PAGE_BYTES_TARGET // 1024} kB",
        ],
    ]
    title = (
        f"web app on {assets} assets, {assets * shapes_per_asset} rectangles, pictures of "
        f"{size} (pixlake serve, SQLite, loopback HTTP; medians)"
    )
    header = ["request", "web app", "baseline", "ratio", "target"]
    return title + "\n" + render_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--shapes-per-asset", type=int, default=5)
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--thumbnails", type=int, default=200)
    parser.add_argument("--warm-passes", type=int, default=5)
    parser.add_argument(
        "--warm-repeats", type=int, default=5, help="times each warm pass asks each thumbnail"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=DEFAULT_CONNECTIONS,
        help="parallel keep-alive connections for thumbnails (cold, warm and /health alike)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--original-size", default="1920x1080", help="WxH, or mixed")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    if args.original_size == "mixed":
        folder = sample_folder(args.cache, args.originals)
    else:
        width, height = (int(part) for part in args.original_size.split("x"))
        folder = sized_folder(args.cache, args.originals, width, height)
    with tempfile.TemporaryDirectory(prefix="pixlake-webapp-bench-") as scratch:
        workspace = Path(scratch) / "workspace"
        workspace.mkdir()
        with serve_workspace(workspace, sample_rss=False) as served:
            made = build_version(served.url, served.token, folder)
            start = time.perf_counter()
            bulk_insert(
                f"sqlite:///{workspace / 'pixlake.db'}", made, args.assets, args.shapes_per_asset
            )
            print(f"built the version in {time.perf_counter() - start:.1f} s (bulk insert)")
            figures = measure(
                served.url,
                served.process.pid,
                served.token,
                made,
                repeats=args.repeats,
                thumbnails=args.thumbnails,
                warm_passes=args.warm_passes,
                warm_repeats=args.warm_repeats,
                connections=args.connections,
            )
    print(report(figures, args.assets, args.shapes_per_asset, args.original_size))


if __name__ == "__main__":
    main()
