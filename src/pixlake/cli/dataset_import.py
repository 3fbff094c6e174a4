"""``pixlake import``: a COCO, YOLO or Pascal VOC dataset folder as a new dataset version."""

from __future__ import annotations

from pathlib import Path

import click

from pixlake.cli.options import client_from, client_options
from pixlake.enums import AnnotationFileType
from pixlake.errors import BadRequestError

__all__ = ["import_dataset"]

FORMATS = {
    "coco": AnnotationFileType.COCO,
    "yolo": AnnotationFileType.YOLO,
    "voc": AnnotationFileType.PASCAL_VOC,
}


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(sorted(FORMATS), case_sensitive=False),
    default=None,
    help="The dataset's layout (docs/import.md); by default, told by the names at the "
    "dataset's top (annotations/ or a .json: coco; data.yaml or labels/: yolo; "
    "Annotations/: voc).",
)
@click.option("--dataset", "dataset_name", required=True, help="Dataset to import into.")
@click.option(
    "--version", "version_name", default="initial", show_default=True, help="Version to create."
)
@click.option("--datalake", default=None, help="Datalake of the images (default: the default one).")
@client_options
def import_dataset(
    path: Path,
    file_format: str | None,
    dataset_name: str,
    version_name: str,
    datalake: str | None,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Import the dataset at PATH (a folder, a zip of one, or a COCO .json beside its
    images): upload its images, create the dataset version, its labels and annotations,
    and tag each asset with its split."""
    if file_format is None:
        # Imported here, as every command loads only constants to parse its arguments.
        from pixlake.sdk.layout_detection import detect_annotation_format

        try:
            file_type, mark = detect_annotation_format(path)
        except BadRequestError as undecided:
            raise click.UsageError(f"{undecided} with --format (coco, yolo or voc)") from None
        click.echo(f"reading {path} as {file_type.value} (it holds {mark})", err=True)
    else:
        file_type = FORMATS[file_format.lower()]
    with client_from(workspace, host, token) as client:
        version = client.import_dataset(path, file_type, dataset_name, version_name, datalake)
        stats = version.retrieve_stats()
        splits = ", ".join(
            f"{name} {count}" for name, count in sorted(stats.tag_repartition.items())
        )
        click.echo(
            f"imported {stats.nb_assets} assets ({splits or 'no split'}), "
            f"{stats.nb_annotations} annotations, {stats.nb_objects} shapes and "
            f"{len(stats.label_repartition)} labels into dataset {dataset_name!r}, "
            f"version {version.version!r} ({version.type.value})"
        )
