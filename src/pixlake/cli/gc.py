"""``pixlake gc``: removing what crashed uploads left behind."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pixlake.cli.options import require_workspace_database, settings_for, workspace_option

if TYPE_CHECKING:
    from pixlake.core.services.orphans import SweepReport

__all__ = ["echo_sweep", "gc"]


@click.command()
@workspace_option
def gc(workspace: Path | None) -> None:
    """Remove crash residue: staging files, stored objects that no data names, and
    unfinished uploads to a bucket, once older than PIXLAKE_ORPHAN_GRACE_HOURS (24 by
    default; anything younger may belong to an upload still in flight).

    Prints how many of each were removed, and their bytes. Safe to run while servers run.
    """
    from pixlake.core.services.orphans import sweep_orphans
    from pixlake.core.workspace import open_workspace

    require_workspace_database(workspace)
    opened = open_workspace(settings_for(workspace), sweep=False)
    try:
        report = sweep_orphans(opened.context)
    finally:
        opened.close()
    echo_sweep(report)


def echo_sweep(report: SweepReport, *, err: bool = False) -> None:
    """Print what a sweep removed, one line per kind of residue."""
    for what, removed in (
        ("staging file(s)", report.staging_files),
        ("orphaned object(s)", report.objects),
        ("unfinished upload(s)", report.unfinished_uploads),
    ):
        click.echo(f"removed {removed.count} {what}, {removed.bytes:,} bytes", err=err)
    if report.foreign_objects:
        click.echo(
            f"left {report.foreign_objects} object(s) whose names pixlake does not give", err=err
        )
