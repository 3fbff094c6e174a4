"""Image-bomb benchmark: the peak memory of a real server receiving decompression bombs.

A PNG of one colour, 9000 x 9000 RGBA (81 Mpx, below Pillow's own bomb threshold), is a
file of about 300 kB that decodes to 324 MB. Each scenario runs against a fresh ``pixlake
serve`` subprocess (its own workspace) and reports that process's peak RSS (VmHWM, psutil
samples elsewhere), side by side with the baseline of the same run, a plain small upload:

* baseline: one 640 x 480 JPEG;
* png x1, png x16: one bomb, then 16 at once (16 threads, one PUT each);
* png+trailing x16: the same bomb with 100 bytes after its IEND chunk, which defeats a check
  of the file's last bytes (the probe used to decode such PNGs fully to decide);
* tiff x16: the same picture as a deflate TIFF, a format the probe must decode to prove it
  complete (so these go through the decoding slots, ``max_concurrent_decodes``).

Every upload's status is shown: 200 (stored) or the refusal's status and code.

    .venv/bin/python benchmarks/image_bomb.py [--size 9000] [--count 16]

Figures for another version of pixlake come from running this very script with its source
first on the path (``PYTHONPATH=<that checkout>/src``), since the server is started from
the ``pixlake`` console script of this interpreter.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import render_table, serve_workspace


def make_bombs(folder: Path, size: int) -> dict[str, Path]:
    from PIL import Image

    from pixlake.samples import make_image

    picture = Image.new("RGBA", (size, size), (12, 34, 56, 255))
    png = folder / "bomb.png"
    picture.save(png, compress_level=9)
    trailing = folder / "bomb-trailing.png"
    trailing.write_bytes(png.read_bytes() + b"\x01" * 100)
    tiff = folder / "bomb.tiff"
    picture.save(tiff, compression="tiff_adobe_deflate")
    return {
        "baseline": make_image(folder / "small.jpg", 640, 480),
        "png": png,
        "png+trailing": trailing,
        "tiff": tiff,
    }


def run_scenario(path: Path, count: int, workspace: Path) -> tuple[float, str]:
    """Upload ``path`` ``count`` times at once to a fresh server: (peak RSS MiB, outcomes)."""
    import httpx

    with serve_workspace(workspace) as served:
        with httpx.Client(
            base_url=served.url, timeout=600, headers={"authorization": f"Bearer {served.token}"}
        ) as http:
            datalake = http.post("/datalakes", json={"name": "bombs"}).json()["id"]
            body = path.read_bytes()

            def upload(index: int) -> str:
                answer = http.put(
                    f"/datalakes/{datalake}/data",
                    params={"filename": f"{index}-{path.name}"},
                    content=body,
                )
                if answer.status_code == 200:
                    return "200"
                try:
                    code = answer.json().get("code", "?")
                except ValueError:
                    code = "?"
                return f"{answer.status_code} {code}"

            with ThreadPoolExecutor(count) as pool:
                outcomes = collections.Counter(pool.map(upload, range(count)))
        assert served.rss is not None, "psutil is needed (the dev extras)"
        peak = served.rss.peak_mib()
    return peak, ", ".join(f"{n} x {outcome}" for outcome, n in sorted(outcomes.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=9000, help="bomb width and height")
    parser.add_argument("--count", type=int, default=16, help="bombs sent at once")
    args = parser.parse_args()

    import pixlake

    with tempfile.TemporaryDirectory(prefix="pixlake-bomb-") as tmp:
        root = Path(tmp)
        files = make_bombs(root, args.size)
        scenarios = [
            ("baseline", 1),
            ("png", 1),
            ("png", args.count),
            ("png+trailing", args.count),
            ("tiff", args.count),
        ]
        rows, baseline = [], None
        for kind, count in scenarios:
            path = files[kind]
            peak, outcomes = run_scenario(path, count, root / f"ws-{uuid.uuid4().hex[:6]}")
            baseline = baseline if baseline is not None else peak
            rows.append(
                [
                    f"{kind} x{count}",
                    f"{path.stat().st_size / 1024:,.0f} kB",
                    f"{peak:,.0f}",
                    f"{peak - baseline:+,.0f}",
                    outcomes,
                ]
            )
        print(
            f"pixlake {pixlake.__version__} from {Path(pixlake.__file__).parent}; "
            f"bombs of {args.size} x {args.size} RGBA "
            f"({args.size * args.size * 4 / 1e6:,.0f} MB decoded)"
        )
        print(
            render_table(
                ["scenario", "file", "server peak RSS MiB", "vs baseline", "answers"], rows
            )
        )


if __name__ == "__main__":
    main()
