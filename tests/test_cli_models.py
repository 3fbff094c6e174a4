"""``pixlake models ls|create`` and ``pixlake trash`` over the registry (issue 12 items 4
and 5), embedded and against a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pixlake
from pixlake import Framework
from tests import test_cli_commands as commands
from tests.test_cli_commands import Platform, column, invoke, table

# The command tests' fixtures: an environment without PIXLAKE_* variables, and where the
# commands go (an embedded workspace, a real server).
clean_environment = commands.clean_environment
where = commands.where


def test_models_create_then_ls(where: Platform) -> None:
    created = where.ok(
        "models", "create", "detector", "--framework", "pytorch", "--tag", "prod",
        "--description", "finds cats",
    )  # fmt: skip
    where.ok("models", "create", "classifier", "--type", "CLASSIFICATION")
    with where.client() as client:
        client.get_model("detector").create_version()

    listed = where.ok("models", "ls")
    as_json = json.loads(where.ok("models", "ls", "--json").stdout)

    assert "created model 'detector'" in created.stdout
    header, rows = table(listed)
    assert header == [
        "NAME", "VERSIONS", "FRAMEWORK", "TYPE", "TAGS", "CREATED", "ID", "DESCRIPTION",
    ]  # fmt: skip
    assert [row[:5] for row in rows] == [
        ["detector", "1", "PYTORCH", "NOT_CONFIGURED", "prod"],
        ["classifier", "0", "NOT_CONFIGURED", "CLASSIFICATION", "-"],
    ]
    assert listed.stderr.strip() == "2 model(s)"
    with where.client() as client:
        detector = client.get_model("detector")
        assert detector.framework is Framework.PYTORCH
        assert detector.description == "finds cats"
        assert column(listed, "ID")[0] == str(detector.id)
    assert as_json[0]["name"] == "detector" and as_json[0]["tags"] == ["prod"]


def test_models_create_json_and_a_taken_name(where: Platform) -> None:
    created = json.loads(where.ok("models", "create", "detector", "--json").stdout)
    again = where.run("models", "create", "detector")

    assert created["name"] == "detector" and created["framework"] == "NOT_CONFIGURED"
    assert again.exit_code != 0
    assert "a model named 'detector' already exists" in again.output
    with where.client() as client:
        assert [m.name for m in client.list_models()] == ["detector"]


def test_models_ls_of_an_empty_registry(where: Platform) -> None:
    listed = where.ok("models", "ls", "--json")
    assert json.loads(listed.stdout) == []


def test_trash_lists_restores_and_purges_models_and_versions(tmp_path: Path) -> None:
    """The workspace's operator (no token): every organization's registry."""
    workspace = tmp_path / "ws"
    with pixlake.Client(workspace=workspace) as client:
        model = client.create_model("detector")
        kept = model.create_version(name="kept")
        gone = model.create_version(name="gone")
        gone.delete()
        client.create_model("old").delete()
    options = ["--workspace", str(workspace)]

    listed = invoke("trash", "list", *options)
    versions = invoke("trash", "list", "--kind", "MODEL_VERSION", *options)
    restored = invoke("trash", "restore", str(gone.id), *options)
    purged = invoke("trash", "purge", "--all", "--yes", *options)

    assert sorted(zip(column(listed, "KIND"), column(listed, "NAME"), strict=True)) == [
        ("MODEL", "old"),
        ("MODEL_VERSION", "detector/gone"),
    ]
    assert column(versions, "ID") == [str(gone.id)]
    assert restored.stdout.strip() == "restored 1 item(s)"
    assert purged.exit_code == 0, purged.output
    assert purged.stdout.splitlines()[0] == "purged 1 item(s)"
    with pixlake.Client(workspace=workspace) as client:
        assert client.list_trash() == []
        assert [v.name for v in client.get_model("detector").list_versions()] == ["kept", "gone"]
        assert [m.name for m in client.list_models()] == ["detector"]
        assert kept in client.get_model("detector").list_versions()


def test_deleting_an_attached_dataset_version_or_dataset_needs_force(where: Platform) -> None:
    with where.client() as client:
        version = client.create_dataset("birds").create_version("v1")
        client.create_model("detector").create_version().attach_dataset_version(version)

    refused_version = where.run("versions", "delete", "birds", "v1", "--yes")
    refused_dataset = where.run("datasets", "delete", "birds", "--yes")
    where.ok("versions", "delete", "birds", "v1", "--yes", "--force")

    for refused in (refused_version, refused_dataset):
        assert refused.exit_code != 0
        assert "attached to model 'detector'" in refused.output
    with where.client() as client:
        assert [item.name for item in client.list_trash()] == ["birds/v1"]
