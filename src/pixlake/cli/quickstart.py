"""``pixlake quickstart``: ingest generated sample images into a workspace and report."""

from __future__ import annotations

import time
from pathlib import Path

import click

from pixlake.cli.options import workspace_option


@click.command()
@workspace_option
@click.option("--count", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many sample images to generate.")
@click.option("--samples", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the sample images (default: WORKSPACE/samples).")
def quickstart(workspace: Path | None, count: int, samples: Path | None) -> None:
    """Generate sample images, upload them, tag, split and download, and say what happened."""
    from pixlake import Client, Target
    from pixlake.samples import make_images
    from pixlake.settings import Settings

    # Always embedded, even where PIXLAKE_HOST points at a server: this shows the default.
    with Client(workspace=workspace or Settings().workspace_dir) as client:
        lake = client.get_datalake()
        folder = samples or client.workspace / "samples"
        existing = sorted(folder.glob("sample_*.jpg")) if folder.is_dir() else []
        if len(existing) < count:
            click.echo(f"generating {count} sample images in {folder} ...")
            existing = make_images(folder, count)
        started = time.perf_counter()
        uploaded = lake.upload_data(existing[:count], tags=["quickstart"])
        elapsed = time.perf_counter() - started
        click.echo(f"uploaded {len(uploaded)} images into datalake {lake.name!r} "
                   f"in {elapsed:.2f} s ({len(uploaded) / elapsed:.0f} files/s)")
        train, val = uploaded.split(0.8)
        for name, part in (("train", train), ("val", val)):
            tag = _get_or_create_tag(client, name, Target.DATA)
            part.add_tags(tag)
            click.echo(f"tagged {len(part)} images {name!r}")
        sizes = sorted({(d.width, d.height) for d in uploaded})
        click.echo("image sizes: " + ", ".join(f"{w}x{h}" for w, h in sizes))
        total = len(lake.list_data())
        click.echo(f"datalake {lake.name!r} now holds {total} data")
        target = folder.parent / "downloads"
        val.download(target)


def _get_or_create_tag(client, name, target):
    from pixlake.errors import NotFoundError

    try:
        return client.get_tag(name, target)
    except NotFoundError:
        return client.create_tag(name, target)
