"""The README's Python blocks run as written.

Blocks run in order in one namespace, as a reader would paste them, in an embedded
workspace of the test's own with the files they name (``cat.jpg``, ``images/``) in the
working folder. A block preceded by ``<!-- readme-test: server -->`` is for a running
server: it runs against the test server, with its placeholders (``pxl_...`` and
``http://127.0.0.1:8080``) replaced by that server's token and URL; one preceded by
``<!-- readme-test: picsellia -->`` runs the official picsellia SDK the same way.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from pixlake import Client
from pixlake.samples import make_image, make_images
from tests.conftest import LiveServer

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(
    r"(?:<!-- readme-test: (?P<marker>[\w-]+) -->\n)?```python\n(?P<code>.*?)```", re.DOTALL
)
MARKERS = {None, "server", "picsellia"}
TOKEN_PLACEHOLDER = '"pxl_..."'
HOST_PLACEHOLDER = '"http://127.0.0.1:8080"'


def python_blocks() -> list[tuple[str | None, str, int]]:
    """(marker, code, line number) of every ```python block of the README."""
    text = README.read_text(encoding="utf-8")
    blocks = [
        (m["marker"], m["code"], text.count("\n", 0, m.start("code")) + 1)
        for m in BLOCK.finditer(text)
    ]
    assert blocks, "the README has no Python block"
    for marker, _code, line in blocks:
        assert marker in MARKERS, f"README.md:{line}: unknown readme-test marker {marker!r}"
    return blocks


def run(code: str, line: int, namespace: dict) -> None:
    # Blank lines first, so that a traceback points at the README's own line.
    exec(compile("\n" * (line - 1) + code, str(README), "exec"), namespace)


@pytest.fixture
def reader_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding what the README's blocks name, and an embedded home."""
    for variable in ("PIXLAKE_HOST", "PIXLAKE_API_TOKEN", "PIXLAKE_WORKSPACE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PIXLAKE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    make_image(tmp_path / "cat.jpg", 640, 480, seed=1)
    make_images(tmp_path / "images", 12, seed=2)
    return tmp_path


def test_readme_python_blocks_run_embedded(reader_folder: Path) -> None:
    namespace: dict = {}
    try:
        for marker, code, line in python_blocks():
            if marker is None:
                run(code, line, namespace)
        client, version = namespace["client"], namespace["version"]
        # What the comments promise holds.
        assert client.mode == "embedded"
        assert client.workspace == reader_folder / "home"
        assert len(list((reader_folder / "cars").iterdir())) == 10
        assert any((reader_folder / "val").iterdir())
        assert len(version.list_deleted_assets()) == 10
        version.sync()
        assert version.locked
    finally:
        if "client" in namespace:
            namespace["client"].close()


def test_readme_server_blocks_run_against_a_server(
    live_server: LiveServer, reader_folder: Path
) -> None:
    blocks = [(code, line) for marker, code, line in python_blocks() if marker == "server"]
    assert blocks
    _name, token = live_server.new_user()
    for code, line in blocks:
        assert TOKEN_PLACEHOLDER in code and HOST_PLACEHOLDER in code
        namespace: dict = {}
        run(
            code.replace(TOKEN_PLACEHOLDER, repr(token)).replace(
                HOST_PLACEHOLDER, repr(live_server.url)
            ),
            line,
            namespace,
        )
        client: Client = namespace["client"]
        try:
            assert client.mode == "server"
        finally:
            client.close()


def test_readme_picsellia_block_runs_against_a_server(
    live_server: LiveServer, reader_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICSELLIA_SDK_CUSTOM_LOGGING", "1")  # before picsellia is imported
    blocks = [(code, line) for marker, code, line in python_blocks() if marker == "picsellia"]
    assert blocks
    organization = f"org-{uuid.uuid4().hex[:10]}"
    _name, token = live_server.new_user(organization)
    for code, line in blocks:
        assert TOKEN_PLACEHOLDER in code and HOST_PLACEHOLDER in code
        code = code.replace(TOKEN_PLACEHOLDER, repr(token))
        code = code.replace(HOST_PLACEHOLDER, repr(live_server.url))
        run(code.replace('"default"', repr(organization)), line, {})
    with Client(api_token=token, host=live_server.url) as client:
        data = client.get_datalake().list_data()
        assert [d.filename for d in data] == ["cat.jpg"]
        assert [t.name for t in data[0].get_tags()] == ["raw"]
