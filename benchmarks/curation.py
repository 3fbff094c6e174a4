"""Curation benchmark: queries (``q=``), a stratified split and a diff, on versions of
100,000 annotated assets, each next to a plain listing measured in the same run.

Embedded, and through a real ``pixlake serve`` subprocess on the same SQLite workspace
("server"), ``--modes``; parts ``--part query``, ``split``, ``diff`` (repeatable) or ``all``:

========================================================  ==================================
step                                                      baseline, target
========================================================  ==================================
query: selective ``v.list_assets(q='annotations.          ``v.list_assets(limit=M)``, M the
rectangles.label.name = "x" and width > 640')``           number the query lists; <= 1.5x
query: broad ``v.list_assets(q='annotations.count >= 1    the same, with its own M; <= 1.5x
and (tags.name is null or width >= 320)')``
query: ``v.count_assets(q=...)`` of each                  ``v.count_assets()``
query: ``v.retrieve_stats(q=<selective>)``                ``v.retrieve_stats()``
split: ``v.split_into_multi_assets([0.64, 0.16, 0.2])``   ``v.list_assets()``, all N; <= 2x
(stratified, and ``stratify=False``)
diff: ``v1.diff(v2)``, v2 a fork differing in 1% of its   ``v1.list_assets()`` and
assets (and ``--trashed`` assets in its trash)            ``v2.list_assets()``; "a few
                                                          seconds" (<= 5 s)
========================================================  ==================================

The workspaces are built once and kept in ``--cache`` (see ``curation_data.py``): the query
part's version (labels x, y, z; x on about one image in ten), and the split and diff parts'
v1 (8 labels on a long tail) with its changed fork v2.

Each step and its baseline run ``--runs`` times (3), in turn, so that both see the same
cache; the medians are shown. Besides the wall-clock time, each is also measured in CPU
seconds, this process's and (server mode) the server process's, a figure that the other
work of a shared machine disturbs much less. The split part also checks the partition and
prints the worst deviation of a label's image share from its part's ratio; the diff part
checks that it finds the changed and trashed assets.

    .venv/bin/python benchmarks/curation.py --part all --assets 100000 \\
        --cache /tmp/pixlake-bench-cache
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import render_table, sample_folder, serve_workspace
from curation_data import (
    CURATION_DATASET,
    LABELS,
    QUERY_DATASET,
    build_curation_workspace,
    build_query_workspace,
)

SELECTIVE = 'annotations.rectangles.label.name = "x" and width > 640'
BROAD = "annotations.count >= 1 and (tags.name is null or width >= 320)"
QUERY_TARGET = 1.5
RATIOS = [0.64, 0.16, 0.2]
SPLIT_TARGET = 2.0
DIFF_TARGET_SECONDS = 5.0
MODES = ("embedded", "server")
PARTS = ("query", "split", "diff")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Measuring


class Clock:
    """Wall-clock and CPU seconds: this process's CPU, plus the server's in server mode."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.server = None
        if server_pid is not None:
            import psutil

            self.server = psutil.Process(server_pid)

    def cpu(self) -> float:
        used = time.process_time()
        if self.server is not None:
            times = self.server.cpu_times()
            used += times.user + times.system
        return used


@dataclass
class Timed:
    result: Any
    wall: float
    cpu: float


def interleaved(clock: Clock, runs: int, **steps: Callable[[], Any]) -> dict[str, Timed]:
    """Each step ``runs`` times, the steps in turn; medians of wall and CPU seconds, and the
    last result of each."""
    walls: dict[str, list[float]] = {name: [] for name in steps}
    cpus: dict[str, list[float]] = {name: [] for name in steps}
    results: dict[str, Any] = {}
    for _ in range(runs):
        for name, step in steps.items():
            results.pop(name, None)  # the previous run's result is freed before this one
            cpu, started = clock.cpu(), time.perf_counter()
            results[name] = step()
            walls[name].append(time.perf_counter() - started)
            cpus[name].append(clock.cpu() - cpu)
    return {
        name: Timed(results[name], statistics.median(walls[name]), statistics.median(cpus[name]))
        for name in steps
    }


