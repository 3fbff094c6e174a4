"""Start-up benchmark: how long pixlake makes a user wait before it does anything.

Each figure is a whole process, started afresh (``subprocess``), timed from the fork to
its exit, next to a bare ``python -c pass`` of the same interpreter measured in the same
rounds: rounds run every command once in turn, so the machine's noise spreads over all of
them alike, after one unmeasured warm-up run of each. Each row prints the minimum and the
median wall time over ``--runs`` rounds (default 7), the median above bare Python, and the
median CPU time (user + system) of the process, alone and above bare Python's: on a shared
machine, wall times swing with the load and CPU times much less. The bytecode cache is on,
in the run's temporary folder, as for an installed package (see ``_common.child_env``).

=============================================  ======================================
process                                        target (median, above bare Python)
=============================================  ======================================
``python -c "import pixlake"``                 <= 100 ms
``pixlake --help``                             <= 150 ms
``pixlake <command> [<sub>] --help``, each     <= 150 ms (one row each, slowest first)
``Client(workspace=W)`` on an existing one     <= 200 ms for the call itself
``pixlake ls --workspace W [default]``         <= 400 ms, the whole process
=============================================  ======================================

The ``Client()`` row times the call inside the child (``time.perf_counter`` around it,
after ``from pixlake import Client``), since the issue counts it on top of the import; the
whole process is printed too. The workspace is made once, before the rounds, with
``--data`` pictures (default 50) uploaded to its default datalake, so ``pixlake ls
default`` lists real rows.

``--why`` also prints the modules that ``import pixlake``, the ``Client()`` and
``pixlake --help`` load that take longest (``python -X importtime``, cumulative).

    .venv/bin/python benchmarks/startup.py --runs 7

To compare with another checkout in the same way, run it with that checkout's sources
first on the path: ``PYTHONPATH=/path/to/other/src .venv/bin/python benchmarks/startup.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import PIXLAKE_CLI, child_env, render_table, sample_folder

DEFAULT_CACHE = Path("/tmp/pixlake-bench-cache")
IMPORT_TARGET_MS = 100.0
HELP_TARGET_MS = 150.0
CLIENT_TARGET_MS = 200.0
LS_TARGET_MS = 400.0

# The child prints how long Client() took in it, after the import, on its last line.
_CLIENT_SCRIPT = """\
import sys, time
from pixlake import Client
started = time.perf_counter()
Client(workspace=sys.argv[1]).close()
print(f"{(time.perf_counter() - started) * 1000:.3f}")
"""


@dataclass
class Probe:
    """One process to time, and what it is checked against."""

    name: str
    argv: list[str]
    target_ms: float | None = None
    inner: bool = False
    whole: bool = False
    """Checked on the whole process's wall time, not on its part above bare Python."""
    """The child prints its own figure (ms) on its last line; that one is checked."""
    totals: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    """CPU time (user + system) of the whole process, ms: what a busy machine inflates least."""
    inners: list[float] = field(default_factory=list)


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _run_once(probe: Probe, env: dict[str, str]) -> None:
    cpu_before = _children_cpu_ms()
    started = time.perf_counter()
    done = subprocess.run(probe.argv, capture_output=True, text=True, env=env, timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    probe.cpus.append(_children_cpu_ms() - cpu_before)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(probe.argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    probe.totals.append(elapsed)
    if probe.inner:
        probe.inners.append(float(done.stdout.strip().splitlines()[-1]))


def _warm_up(probe: Probe, env: dict[str, str]) -> None:
    """One unmeasured run: it fills the bytecode cache and the page cache."""
    subprocess.run(probe.argv, capture_output=True, env=env, timeout=120, check=True)


def _help_commands() -> list[list[str]]:
    """Every command path of the CLI (``["users", "create"]``...), groups included."""
    import click

    from pixlake.cli.main import cli

    paths: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        for name in sorted(group.commands):
            command = group.commands[name]
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(cli, [])
    return paths


def _make_workspace(root: Path, cache: Path, count: int) -> Path:
    """A workspace with ``count`` pictures in its default datalake, made by the SDK."""
    from pixlake import Client, disable_progress_bars

    disable_progress_bars()
    workspace = root / "workspace"
    folder = sample_folder(cache, count)
    with Client(workspace=workspace) as client:
        client.get_datalake().upload_data(sorted(folder.glob("sample_*.jpg")))
    return workspace


def _ms(value: float) -> str:
    return f"{value:.0f}"


def _importtime(argv: list[str], env: dict[str, str], top: int) -> str:
    """The ``top`` slowest imports (cumulative) of ``argv`` under ``-X importtime``."""
    done = subprocess.run(
        argv, capture_output=True, text=True, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}
    )
    rows = []
    for line in done.stderr.splitlines():
        # "import time:   self [us] | cumulative | imported package"
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative_us, name = line.split(":", 1)[1].split("|")
        rows.append((int(cumulative_us), name.strip()))
    rows.sort(reverse=True)
    lines = [f"  {cumulative / 1000:7.1f} ms  {name}" for cumulative, name in rows[:top]]
    return "\n".join(lines)


HEADER = [
    "process",
    "wall min",
    "wall median",
    "above bare",
    "cpu median",
    "cpu above bare",
    "target",
    "met",
]


def _rows(probe: Probe, bare: Probe) -> list[list[str]]:
    """The table rows of one probe, its figures next to bare Python's (ms)."""
    wall = statistics.median(probe.totals)
    cpu = statistics.median(probe.cpus)
    figures = [_ms(min(probe.totals)), _ms(wall)]
    if probe is bare:
        return [[probe.name, *figures, "", _ms(cpu), "", "", ""]]
    above = wall - statistics.median(bare.totals)
    figures += [_ms(above), _ms(cpu), _ms(cpu - statistics.median(bare.cpus))]
    if probe.target_ms is None:
        return [[probe.name, *figures, "", ""]]
    if probe.inner:
        inner = statistics.median(probe.inners)
        return [
            [probe.name, *figures, "", ""],
            [
                "  of which the call itself",
                _ms(min(probe.inners)),
                _ms(inner),
                "",
                "",
                "",
                f"<= {probe.target_ms:.0f}",
                _met(inner, probe.target_ms),
            ],
        ]
    checked, how = (wall, " whole") if probe.whole else (above, "")
    return [
        [probe.name, *figures, f"<= {probe.target_ms:.0f}{how}", _met(checked, probe.target_ms)]
    ]


def _met(value: float, target: float) -> str:
    return "yes" if value <= target else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="Rounds of every process.")
    parser.add_argument("--data", type=int, default=50, help="Pictures in the workspace.")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--all-help",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Time every subcommand's --help too (the longest part of the run).",
    )
    parser.add_argument("--why", action="store_true", help="Print the slowest imports.")
    args = parser.parse_args()

    python = sys.executable
    cli = str(PIXLAKE_CLI)
    with tempfile.TemporaryDirectory(prefix="pixlake-startup-") as tmp:
        # A cache of this run's own, filled by the warm-up runs: no round compiles.
        env = child_env(PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        workspace = str(_make_workspace(Path(tmp), args.cache, args.data))
        bare = Probe("python -c pass (bare)", [python, "-c", "pass"])
        probes = [
            bare,
            Probe("import pixlake", [python, "-c", "import pixlake"], IMPORT_TARGET_MS),
            Probe("from pixlake import Client", [python, "-c", "from pixlake import Client"]),
            Probe(
                "every public name of pixlake",
                [python, "-c", "import pixlake; [getattr(pixlake, n) for n in pixlake.__all__]"],
            ),
            Probe("pixlake --help", [cli, "--help"], HELP_TARGET_MS),
            Probe(
                "from pixlake import Client; Client(workspace=W)",
                [python, "-c", _CLIENT_SCRIPT, workspace],
                CLIENT_TARGET_MS,
                inner=True,
            ),
            Probe("pixlake ls", [cli, "ls", "--workspace", workspace], LS_TARGET_MS, whole=True),
            Probe(
                "pixlake ls default",
                [cli, "ls", "default", "--workspace", workspace],
                LS_TARGET_MS,
                whole=True,
            ),
        ]
        helps = (
            [
                Probe(f"pixlake {' '.join(path)} --help", [cli, *path, "--help"], HELP_TARGET_MS)
                for path in _help_commands()
            ]
            if args.all_help
            else []
        )
        print(
            f"{args.runs} rounds of {len(probes) + len(helps)} processes, "
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
        )
        for probe in [*probes, *helps]:
            _warm_up(probe, env)
        for _ in range(args.runs):
            for probe in [*probes, *helps]:
                _run_once(probe, env)

        bare_wall = statistics.median(bare.totals)
        bare_cpu = statistics.median(bare.cpus)
        print()
        print(
            f"bare python: wall min {min(bare.totals):.0f} ms, median {bare_wall:.0f} ms; "
            f"cpu median {bare_cpu:.0f} ms"
        )
        print(render_table(HEADER, [row for probe in probes for row in _rows(probe, bare)]))
        if helps:
            print()
            ordered = sorted(helps, key=lambda probe: -statistics.median(probe.totals))
            print(render_table(HEADER, [row for probe in ordered for row in _rows(probe, bare)]))

        if args.why:
            for title, argv in [
                ("import pixlake", [python, "-c", "import pixlake"]),
                ("import pixlake + Client()", [python, "-c", _CLIENT_SCRIPT, workspace]),
                ("pixlake --help", [cli, "--help"]),
            ]:
                print(f"\nslowest imports of {title} (cumulative):")
                print(_importtime(argv, env, 15))


if __name__ == "__main__":
    main()
