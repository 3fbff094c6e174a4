"""``pixlake quickstart``: ingest generated sample images into a workspace and report."""

from __future__ import annotations

import time
from pathlib import Path

import click

from pixlake.cli.options import settings_for, workspace_option


@click.command()
@workspace_option
@click.option(
    "--count",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many sample images to generate.",
)
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the sample images (default: WORKSPACE/samples).",
)
def quickstart(workspace: Path | None, count: int, samples: Path | None) -> None:
    """Generate sample images, upload them, tag, split and download, and say what happened.

    Run again, it uploads the same images: they are stored once, and it says how many were
    new.
    """
    from pixlake import Client, MultiData, Target
    from pixlake.progress import progress
    from pixlake.samples import make_images

    # Always embedded, even where PIXLAKE_HOST points at a server: this shows the default.
    workspace_dir = settings_for(workspace).workspace_dir
    with Client(workspace=workspace_dir) as client:
        lake = client.get_datalake()
        folder = samples or workspace_dir / "samples"
        existing = sorted(folder.glob("sample_*.jpg")) if folder.is_dir() else []
        if len(existing) < count:
            click.echo(f"generating {count} sample images in {folder} ...")
            bar = progress(count, "Generating", unit="image")
            try:
                existing = make_images(folder, count, on_image=lambda _path: bar.update(1))
            finally:
                bar.close()
        before = len(lake.list_data())
        started = time.perf_counter()
        uploaded = lake.upload_data(existing[:count], tags=["quickstart"])
        elapsed = time.perf_counter() - started
        assert isinstance(uploaded, MultiData)  # a list of paths gives a MultiData
        total = len(lake.list_data())
        # Content-addressed: images already stored come back as the data they already are.
        new = total - before
        click.echo(
            f"uploaded {len(uploaded)} images into datalake {lake.name!r} "
            f"in {elapsed:.2f} s ({len(uploaded) / elapsed:.0f} files/s): "
            f"{new} new, {len(uploaded) - new} already there"
        )
        train, val = uploaded.split(0.8)
        for name, part in (("train", train), ("val", val)):
            part.add_tags(client.get_or_create_tag(name, Target.DATA))
            click.echo(f"tagged {len(part)} images {name!r}")
        sizes = sorted({(d.width, d.height) for d in uploaded})
        click.echo("image sizes: " + ", ".join(f"{w}x{h}" for w, h in sizes))
        click.echo(f"datalake {lake.name!r} now holds {total} data")
        target = folder.parent / "downloads"
        written = val.download(target)
        click.echo(
            f"downloaded {written} 'val' images to {target}"
            + ("" if written == len(val) else f" ({len(val) - written} already there, kept)")
        )
