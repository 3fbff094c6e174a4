"""The official picsellia SDK against pixlake, next to pixlake's own SDK, in the same run.

Each against a real ``pixlake serve`` on SQLite and a folder (a fresh workspace each):

- upload: ``--uploads`` JPEGs (1,000) with ``Datalake.upload_data`` of each SDK;
- listing: ``version.list_assets()`` of a version of ``--assets`` assets (10,000), both
  SDKs reading the same version on the same server (the median of ``--runs``);
- COCO: ``export_annotation_file("COCO")`` of a version of the ``--uploads`` images with
  ``--boxes`` boxes each, then ``import_annotations_coco_file`` of that file into a fresh
  version, by each SDK on the same server.

    .venv/bin/python benchmarks/picsellia_compat.py [--uploads 1000] [--assets 10000]

Not a test: it prints figures, and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PICSELLIA_SDK_CUSTOM_LOGGING", "1")  # before picsellia is imported
os.environ.setdefault("PIXLAKE_DISABLE_PROGRESS_BARS", "1")

from _common import SAMPLE_GLOB, render_table, sample_folder, serve_workspace


def _picsellia(url: str, token: str):  # type: ignore[no-untyped-def]
    import picsellia

    return picsellia.Client(api_token=token, organization_name="default", host=url)


def _pixlake(url: str, token: str):  # type: ignore[no-untyped-def]
    import pixlake

    return pixlake.Client(api_token=token, host=url)


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_upload(root: Path, folder: Path, sdk: str) -> float:
    paths = sorted(folder.glob(SAMPLE_GLOB))
    with serve_workspace(root / f"upload-{sdk}", sample_rss=False) as served:
        if sdk == "picsellia":
            lake = _picsellia(served.url, served.token).get_datalake()
            return _timed(lambda: lake.upload_data([str(p) for p in paths]))
        own = _pixlake(served.url, served.token).get_datalake()
        return _timed(lambda: own.upload_data(folder))


def measure_listing(root: Path, folder: Path, runs: int) -> dict[str, float]:
    with serve_workspace(root / "listing", sample_rss=False) as served:
        own = _pixlake(served.url, served.token)
        data = own.get_datalake().upload_data(folder)
        version = own.create_dataset("bench").create_version("v1")
        version.add_data(data)
        official = _picsellia(served.url, served.token)
        official_version = official.get_dataset("bench").get_version("v1")
        seconds: dict[str, list[float]] = {"pixlake": [], "picsellia": []}
        counts: dict[str, int] = {}
        for _ in range(runs):  # interleaved, so both see the same machine
            started = time.perf_counter()
            counts["pixlake"] = len(version.list_assets())
            seconds["pixlake"].append(time.perf_counter() - started)
            started = time.perf_counter()
            counts["picsellia"] = len(official_version.list_assets())
            seconds["picsellia"].append(time.perf_counter() - started)
        if counts["pixlake"] != counts["picsellia"]:
            raise RuntimeError(f"the SDKs listed different numbers of assets: {counts}")
        return {sdk: statistics.median(values) for sdk, values in seconds.items()}


def _coco_of(folder: Path, boxes: int) -> dict:  # type: ignore[type-arg]
    """A COCO document giving each image of the folder ``boxes`` small boxes of 2 labels."""
    paths = sorted(folder.glob(SAMPLE_GLOB))
    images = [{"id": i + 1, "file_name": p.name} for i, p in enumerate(paths)]
    annotations = [
        {
            "id": len(paths) * k + i + 1,
            "image_id": i + 1,
            "category_id": 1 + k % 2,
            "bbox": [1 + k, 1 + k, 4, 4],
            "area": 16,
            "iscrowd": 0,
            "segmentation": [],
        }
        for i in range(len(paths))
        for k in range(boxes)
    ]
    categories = [
        {"id": 1, "name": "cat", "supercategory": ""},
        {"id": 2, "name": "dog", "supercategory": ""},
    ]
    return {"images": images, "annotations": annotations, "categories": categories}


def measure_coco(root: Path, folder: Path, boxes: int) -> dict[str, dict[str, float]]:
    import json

    with serve_workspace(root / "coco", sample_rss=False) as served:
        own = _pixlake(served.url, served.token)
        data = own.get_datalake().upload_data(folder)
        dataset = own.create_dataset("coco")
        source = dataset.create_version("source", type="OBJECT_DETECTION")
        source.add_data(data)
        seed = root / "seed.json"
        seed.write_text(json.dumps(_coco_of(folder, boxes)))
        source.import_annotations_coco_file(seed)
        official = _picsellia(served.url, served.token)
        official_dataset = official.get_dataset("coco")
        official_source = official_dataset.get_version("source")
        seconds: dict[str, dict[str, float]] = {}
        for sdk in ("pixlake", "picsellia"):
            version = source if sdk == "pixlake" else official_source
            target_folder = root / f"export-{sdk}"
            started = time.perf_counter()
            path = version.export_annotation_file("COCO", str(target_folder))
            exported = time.perf_counter() - started
            if sdk == "pixlake":
                target = dataset.create_version(f"into-{sdk}", type="OBJECT_DETECTION")
            else:
                target = official_dataset.create_version(f"into-{sdk}", type="OBJECT_DETECTION")
            target.add_data(data if sdk == "pixlake" else official.get_datalake().list_data())
            started = time.perf_counter()
            target.import_annotations_coco_file(path)
            imported = time.perf_counter() - started
            seconds[sdk] = {"export": exported, "import": imported}
        counts = {
            name: dataset.get_version(name).retrieve_stats().nb_objects
            for name in ("source", "into-pixlake", "into-picsellia")
        }
        if len(set(counts.values())) != 1:
            raise RuntimeError(f"the versions hold different numbers of boxes: {counts}")
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--boxes", type=int, default=3)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "pixlake-bench-samples"
    )
    args = parser.parse_args()
    upload_folder = sample_folder(args.cache, args.uploads)
    listing_folder = sample_folder(args.cache, args.assets)
    with tempfile.TemporaryDirectory(prefix="pixlake-compat-bench-") as tmp:
        root = Path(tmp)
        upload = {sdk: measure_upload(root, upload_folder, sdk) for sdk in ("pixlake", "picsellia")}
        listing = measure_listing(root, listing_folder, args.runs)
        coco = measure_coco(root, upload_folder, args.boxes)
    rows = [
        [
            f"upload {args.uploads} JPEGs",
            f"{upload['pixlake']:.2f} s ({args.uploads / upload['pixlake']:.0f}/s)",
            f"{upload['picsellia']:.2f} s ({args.uploads / upload['picsellia']:.0f}/s)",
            f"{upload['picsellia'] / upload['pixlake']:.1f}x",
        ],
        [
            f"list {args.assets} assets",
            f"{listing['pixlake']:.2f} s",
            f"{listing['picsellia']:.2f} s",
            f"{listing['picsellia'] / listing['pixlake']:.1f}x",
        ],
    ]
    shapes = args.uploads * args.boxes
    for step in ("export", "import"):
        rows.append(
            [
                f"COCO {step}, {args.uploads} images, {shapes} boxes",
                f"{coco['pixlake'][step]:.2f} s",
                f"{coco['picsellia'][step]:.2f} s",
                f"{coco['picsellia'][step] / coco['pixlake'][step]:.1f}x",
            ]
        )
    print(render_table(["step", "pixlake SDK", "picsellia SDK", "picsellia/pixlake"], rows))
    print(
        "Both against a real `pixlake serve` on SQLite and a folder on this machine; the "
        "picsellia SDK uploads through the compatibility API (a name, a signed PUT and a "
        "create per file), pixlake's SDK in bundles."
    )


if __name__ == "__main__":
    main()
