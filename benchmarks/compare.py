"""Every benchmark of this folder before and after a change, in one table.

    python benchmarks/compare.py                  # before: fe9cd57, after: this tree
    python benchmarks/compare.py --before REF --only startup,ingest

The ``--before`` ref is checked out into a temporary git worktree; its benchmarks run with
``PYTHONPATH`` on that tree's ``src`` (ahead of this tree's editable install, so its server
and CLI processes, which inherit the variable, are that code too), this tree's with its
own. Each benchmark runs at the small size of ``SIZES`` (the whole comparison in about
20 minutes on two cores), before and after in turn, one script after the other, so that a
change of the machine's load falls on both columns alike. A script that is missing from
the before tree or fails there (its flags may differ) is run again from this tree on the
before code, which the table's footnote names; one that still fails or runs over
``--timeout`` gives "n/a" for that column.

Figures are read from the tables the scripts print (``_common.render_table``): a figure is
"table column / row" and its value the cell. The ratio is after / before of the cells'
first numbers; which way is better depends on the figure (seconds down, files/s up).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import child_env, render_table

HERE = Path(__file__).resolve().parent
AFTER_TREE = HERE.parent

# The default before: the commit that precedes the first of issue 16's speed changes on
# the main line (the SQL of label queries, warm thumbnails, startup, ingest and listing
# all came after it), so the two columns show what that work changed.
DEFAULT_BEFORE = "fe9cd57"

# A small size for each script: what it measures is unchanged, only how much of it.
SIZES: dict[str, list[str]] = {
    "startup.py": ["--runs", "3", "--data", "20"],
    "ingest.py": [
        "--files", "200", "--rss-files", "100,200", "--repeat", "1", "--modes", "embedded,server",
    ],
    "assets.py": [
        "--assets", "5000", "--rectangles", "5000", "--originals", "100",
        "--annotations", "50", "--delete", "500", "--modes", "embedded,server",
    ],
    "curation.py": ["--assets", "5000", "--originals", "20", "--trashed", "20", "--runs", "1"],
    "formats.py": ["--assets", "2000", "--shapes-per-asset", "3"],
    "formats_import.py": ["--assets", "2000", "--per-image", "3", "--modes", "embedded"],
    "image_bomb.py": ["--size", "4000", "--count", "4"],
    "models.py": ["--size-mib", "32", "--rounds", "1", "--skip", "pg-s3"],
    "picsellia_compat.py": ["--uploads", "100", "--assets", "1000", "--runs", "1"],
    "scale.py": ["--sizes", "2000", "--backends", "sqlite"],
    "webapp.py": ["--assets", "2000", "--originals", "20", "--thumbnails", "10", "--repeats", "2"],
}  # fmt: skip

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def benchmark_scripts() -> list[str]:
    """The runnable scripts of this folder (modules starting with _ are shared code)."""
    names = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))
    return [name for name in names if name not in {"compare.py", "curation_data.py"}]


def run_script(tree: Path, name: str, timeout: float, scripts: Path | None = None) -> str | None:
    """The stdout of ``name`` run on the code of ``tree`` at its small size, or None when it
    cannot. The script is ``tree``'s own, or that of the ``scripts`` tree when given."""
    script = (scripts or tree) / "benchmarks" / name
    if not script.exists():
        print(f"  {name}: not in {tree}", file=sys.stderr)
        return None
    # Both trees' scripts and their children keep their compiled modules (child_env), as
    # an installed package does, whatever the before tree's own _common does.
    env = child_env(PYTHONPATH=str(tree / "src"))
    try:
        done = subprocess.run(
            [sys.executable, str(script), *SIZES.get(name, [])],
            cwd=scripts or tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"  {name} in {tree}: over {timeout:.0f} s", file=sys.stderr)
        return None
    if done.returncode != 0:
        tail = "\n    ".join(done.stderr.strip().splitlines()[-3:])
        print(f"  {name} in {tree}: exit {done.returncode}\n    {tail}", file=sys.stderr)
        return None
    return done.stdout


def figures(output: str | None) -> dict[str, str]:
    """The cells of the tables in ``output``, keyed "column / row"."""
    found: dict[str, str] = {}
    lines = (output or "").splitlines()
    for index in range(1, len(lines)):
        if not re.fullmatch(r"-+(?:-\+-+)+", lines[index].strip()):
            continue
        header = [cell.strip() for cell in lines[index - 1].split(" | ")]
        for row_line in lines[index + 1 :]:
            if " | " not in row_line:
                break
            row = [cell.strip() for cell in row_line.split(" | ")]
            for column, cell in zip(header[1:], row[1:], strict=False):
                if NUMBER.search(cell):
                    found.setdefault(f"{column} / {row[0]}", cell)
    return found


def ratio(before: str, after: str) -> str:
    b, a = NUMBER.search(before), NUMBER.search(after)
    if b is None or a is None or float(b.group()) == 0:
        return "n/a"
    return f"{float(a.group()) / float(b.group()):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git ref of the before column")
    parser.add_argument("--only", default="", help="comma-separated scripts, e.g. startup,ingest")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per script and tree")
    args = parser.parse_args()
    names = benchmark_scripts()
    if args.only:
        wanted = {f"{n.removesuffix('.py')}.py" for n in args.only.split(",")}
        names = [name for name in names if name in wanted]

    started = time.perf_counter()
    rows: list[tuple[str, str, str, str, str]] = []
    borrowed: list[str] = []  # scripts whose before column ran this tree's script
    with tempfile.TemporaryDirectory(prefix="pixlake-compare-") as scratch:
        before_tree = Path(scratch) / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before_tree), args.before],
            cwd=AFTER_TREE,
            check=True,
            capture_output=True,
        )
        try:
            for name in names:
                print(f"{name}: before, then after", file=sys.stderr, flush=True)
                before_output = run_script(before_tree, name, args.timeout)
                if before_output is None:
                    # Missing there, or refusing this tree's flags: this tree's script on
                    # the before code, so that every benchmark has its two columns.
                    print(f"  {name}: this tree's script on the before code", file=sys.stderr)
                    before_output = run_script(before_tree, name, args.timeout, AFTER_TREE)
                    if before_output is not None:
                        borrowed.append(name)
                before = figures(before_output)
                after = figures(run_script(AFTER_TREE, name, args.timeout))
                for figure in list(after) + [f for f in before if f not in after]:
                    b, a = before.get(figure, "n/a"), after.get(figure, "n/a")
                    rows.append((name, figure, b, a, ratio(b, a)))
                if not before and not after:
                    rows.append((name, "(no figures)", "n/a", "n/a", "n/a"))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(before_tree)],
                cwd=AFTER_TREE,
                check=False,
            )

    load = os.getloadavg()
    print(f"\nbefore: {args.before}, after: the working tree; load average {load[0]:.1f}")
    print(render_table(["benchmark", "figure", "before", "after", "after/before"], rows))
    if borrowed:
        print(f"before column of {', '.join(borrowed)}: this tree's script on the before code")
    print(f"\nTotal run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
