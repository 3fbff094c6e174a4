"""``pixlake models push`` and ``pixlake models pull``, embedded and against a real server."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from pixlake.progress import disable_progress_bars, enable_progress_bars
from tests.test_cli_commands import Platform, clean_environment, invoke, where

__all__ = ["clean_environment", "where"]  # fixtures of the CLI tests, used here too


def weights(tmp_path: Path, name: str = "best.pt", size: int = 300_000) -> Path:
    path = tmp_path / "train" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_push_creates_a_version_with_labels_and_pull_downloads_it(
    where: Platform, tmp_path: Path
) -> None:
    where.ok("models", "create", "detector")
    best = weights(tmp_path)
    config = tmp_path / "train" / "args"
    config.mkdir()
    (config / "args.yaml").write_text("epochs: 10\n")
    pushed = where.ok(
        "models", "push", "detector", str(best), str(config), "--label", "0=cat", "--label", "1=dog"
    )
    assert "new version 1" in pushed.stdout
    with where.client() as client:
        version = client.get_model("detector").get_version(1)
        assert version.labels == {"0": "cat", "1": "dog"}
        assert [(f.name, f.filename) for f in version.list_files()] == [
            ("args", "args.zip"),
            ("best.pt", "best.pt"),
        ]
    out = tmp_path / "pulled"
    pulled = where.ok("models", "pull", "detector", "1", "--out", str(out))
    assert "2 file(s)" in pulled.stdout
    assert digest(out / "best.pt") == digest(best)
    with zipfile.ZipFile(out / "args.zip") as archive:
        assert archive.read("args.yaml") == b"epochs: 10\n"


def test_push_to_an_existing_version_and_replace(where: Platform, tmp_path: Path) -> None:
    where.ok("models", "create", "detector")
    first = weights(tmp_path / "a")
    where.ok("models", "push", "detector", str(first), "--version", "v1")
    second = weights(tmp_path / "b")
    refused = where.run("models", "push", "detector", str(second), "--version", "v1")
    assert refused.exit_code == 1 and "already" in refused.stderr
    again = where.ok("models", "push", "detector", str(second), "--version", "v1", "--replace")
    assert "version 1" in again.stdout and "new version" not in again.stdout
    with where.client() as client:
        versions = client.get_model("detector").list_versions()
        assert [v.name for v in versions] == ["v1"]
        assert [f.checksum for f in versions[0].list_files()] == [digest(second)]


def test_push_refuses_a_bad_label_and_stores_nothing(where: Platform, tmp_path: Path) -> None:
    where.ok("models", "create", "detector")
    refused = where.run("models", "push", "detector", str(weights(tmp_path)), "--label", "cat")
    assert refused.exit_code == 1 and "INDEX=NAME" in refused.stderr
    with where.client() as client:
        assert client.get_model("detector").list_versions() == []


def test_push_of_a_missing_path_stores_nothing(where: Platform, tmp_path: Path) -> None:
    where.ok("models", "create", "detector")
    refused = where.run("models", "push", "detector", str(tmp_path / "nowhere.pt"))
    assert refused.exit_code == 2 and "no such file" in refused.output
    with where.client() as client:
        assert client.get_model("detector").list_versions() == []


def test_pull_of_an_unknown_version(where: Platform, tmp_path: Path) -> None:
    where.ok("models", "create", "detector")
    refused = where.run("models", "pull", "detector", "7", "--out", str(tmp_path / "out"))
    assert refused.exit_code == 1 and "error:" in refused.stderr


def test_push_shows_a_progress_bar_of_bytes(where: Platform, tmp_path: Path) -> None:
    where.ok("models", "create", "detector")
    enable_progress_bars()
    try:
        result = where.run("models", "push", "detector", str(weights(tmp_path)))
    finally:
        disable_progress_bars()
    assert result.exit_code == 0, result.output
    shown = [part for part in result.stderr.split("\r") if part.startswith("Storing best.pt")]
    assert shown and "100%" in shown[-1]


def test_models_help_lists_push_and_pull() -> None:
    shown = invoke("models", "--help").stdout
    assert "push" in shown and "pull" in shown