@dataclass
class Row:
    mode: str
    step: str
    items: int
    measured: Timed
    baseline: Timed
    target: float | None = None
    """The ratio the step must keep to, or None."""
    target_seconds: float | None = None

    def cells(self) -> list[str]:
        wall_ratio = self.measured.wall / self.baseline.wall
        cpu_ratio = self.measured.cpu / self.baseline.cpu if self.baseline.cpu else float("nan")
        if self.target is not None:
            target = f"<= {self.target:g}x: {'yes' if wall_ratio <= self.target else 'NO'}"
        elif self.target_seconds is not None:
            met = self.measured.wall <= self.target_seconds
            target = f"<= {self.target_seconds:g} s: {'yes' if met else 'NO'}"
        else:
            target = "-"
        return [
            self.mode,
            self.step,
            f"{self.items}",
            f"{self.measured.wall:.3f}",
            f"{self.baseline.wall:.3f}",
            f"{wall_ratio:.2f}x",
            f"{self.measured.cpu:.3f}",
            f"{self.baseline.cpu:.3f}",
            f"{cpu_ratio:.2f}x",
            target,
        ]


HEADER = [
    "mode",
    "step",
    "items",
    "s",
    "baseline s",
    "ratio",
    "cpu s",
    "baseline cpu s",
    "cpu ratio",
    "target",
]


# The parts


def query_part(client: Any, clock: Clock, mode: str, args: argparse.Namespace) -> list[Row]:
    version = client.get_dataset(QUERY_DATASET).get_version("v1")
    total = version.count_assets()
    assert total == args.assets, (total, args.assets)
    version.list_assets()  # warm the page cache once
    rows = []
    for name, q in (("selective", SELECTIVE), ("broad", BROAD)):
        matched = len(version.list_assets(q=q))
        listed = interleaved(
            clock,
            args.runs,
            query=lambda q=q: len(version.list_assets(q=q)),
            plain=lambda matched=matched: len(version.list_assets(limit=matched)),
        )
        assert listed["query"].result == matched == listed["plain"].result
        rows.append(
            Row(
                mode,
                f"{name} list_assets(q)",
                matched,
                listed["query"],
                listed["plain"],
                QUERY_TARGET,
            )
        )
        counted = interleaved(
            clock,
            args.runs,
            query=lambda q=q: version.count_assets(q=q),
            plain=version.count_assets,
        )
        assert counted["query"].result == matched and counted["plain"].result == total
        rows.append(
            Row(mode, f"{name} count_assets(q)", matched, counted["query"], counted["plain"])
        )
    stats = interleaved(
        clock,
        args.runs,
        query=lambda: version.retrieve_stats(q=SELECTIVE),
        plain=version.retrieve_stats,
    )
    kept = stats["query"].result.nb_assets
    rows.append(Row(mode, "selective retrieve_stats(q)", kept, stats["query"], stats["plain"]))
    return rows


def split_part(
    client: Any, clock: Clock, mode: str, args: argparse.Namespace, notes: list[str]
) -> list[Row]:
    version = client.get_dataset(CURATION_DATASET).get_version("v1")
    measured = interleaved(
        clock,
        args.runs,
        plain=lambda: len(version.list_assets()),
        stratified=lambda: _split_summary(version, stratify=True),
        random=lambda: _split_summary(version, stratify=False),
    )
    assert measured["plain"].result == args.assets
    for name in ("stratified", "random"):
        listed, distinct, counts = measured[name].result
        assert listed == distinct == args.assets, (name, listed, distinct)
        notes.append(
            f"{mode} {name} split: worst deviation of a label's image share from its "
            f"part's ratio {_worst_deviation(counts):.4f}"
        )
    return [
        Row(
            mode,
            f"{name} split {RATIOS}",
            args.assets,
            measured[name],
            measured["plain"],
            SPLIT_TARGET,
        )
        for name in ("stratified", "random")
    ]


def _split_summary(version: Any, *, stratify: bool) -> tuple[int, int, list[dict[str, int]]]:
    """The split's assets listed, distinct ones, and images per label of each part (the
    parts themselves are dropped inside the timed step, as a plain listing's assets are)."""
    parts, counts, _labels = version.split_into_multi_assets(
        RATIOS, random_seed=1, stratify=stratify
    )
    ids = [asset.id for part in parts for asset in part]
    return len(ids), len(set(ids)), counts


def _worst_deviation(counts: list[dict[str, int]]) -> float:
    worst = 0.0
    for name in LABELS:
        held = sum(part_counts[name] for part_counts in counts)
        for part_counts, ratio in zip(counts, RATIOS, strict=True):
            worst = max(worst, abs(part_counts[name] / held - ratio))
    return worst


