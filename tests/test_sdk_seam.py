"""The seam between the SDK and the application (issue 10 item 3).

``pixlake.sdk`` imports nothing of the server, so a client machine of a team server runs on
the SDK's own packages: the README's SDK-only recipe is read here, checked against
pyproject's pins, and proved enough by a real interpreter that has nothing else.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from pixlake import Client
from pixlake.errors import BadRequestError
from pixlake.sdk.client import Client as SdkClient
from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

APPLICATION_MODULES = (
    "pixlake.server",
    "pixlake.core",
    "pixlake.storage",
    "pixlake.embedded",
    "pixlake.settings",
    "pixlake.cli",
    "pixlake.migrations",
)
"""What the SDK must never import: the application and what only it needs."""

SERVER_PACKAGES = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "boto3",
    "botocore",
    "uvicorn",
    "a2wsgi",
    "pydantic_settings",
    "click",
    "av",
    "PIL",
)
"""Packages of the complete install that an SDK-only machine goes without."""

OPTIONAL_PROBES = {"PIL", "av"}
"""Imported by ``pixlake.media`` only when present; the SDK's preflight does without."""


def sdk_only_requirements() -> list[Requirement]:
    """The requirements of the README's SDK-only recipe (the ``pip install`` line above
    ``pip install --no-deps pixlake``)."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- sdk-only-install -->\n```bash\n(?P<lines>.*?)```", readme, re.DOTALL)
    assert block is not None, "README.md lost its SDK-only install block"
    first, second = block["lines"].strip().splitlines()
    assert second == "pip install --no-deps pixlake"
    assert first.startswith("pip install ")
    return [Requirement(word.strip('"')) for word in first.split()[2:]]


def distribution_closure(requirements: list[Requirement]) -> set[str]:
    """The installed distributions these requirements pull in, transitively."""
    seen: set[str] = set()
    todo = [r for r in requirements]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        dist = metadata.distribution(requirement.name)
        name = dist.metadata["Name"].lower()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(Requirement(line) for line in dist.requires or [])
    return seen


def link_distributions(names: set[str], into: Path) -> None:
    """Symlink every top-level entry of these distributions' files into ``into``."""
    into.mkdir()
    for name in names:
        dist = metadata.distribution(name)
        for top in {Path(str(file)).parts[0] for file in dist.files or []}:
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (into / top).exists():
                (into / top).symlink_to(source)


def run_isolated(script: str, paths: list[Path], *args: str) -> dict:
    """Run ``script`` in this interpreter with no site-packages at all (``-I -S``) and
    only ``paths`` before the standard library; returns the JSON it prints last."""
    prelude = "import sys; sys.path[:0] = sys.argv[1].split(':'); del sys.argv[1]\n"
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            prelude + textwrap.dedent(script),
            ":".join(str(p) for p in paths),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PIXLAKE_DISABLE_PROGRESS_BARS": "1"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sdk_only_recipe_matches_pyproject_pins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pinned = {
        Requirement(line).name: str(Requirement(line).specifier)
        for line in pyproject["project"]["dependencies"]
    }
    recipe = sdk_only_requirements()
    assert sorted(r.name for r in recipe) == ["httpx", "orjson", "pydantic", "tqdm"]
    assert {r.name: str(r.specifier) for r in recipe} == {r.name: pinned[r.name] for r in recipe}


def imported_names(tree: ast.AST) -> list[str]:
    """The absolute module names ``tree`` imports (``from a import b`` gives a and a.b)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def is_within(name: str, packages: tuple[str, ...]) -> bool:
    """Whether module ``name`` is one of ``packages`` or inside one."""
    return any(name == p or name.startswith(p + ".") for p in packages)


def module_source(module: str) -> Path | None:
    path = SRC / Path(*module.split("."))
    if path.is_dir():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else None


def test_sdk_imports_nothing_of_the_application() -> None:
    """Every import of every SDK module, at the top or inside a function, followed through
    pixlake's own modules: none is of the application, and the packages reached are the
    recipe's (and the optional probes of ``pixlake.media``)."""
    allowed = {r.name for r in sdk_only_requirements()}
    reached: dict[str, set[str]] = {}  # module -> third-party packages it imports
    todo = [f"pixlake.sdk.{p.stem}" for p in (SRC / "pixlake" / "sdk").glob("*.py")]
    found_application: list[tuple[str, str]] = []
    while todo:
        module = todo.pop()
        source = module_source(module)
        if module in reached or source is None:
            continue
        reached[module] = set()
        for name in imported_names(ast.parse(source.read_text())):
            if is_within(name, (*APPLICATION_MODULES, "pixlake.client")):
                found_application.append((module, name))
            elif name.startswith("pixlake."):
                todo.append(name)
            elif name != "pixlake" and name.split(".")[0] not in sys.stdlib_module_names:
                reached[module].add(name.split(".")[0])
    assert found_application == []
    third_party = set().union(*reached.values())
    assert third_party - allowed - OPTIONAL_PROBES == set()
    assert {m for m, names in reached.items() if names & OPTIONAL_PROBES} == {"pixlake.media"}


