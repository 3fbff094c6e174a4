"""A Schemathesis run over the whole API of a real ``pixlake serve`` on 127.0.0.1.

The run fails on any 5xx, any answer that does not match the API's own document (status,
body, content type, headers, ``Allow``) and any schema-valid request refused or invalid one
accepted; the exceptions, each with its reason, are listed in ``tests/fuzz_hooks.py``.
It is bounded: ``MAX_EXAMPLES`` cases per operation and phase, and a hard timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pixlake import Client
from pixlake.samples import make_image
from tests.services import ServeProcess, pixlake_environment, run_pixlake

MAX_EXAMPLES = 10
"""Cases per operation and phase: about 2,000 requests over the API's 65 operations, two
minutes on two idle cores."""

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
"""A fixed seed keeps CI's run the same from one commit to the next; set FUZZ_SEED to
explore other cases."""

RUN_TIMEOUT = 480
"""A hard bound for a loaded machine (the full suite runs beside it); the cases are the
real bound."""
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def _real_objects(url: str, token: str, folder: Path) -> dict[str, str]:
    """One object of each kind, made through the SDK, by path parameter name."""
    with Client(api_token=token, host=url) as client:
        lake = client.get_datalake()
        data = lake.upload_data(make_image(folder / "seed.jpg", 32, 24, seed=7))
        dataset = client.create_dataset("fuzzed")
        version = dataset.create_version("v1")
        label = version.create_label("cat")
        asset = version.add_data(data)[0]
        annotation = asset.create_annotation(duration=1.0)
        shape = annotation.create_rectangle(1, 2, 3, 4, label)
        tag = client.create_tag("fuzzed", "DATA")
        model = client.create_model("fuzzed")
        model_version = model.create_version(labels={"0": "cat"})
        model_version.attach_dataset_version(version)
        return {
            "datalake_id": str(lake.id),
            "data_id": str(data.id),
            "dataset_id": str(dataset.id),
            "version_id": str(version.id),
            "label_id": str(label.id),
            "asset_id": str(asset.id),
            "annotation_id": str(annotation.id),
            "shape_id": str(shape.id),
            "tag_id": str(tag.id),
            "model_id": str(model.id),
            "model_version_id": str(model_version.id),
            "dataset_version_id": str(version.id),
        }


def test_openapi_fuzz_finds_nothing(tmp_path: Path) -> None:
    env = pixlake_environment(workspace=str(tmp_path / "ws"))
    created = run_pixlake(env, "users", "create", "fuzzer", "--org", "fuzzing")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    server = ServeProcess(env).start()
    try:
        ids_file, stats_file, report = (
            tmp_path / "ids.json",
            tmp_path / "stats.json",
            tmp_path / "report.json",
        )
        ids_file.write_text(json.dumps(_real_objects(server.url, token, tmp_path)))
        run_env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks",
            "FUZZ_IDS_FILE": str(ids_file),
            "FUZZ_STATS_FILE": str(stats_file),
            "PYTHONPATH": str(Path(__file__).parent.parent),
        }
        done = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                str(SEED),
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--wait-for-schema",
                "20",
                "--no-color",
                "--report",
                "json",
                "--report-json-path",
                str(report),
            ],
            env=run_env,
            cwd=tmp_path,  # its cache (.schemathesis/) stays out of the repo
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        # The run's token must still be good at its end, or its later requests tested
        # nothing but a refusal.
        still_signed_in = httpx.get(
            f"{server.url}/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
    finally:
        server.stop()
    if not report.exists():
        pytest.fail(f"schemathesis did not run:\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}")
    summary = json.loads(report.read_text())
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    print(
        f"\nfuzz figures: operations {summary['operations']['tested']}, "
        f"test cases {summary['test_cases']['generated']}, "
        f"requests {stats.get('requests')}, 5xx {stats.get('5xx', 0)}, "
        f"failures {summary['failures']}, errors {summary['errors']}, "
        f"accepted as pending or limits {stats.get('pending', 0)}"
    )
    for name, count in sorted(stats.items()):
        print(f"  {name}: {count}")
    (tmp_path / "schemathesis.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, (
        f"the whole output is in {tmp_path / 'schemathesis.txt'}\n" + done.stdout[-20000:]
    )
    assert summary["operations"]["tested"] == summary["operations"]["total"]
    assert still_signed_in == 200
