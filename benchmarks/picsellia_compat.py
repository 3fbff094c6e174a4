"""The official picsellia SDK against pixlake, next to pixlake's own SDK, in the same run.

Each against a real ``pixlake serve`` on SQLite and a folder (a fresh workspace each):

- upload: ``--uploads`` JPEGs (1,000) with ``Datalake.upload_data`` of each SDK;
- listing: ``version.list_assets()`` of a version of ``--assets`` assets (10,000), both
  SDKs reading the same version on the same server (the median of ``--runs``).

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
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
    print(render_table(["step", "pixlake SDK", "picsellia SDK", "picsellia/pixlake"], rows))
    print(
        "Both against a real `pixlake serve` on SQLite and a folder on this machine; the "
        "picsellia SDK uploads through the compatibility API (a name, a signed PUT and a "
        "create per file), pixlake's SDK in bundles."
    )


if __name__ == "__main__":
    main()