def test_top_level_client_defers_the_embedded_import() -> None:
    """``pixlake`` and ``pixlake.client`` import the application only inside the function
    that opens a workspace, so ``import pixlake`` works on the SDK alone."""
    for module in ("pixlake", "pixlake.client"):
        tree = ast.parse(module_source(module).read_text())
        at_top = imported_names(
            ast.Module(
                body=[n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)],
                type_ignores=[],
            )
        )
        assert [n for n in at_top if is_within(n, APPLICATION_MODULES)] == []
    everywhere = imported_names(ast.parse(module_source("pixlake.client").read_text()))
    assert "pixlake.embedded" in everywhere


def test_importing_the_sdk_and_connecting_to_a_server_loads_no_application_module(
    live_server: LiveServer,
) -> None:
    _name, token = live_server.new_user()
    script = """
        import importlib, json, pkgutil, sys
        import pixlake.sdk
        for info in pkgutil.iter_modules(pixlake.sdk.__path__, "pixlake.sdk."):
            importlib.import_module(info.name)
        watched = sys.argv[3].split(",")
        loaded = lambda: sorted(m for m in sys.modules
                                if any(m == w or m.startswith(w + ".") for w in watched))
        after_import = loaded()
        from pixlake import Client
        with Client(api_token=sys.argv[1], host=sys.argv[2]) as client:
            names = [lake.name for lake in client.list_datalakes()]
        print(json.dumps({"after_import": after_import, "after_requests": loaded(),
                          "datalakes": names}))
    """
    # httpx imports click for its own command line when it finds it: not pixlake's doing.
    watched = ",".join((*APPLICATION_MODULES, *(p for p in SERVER_PACKAGES if p != "click")))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), token, live_server.url, watched],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"after_import": [], "after_requests": [], "datalakes": ["default"]}


@pytest.fixture(scope="module")
def sdk_only_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only the distributions of the README's SDK-only recipe (and what
    they require), linked from this environment."""
    folder = tmp_path_factory.mktemp("sdk-only") / "site"
    link_distributions(distribution_closure(sdk_only_requirements()), folder)
    return folder


def test_sdk_alone_uploads_lists_and_downloads_from_a_server(
    live_server: LiveServer, sdk_only_packages: Path, unique_image, tmp_path: Path
) -> None:
    """On an interpreter with the SDK's four packages and nothing else, the client of a
    server uploads a JPEG, lists it and downloads it; the preflight it can't run (no
    Pillow) is left to the server, and embedded mode says what it needs."""
    _name, token = live_server.new_user()
    picture = unique_image("cat.jpg")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(picture.read_bytes()[: picture.stat().st_size // 2])
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    script = """
        import importlib.util, json, sys
        token, host, picture, truncated, text, out = sys.argv[1:7]
        absent = sorted(n for n in sys.argv[7].split(",") if importlib.util.find_spec(n) is None)
        from pixlake import Client, InvalidMediaError, UnsupportedMediaError
        refused = {}
        with Client(api_token=token, host=host) as client:
            lake = client.get_datalake()
            data = lake.upload_data(picture)
            for name, path in (("truncated", truncated), ("text", text)):
                try:
                    lake.upload_data(path)
                except (InvalidMediaError, UnsupportedMediaError) as exc:
                    refused[name] = [type(exc).__name__, exc.details.get("path")]
            listed = lake.list_data()
            listed.download(out)
            listing = [[str(d.id), d.filename, d.width, d.height] for d in listed]
        try:
            Client(workspace=out + "-workspace")
            embedded = "opened"
        except ImportError as exc:
            embedded = str(exc)
        loaded = sorted(m for m in sys.modules if m.startswith(("pixlake.server",
                        "pixlake.core", "pixlake.storage", "pixlake.embedded")))
        print(json.dumps({"absent": absent, "uploaded": str(data.id), "listing": listing,
                          "refused": refused, "embedded": embedded, "loaded": loaded}))
    """
    out = tmp_path / "downloaded"
    answer = run_isolated(
        script,
        [sdk_only_packages, SRC],
        token,
        live_server.url,
        str(picture),
        str(truncated),
        str(text),
        str(out),
        ",".join(SERVER_PACKAGES),
    )
    assert answer["absent"] == sorted(SERVER_PACKAGES)
    assert answer["listing"] == [[answer["uploaded"], "cat.jpg", 64, 48]]
    assert (out / "cat.jpg").read_bytes() == picture.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["cat.jpg"]
    # Recognised by its bytes in the SDK (the error names the path as given); the
    # truncated JPEG passes that and is refused by the server, which decodes it.
    assert answer["refused"] == {
        "text": ["UnsupportedMediaError", str(text)],
        "truncated": ["InvalidMediaError", None],
    }
    assert "embedded mode needs pixlake's application packages" in answer["embedded"]
    assert not (tmp_path / "downloaded-workspace").exists()
    assert answer["loaded"] == []


def test_sdk_client_without_a_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIXLAKE_HOST", raising=False)
    with pytest.raises(BadRequestError, match="no server to connect to"):
        SdkClient(api_token="pxl_unused")


def test_embedded_client_reads_local_files_by_path_and_pages_in_turn(tmp_path: Path) -> None:
    with Client(workspace=tmp_path / "workspace") as client:
        capabilities = client._connection.capabilities
        assert (client.mode, capabilities.local_files, capabilities.fetch_ahead) == (
            "embedded",
            True,
            False,
        )
        assert isinstance(client, SdkClient)
