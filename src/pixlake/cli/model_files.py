"""``pixlake models push`` and ``pixlake models pull``: the files of a model version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pixlake.cli.options import client_from, client_options
from pixlake.errors import BadRequestError, ConflictError, NotFoundError

if TYPE_CHECKING:
    from pixlake import Client, ModelVersion

__all__ = ["parse_labels", "pull", "push"]


def parse_labels(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """``("0=cat", "1=dog")`` as ``{"0": "cat", "1": "dog"}``; None when none is given."""
    if not pairs:
        return None
    labels: dict[str, str] = {}
    for pair in pairs:
        index, sep, name = pair.partition("=")
        if not sep:
            raise BadRequestError(
                f"--label {pair!r}: write INDEX=NAME, such as 0=cat", details={"label": pair}
            )
        if not index.strip().isdigit():
            raise BadRequestError(
                f"--label {pair!r}: {index.strip()!r} is not a class index (0, 1, 2...)",
                details={"label": pair},
            )
        if not name.strip():
            raise BadRequestError(
                f"--label {pair!r}: the class has no name", details={"label": pair}
            )
        if index.strip() in labels:
            raise BadRequestError(
                f"--label {pair!r}: class {index.strip()} is given twice", details={"label": pair}
            )
        labels[index.strip()] = name
    return labels


def _version_of(
    client: Client,
    model_name: str,
    version: str | None,
    labels: dict[str, str] | None,
    file_names: list[str],
    replace: bool,
) -> tuple[ModelVersion, bool]:
    """The version to push to: ``version`` (a number or a name) when it exists, else a new
    one (named ``version`` when given); given labels are set on it.

    Names the version already holds are refused first (unless ``replace``), so that a
    refused push changes nothing: no new version, no new labels, no file of the others.
    """
    model = client.get_model(model_name)
    if version is not None:
        try:
            found = model.get_version(int(version) if version.isdigit() else version)
        except NotFoundError:
            pass
        else:
            if not replace:
                _refuse_taken_names(found, file_names, model_name)
            if labels is not None and found.labels != labels:
                found.update(labels=labels)
            return found, False
    return model.create_version(name=version, labels=labels), True


def _refuse_taken_names(found: ModelVersion, file_names: list[str], model_name: str) -> None:
    taken = sorted(set(file_names) & {file.name for file in found.list_files()})
    if taken:
        raise ConflictError(
            f"version {found.version} of model {model_name!r} has a file named "
            f"{', '.join(map(repr, taken))} already: pass --replace to replace it",
            details={"names": taken},
        )


def _file_names(paths: tuple[Path, ...]) -> list[str]:
    """Each path's name in the version, or a BadParameter for a missing path or a name
    given twice (two paths would be stored under one name)."""
    names: list[str] = []
    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"{path}: no such file or folder", param_hint="PATHS")
        if path.name in names:
            raise click.BadParameter(
                f"{path}: a file named {path.name!r} is given twice", param_hint="PATHS"
            )
        names.append(path.name)
    return names


@click.command()
@click.argument("model")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--version",
    default=None,
    help="Version number or name to push to; created when new (default: a new version).",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="INDEX=NAME",
    help="A class the model predicts, such as 0=cat (repeatable).",
)
@click.option("--replace", is_flag=True, help="Replace files of the same names.")
@client_options
def push(
    model: str,
    paths: tuple[Path, ...],
    version: str | None,
    labels: tuple[str, ...],
    replace: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Store files (weights, configs...) in a version of MODEL, each under its own name;
    a folder is stored as a zip."""
    wanted = parse_labels(labels)
    names = _file_names(paths)
    with client_from(workspace, host, token) as client:
        target, created = _version_of(client, model, version, wanted, names, replace)
        for path in paths:
            stored = target.store(path.name, path, do_zip=path.is_dir(), replace=replace)
            click.echo(f"stored {stored.name} ({stored.filename}, {stored.size} bytes)")
        said = "new version" if created else "version"
        click.echo(f"{len(paths)} file(s) in model {model!r}, {said} {target.version}")


@click.command()
@click.argument("model")
@click.argument("version")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write the files to.",
)
@click.option(
    "--force",
    "--force-replace",
    "force_replace",
    is_flag=True,
    help="Replace files already in the folder (--force, as for `pixlake download`).",
)
@client_options
def pull(
    model: str,
    version: str,
    out: Path,
    force_replace: bool,
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Download every file of VERSION (a number or a name) of MODEL into a folder, each
    checked against its checksum."""
    with client_from(workspace, host, token, reading=True) as client:
        found = client.get_model(model).get_version(int(version) if version.isdigit() else version)
        files = found.list_files()
        for file in files:
            file.download(out, force_replace=force_replace)
            click.echo(f"{out / file.filename}")
        click.echo(f"{len(files)} file(s) of model {model!r} version {found.version} in {out}")