def diff_part(
    client: Any, clock: Clock, mode: str, args: argparse.Namespace, built: dict[str, int]
) -> list[Row]:
    dataset = client.get_dataset(CURATION_DATASET)
    v1, v2 = dataset.get_version("v1"), dataset.get_version("v2")
    measured = interleaved(
        clock,
        args.runs,
        plain=lambda: len(v1.list_assets()) + len(v2.list_assets()),
        diff=lambda: v1.diff(v2),
    )
    diff = measured["diff"].result
    assert len(diff.changed) == built["changed"], (len(diff.changed), built["changed"])
    assert len(diff.only_in_self) == built["trashed"] and len(diff.only_in_other) == 0
    statuses = sum(
        1 for change in diff.changed for w in change.workers if w.status_before != w.status_after
    )
    assert statuses == built["changed"] // 3, (statuses, built["changed"])
    return [
        Row(
            mode,
            "diff of v1 and v2",
            len(diff.changed) + len(diff.only_in_self),
            measured["diff"],
            measured["plain"],
            target_seconds=DIFF_TARGET_SECONDS,
        )
    ]


# Workspaces and modes


def _kept_workspace(path: Path, build: Callable[[Path], dict[str, int]]) -> dict[str, int]:
    """The workspace at ``path``, built by ``build(staging)`` unless a complete one is
    there; returns what the build returned (kept next to it)."""
    counts_file = path.with_name(path.name + "-built.json")
    if (path / "pixlake.db").is_file() and counts_file.is_file():
        built = json.loads(counts_file.read_text())
        log(f"reusing {path}: {built}")
        return built
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    log(f"building {path} ...")
    started = time.perf_counter()
    built = build(staging)
    staging.rename(path)
    counts_file.write_text(json.dumps(built))
    log(f"  built in {time.perf_counter() - started:.1f} s: {built}")
    return built


@contextlib.contextmanager
def connected(mode: str, workspace: Path) -> Iterator[tuple[Any, Clock]]:
    """A client of ``workspace`` in ``mode``, with the clock that counts its CPU."""
    from pixlake import Client

    if mode == "embedded":
        with Client(workspace=workspace) as client:
            yield client, Clock()
        return
    with (
        serve_workspace(
            workspace, user=f"bench-{uuid.uuid4().hex[:8]}", sample_rss=False
        ) as served,
        Client(api_token=served.token, host=served.url) as client,
    ):
        yield client, Clock(served.process.pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part",
        choices=(*PARTS, "all"),
        action="append",
        help="query, split, diff or all (the default); may be repeated",
    )
    parser.add_argument("--modes", default=",".join(MODES), help="embedded,server")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--originals", type=int, default=100)
    parser.add_argument("--trashed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/pixlake-bench-cache"))
    args = parser.parse_args(argv)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = set(modes) - set(MODES)
    if unknown or not modes:
        parser.error(f"--modes takes embedded and/or server, not {sorted(unknown)}")
    parts = PARTS if not args.part or "all" in args.part else tuple(args.part)
    from pixlake import disable_progress_bars

    disable_progress_bars()
    folder = sample_folder(args.cache, args.originals, log=log)
    rows: list[Row] = []
    notes: list[str] = []
    if "query" in parts:
        workspace = args.cache / f"curation-query-{args.assets}"
        _kept_workspace(
            workspace, lambda staging: build_query_workspace(staging, folder, args.assets)
        )
        for mode in modes:
            log(f"query part, {mode}")
            with connected(mode, workspace) as (client, clock):
                rows += query_part(client, clock, mode, args)
    if "split" in parts or "diff" in parts:
        workspace = args.cache / f"curation-versions-{args.assets}-{args.trashed}"
        built = _kept_workspace(
            workspace,
            lambda staging: build_curation_workspace(staging, folder, args.assets, args.trashed),
        )
        notes.append(
            f"split/diff versions: {args.assets} assets, {built['shapes']} rectangles, "
            f"{len(LABELS)} labels; v2 with {built['changed']} assets changed and "
            f"{built['trashed']} trashed"
        )
        for mode in modes:
            with connected(mode, workspace) as (client, clock):
                if "split" in parts:
                    log(f"split part, {mode}")
                    rows += split_part(client, clock, mode, args, notes)
                if "diff" in parts:
                    log(f"diff part, {mode}")
                    rows += diff_part(client, clock, mode, args, built)
    print(f"\nCuration on versions of {args.assets} assets (SQLite), median of {args.runs}")
    print(render_table(HEADER, [row.cells() for row in rows]))
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
