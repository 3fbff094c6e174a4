"""Draw the README's screenshot of the web app's gallery (docs/webapp-gallery.png).

Makes a throwaway workspace holding synthetic street scenes whose objects are annotated
exactly where they are drawn, serves it on 127.0.0.1 as ``pixlake serve`` does, signs in
with a token through the sign-in page and photographs the gallery with Debian's chromium.

    .venv/bin/python scripts/webapp_screenshot.py [OUTPUT.png]
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import sync_playwright

from pixlake import Client, disable_progress_bars
from pixlake.core.services.accounts import create_user
from pixlake.core.workspace import open_workspace
from pixlake.server.app import create_app
from pixlake.server.serving import uvicorn_config
from pixlake.settings import Settings

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY / "docs" / "webapp-gallery.png"
CHROMIUM = "/usr/bin/chromium"
SCENES = 18

Box = tuple[float, float, float, float]


def draw_scene(path: Path, seed: int) -> dict[str, list]:
    """A picture of cars, people and signs; returns where each object was drawn."""
    rng = random.Random(seed)
    width, height = rng.choice([(640, 480), (800, 450), (480, 640), (600, 600)])
    sky = tuple(rng.randrange(90, 200) for _ in range(3))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    draw.rectangle((0, horizon, width, height), fill=(70, 72, 78))
    objects: dict[str, list] = {"car": [], "person": [], "sign": [], "lane": []}
    lane_y = (horizon + height) // 2
    objects["lane"].append([[0, lane_y + 20], [width, lane_y - 10]])
    draw.line((0, lane_y + 20, width, lane_y - 10), fill=(235, 235, 235), width=4)
    for _ in range(rng.randrange(1, 4)):
        w, h = rng.randrange(width // 6, width // 3), rng.randrange(height // 10, height // 6)
        x, y = rng.randrange(0, width - w), rng.randrange(horizon - h // 2, height - h)
        colour = tuple(rng.randrange(40, 255) for _ in range(3))
        draw.rounded_rectangle((x, y, x + w, y + h), radius=h // 4, fill=colour)
        objects["car"].append((x, y, w, h))
    for _ in range(rng.randrange(0, 3)):
        w = rng.randrange(width // 30, width // 18)
        h = w * 3
        x, y = rng.randrange(0, width - w), rng.randrange(max(1, horizon - h), height - h)
        draw.ellipse((x, y, x + w, y + w), fill=(240, 200, 160))
        draw.rectangle((x, y + w, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
        objects["person"].append((x, y, w, h))
    if rng.random() < 0.6:
        size = rng.randrange(width // 14, width // 8)
        x, y = rng.randrange(size, width - size), rng.randrange(size, max(size + 1, horizon))
        triangle = [[x, y - size], [x + size, y + size // 2], [x - size, y + size // 2]]
        draw.polygon([tuple(p) for p in triangle], fill=(250, 200, 30))
        objects["sign"].append(triangle)
    image = image.filter(ImageFilter.SMOOTH)
    image.save(path, quality=88)
    return objects


def populate(client: Client, folder: Path) -> str:
    """Upload the scenes into a version with their annotations; return the version's id."""
    scenes = {}
    for index in range(SCENES):
        path = folder / f"street-{index:03d}.jpg"
        scenes[path.name] = draw_scene(path, seed=index)
    data = client.get_datalake().upload_data(sorted(folder.glob("*.jpg")))
    version = client.create_dataset("streets").create_version("v1")
    assets = version.add_data(data)
    labels = {name: version.create_label(name) for name in ("car", "person", "sign", "lane")}
    for asset in assets:
        objects = scenes[asset.filename]
        annotation = asset.create_annotation()
        boxes = [(*box, labels[name]) for name in ("car", "person") for box in objects[name]]
        if boxes:
            annotation.create_multiple_rectangles(boxes)
        for triangle in objects["sign"]:
            annotation.create_polygon(triangle, labels["sign"])
        for line in objects["lane"]:
            annotation.create_line(line, labels["lane"])
    assets[: SCENES * 2 // 3].add_tags("train")
    assets[SCENES * 2 // 3 :].add_tags("val")
    return str(version.id)


def main(output: Path) -> None:
    disable_progress_bars()
    with tempfile.TemporaryDirectory() as workspace_dir:
        settings = Settings(workspace=Path(workspace_dir) / "workspace")
        workspace = open_workspace(settings)
        _user, token = create_user(workspace.context, "alice", "acme")
        assert token is not None
        config = uvicorn_config(
            create_app(workspace.context), settings, host="127.0.0.1", port=0, log_level="warning"
        )
        server = uvicorn.Server(config)
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        try:
            images = Path(workspace_dir) / "images"
            images.mkdir()
            version_id = populate(Client(api_token=token, host=url), images)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{url}/#/versions/{version_id}")
                page.fill("#token", token)
                page.click("#signin-form button[type=submit]")
                page.wait_for_selector("#grid .thumb")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('#grid img')].every(i => i.complete)"
                )
                page.screenshot(path=str(output))
                browser.close()
        finally:
            server.should_exit = True
            workspace.close()
    print(f"wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)
