"""``pixlake split`` and ``pixlake diff``: cut a version into parts, compare two versions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pixlake.cli.options import client_from, client_options

if TYPE_CHECKING:
    from pixlake.schemas import SplitResult

__all__ = ["diff", "split"]


class _ManyValues(click.Option):
    """An option taking every value up to the next option: ``--ratios 0.8 0.1 0.1``.

    click options take a fixed number of values; this one hands each following argument
    that is not an option (a negative number still counts as a value) to click as one more
    occurrence of a ``multiple`` option, so click's own type conversion checks each.
    """

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is not None:
                option.process = self._greedy(option.process)

    @staticmethod
    def _greedy(process: Any) -> Any:
        def take_all(value: Any, state: Any) -> None:
            process(value, state)
            while state.rargs and not _is_option(state.rargs[0]):
                process(state.rargs.pop(0), state)

        return take_all


def _is_option(argument: str) -> bool:
    if not argument.startswith("-") or argument == "-":
        return False
    try:
        float(argument)
    except ValueError:
        return True
    return False


@click.command()
@click.argument("dataset")
@click.argument("version")
@click.option(
    "--ratios",
    cls=_ManyValues,
    type=float,
    multiple=True,
    required=True,
    help="A share per part, e.g. --ratios 0.8 0.1 0.1 (normalised to sum to 1).",
)
@click.option("--seed", default=None, help="Seed of the split (an integer or a text).")
@click.option(
    "--no-stratify", "no_stratify", is_flag=True, help="A plain random split of the assets."
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="An asset tag per part, in the order of --ratios (e.g. --tag train --tag val).",
)
@client_options
def split(
    dataset: str,
    version: str,
    ratios: tuple[float, ...],
    seed: str | None,
    no_stratify: bool,
    tags: tuple[str, ...],
    workspace: Path | None,
    host: str | None,
    token: str | None,
) -> None:
    """Split VERSION of DATASET into parts, stratified on labels unless --no-stratify.

    Prints, per part and label, the images and objects (shapes) it got and how far the
    part's share of the label's images is from its target share. With --tag, each part's
    assets get its tag (taken off the version's other assets).
    """
    from pixlake.sdk.curation import request_split

    _check_tags(tags, ratios)
    with client_from(workspace, host, token, reading=not tags) as client:
        found = client.get_dataset(dataset).get_version(version)
        result = request_split(
            found,
            list(ratios),
            random_seed=_seed(seed),
            stratify=not no_stratify,
            tag_names=list(tags) if tags else None,
        )
    click.echo(format_split(result))


def _check_tags(tags: tuple[str, ...], ratios: tuple[float, ...]) -> None:
    """One distinct ``--tag`` per part, checked here so that the message names the option
    (the SDK's names its argument, ``tag_names``)."""
    if not tags or len(ratios) < 2:
        # Too few ratios is the first thing wrong: the platform's refusal says so.
        return
    if len(tags) != len(ratios):
        raise click.BadParameter(
            f"{len(tags)} tag(s) for {len(ratios)} part(s): give one --tag per value of "
            "--ratios, in the same order",
            param_hint="--tag",
        )
    repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
    if repeated:
        raise click.BadParameter(
            f"{', '.join(map(repr, repeated))} is given twice: each part needs its own tag",
            param_hint="--tag",
        )


def _seed(seed: str | None) -> int | str | None:
    if seed is None:
        return None
    try:
        return int(seed)
    except ValueError:
        return seed


def format_split(result: SplitResult) -> str:
    """The split's report: a block per part, a row per label (images, objects, deviation of
    the part's share of the label's images from its target share)."""
    names = [label.name for label in result.labels]
    totals = {
        name: sum(part.images_per_label.get(name, 0) for part in result.parts) for name in names
    }
    size = sum(len(part.asset_ids) for part in result.parts)
    how = "stratified" if result.stratified else "random"
    lines = [f"{how} split of {size} assets, seed {result.random_seed!r}"]
    worst = 0.0
    for j, (part, ratio) in enumerate(zip(result.parts, result.ratios, strict=True)):
        title = f"part {j + 1}" + (f" ({part.tag})" if part.tag else "")
        lines.append(f"{title}: {len(part.asset_ids)} assets, target share {ratio:.3f}")
        rows = [("LABEL", "IMAGES", "OBJECTS", "SHARE", "DEVIATION")]
        for name in names:
            images = part.images_per_label.get(name, 0)
            share = images / totals[name] if totals[name] else 0.0
            deviation = share - ratio if totals[name] else 0.0
            worst = max(worst, abs(deviation))
            rows.append(
                (
                    name,
                    str(images),
                    str(part.objects_per_label.get(name, 0)),
                    f"{share:.3f}",
                    f"{deviation:+.3f}",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append(
                "  "
                + "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
    lines.append(f"worst deviation of a label's share from its target: {worst:.3f}")
    return "\n".join(lines)


@click.command()
@click.argument("dataset")
@click.argument("v1")
@click.argument("v2")
@client_options
def diff(
    dataset: str, v1: str, v2: str, workspace: Path | None, host: str | None, token: str | None
) -> None:
    """Print how version V2 of DATASET differs from V1: assets of one side only, assets
    whose shapes differ (per worker), labels of one side only, label counts."""
    with client_from(workspace, host, token, reading=True) as client:
        found = client.get_dataset(dataset)
        click.echo(str(found.get_version(v1).diff(found.get_version(v2))))
