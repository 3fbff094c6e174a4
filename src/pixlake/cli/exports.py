"""``pixlake export``: a dataset version as a training-ready COCO, YOLO or VOC folder."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import client_from, client_options
from pixlake.enums import AnnotationFileType

__all__ = ["FORMATS", "export"]

FORMATS = {
    "coco": AnnotationFileType.COCO,
    "yolo": AnnotationFileType.YOLO,
    "voc": AnnotationFileType.PASCAL_VOC,
}
"""The ``--format`` names of the CLI, for the SDK's AnnotationFileType."""


def parse_splits(values: tuple[str, ...]) -> dict[str, str] | None:
    """``NAME=TAG`` options as a mapping of split names to asset tag names."""
    if not values:
        return None
    splits: dict[str, str] = {}
    for value in values:
        name, equals, tag = value.partition("=")
        if not equals or not name or not tag:
            raise click.BadParameter(f"{value!r} is not NAME=TAG", param_hint="--split")
        if name in splits:
            raise click.BadParameter(f"split {name!r} is given twice", param_hint="--split")
        # One tag for two splits would write the same images into both: a leak from
        # training into evaluation that no one asks for on purpose.
        shared = [other for other, taken in splits.items() if taken == tag]
        if shared:
            raise click.BadParameter(
                f"tag {tag!r} is given for split {shared[0]!r} and split {name!r}: each "
                "split needs its own tag",
                param_hint="--split",
            )
        splits[name] = tag
    return splits


@click.command()
@click.argument("dataset")
@click.argument("version")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(FORMATS)),
    required=True,
    help="The layout to write.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write into, created if missing.",
)
@click.option(
    "--split",
    "splits",
    multiple=True,
    metavar="NAME=TAG",
    help="A split of the assets having asset tag TAG (repeatable); without it, every "
    "asset goes into one split named train.",
)
@click.option("--no-images", is_flag=True, help="Write the annotation files only.")
@client_options
def export(
    dataset: str,
    version: str,
    format_name: str,
    out: Path,
    splits: tuple[str, ...],
    no_images: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Export VERSION of DATASET into a training-ready folder (docs/formats.md).

    Images are written in parallel, each atomically; those already there with the same
    checksum are kept.
    """
    wanted = parse_splits(splits)
    with client_from(workspace, host, token, reading=True) as client:
        found = client.get_dataset(dataset).get_version(version)
        folder = found.export(out, FORMATS[format_name], splits=wanted, with_images=not no_images)
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    split_names = ", ".join(wanted) if wanted else "train"
    click.echo(
        f"exported version {version!r} of dataset {dataset!r} as {format_name} "
        f"(splits: {split_names}) to {folder}: {files} file(s)"
    )
