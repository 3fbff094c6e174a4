"""Idempotency keys of bulk writes (issue 9, item 4): a retry gets the first answer, once.

Most tests speak HTTP through the client's own connection (in process, or to a real
server), with the ``Idempotency-Key`` header set by hand; the crash tests lose the answer
of a request after the server committed it, then let the SDK retry.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pixlake import Client
from pixlake.bundle import BUNDLE_CONTENT_TYPE, frame_header
from pixlake.core import tables as t
from pixlake.core.context import Actor, AppContext
from pixlake.core.services import annotations as annotation_service
from pixlake.core.services import idempotency
from pixlake.core.services.idempotency import Claim, KeyedAnswer, StoredAnswer
from pixlake.core.workspace import open_workspace
from pixlake.errors import (
    IdempotencyKeyReusedError,
    LimitExceededError,
    RequestInProgressError,
)
from pixlake.schemas import IDEMPOTENCY_HEADER, REPLAYED_HEADER, ShapeIn
from pixlake.sdk import annotation as sdk_annotation
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.connection import Retries
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.sdk.label import Label
from pixlake.server.idempotency import request_fingerprint
from pixlake.settings import Settings
from tests.conftest import LiveServer
from tests.services import POSTGRES_SERVER, make_postgres_database

HEADER = IDEMPOTENCY_HEADER
NO_WAIT = Retries(attempts=5, backoff=0.0)


@dataclass
class Annotated:
    dataset: Dataset
    version: DatasetVersion
    annotation: Annotation
    label: Label


def annotated(client: Client, image: Path) -> Annotated:
    data = client.get_datalake().upload_data(image)
    dataset = client.create_dataset(f"d-{uuid.uuid4().hex[:6]}")
    version = dataset.create_version("v1")
    asset = version.add_data(data)[0]
    return Annotated(dataset, version, asset.create_annotation(), version.create_label("cat"))


@pytest.fixture
def target(client: Client, images: list[Path]) -> Annotated:
    return annotated(client, images[0])


def rectangles(label: Label, count: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "RECTANGLE",
            "label_id": str(label.id),
            "x": float(i % 1000),
            "y": 1.0,
            "w": 2.0,
            "h": 3.0,
        }
        for i in range(count)
    ]


def post(client: Client, path: str, body: Any, key: str | None) -> httpx.Response:
    headers = {HEADER: key} if key is not None else {}
    return client._connection.http.post(path, json=body, headers=headers)


def shapes_path(target: Annotated) -> str:
    return f"/annotations/{target.annotation.id}/shapes"


def count_shapes(target: Annotated) -> int:
    return len(target.annotation.list_shapes())


# Replays


def test_a_replayed_key_gets_the_first_answer_and_adds_nothing(
    client: Client, target: Annotated
) -> None:
    body = {"shapes": rectangles(target.label, 3)}
    first = post(client, shapes_path(target), body, "key-1")
    again = post(client, shapes_path(target), body, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers.get(REPLAYED_HEADER) == "true"
    assert REPLAYED_HEADER not in first.headers
    assert count_shapes(target) == 3
    fresh = post(client, shapes_path(target), body, "key-2")  # another key, another request
    assert fresh.status_code == 201 and fresh.content != first.content
    assert count_shapes(target) == 6


def test_without_a_key_a_bulk_write_is_done_each_time(client: Client, target: Annotated) -> None:
    body = {"shapes": rectangles(target.label, 2)}
    assert post(client, shapes_path(target), body, None).status_code == 201
    assert post(client, shapes_path(target), body, None).status_code == 201
    assert count_shapes(target) == 4


def test_every_bulk_creation_replays(client: Client, images: list[Path]) -> None:
    """add_data, tag links and forks answer a retry with their first answer too."""
    made = annotated(client, images[0])
    more = client.get_datalake().upload_data(images[1:3])
    add = {"data_ids": [str(d.id) for d in more], "tags": ["fresh"], "tag_ids": []}
    path = f"/versions/{made.version.id}/assets"
    first, again = (post(client, path, add, "add") for _ in range(2))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content and again.headers[REPLAYED_HEADER] == "true"

    tag = client.create_tag("t", "DATA")
    links = {"target": "DATA", "object_ids": [str(d.id) for d in more], "tag_ids": [str(tag.id)]}
    for action in ("attach", "detach"):
        first, again = (post(client, f"/tags/{action}", links, action) for _ in range(2))
        assert (first.status_code, again.status_code) == (204, 204)
        assert again.headers[REPLAYED_HEADER] == "true"

    fork = {"version": "v2", "description": "", "with_annotations": True}
    path = f"/versions/{made.version.id}/fork"
    first, again = (post(client, path, fork, "fork") for _ in range(2))
    # Without the key, the second fork would be refused: the version name is taken.
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert [v.version for v in made.dataset.list_versions()].count("v2") == 1


# Refusals


def test_a_key_reused_for_another_request_is_refused(client: Client, target: Annotated) -> None:
    assert (
        post(
            client, shapes_path(target), {"shapes": rectangles(target.label, 1)}, "same"
        ).status_code
        == 201
    )
    other = post(client, shapes_path(target), {"shapes": rectangles(target.label, 2)}, "same")
    assert other.status_code == 422
    assert other.json()["code"] == IdempotencyKeyReusedError.code
    assert other.json()["details"] == {"idempotency_key": "same"}
    assert count_shapes(target) == 1
    with pytest.raises(IdempotencyKeyReusedError):
        client._connection.request(
            "POST",
            shapes_path(target),
            json={"shapes": rectangles(target.label, 2)},
            idempotency_key="same",
        )


def test_a_key_is_refused_beyond_its_length_limit(client: Client, target: Annotated) -> None:
    limit = Settings().max_idempotency_key_length
    body = {"shapes": rectangles(target.label, 1)}
    answer = post(client, shapes_path(target), body, "k" * (limit + 1))
    assert answer.status_code == 400
    assert answer.json()["details"]["limit"] == "max_idempotency_key_length"
    with pytest.raises(LimitExceededError):
        client._connection.request(
            "POST", shapes_path(target), json=body, idempotency_key="k" * (limit + 1)
        )
    assert post(client, shapes_path(target), body, "with space").status_code == 400
    assert count_shapes(target) == 0
    assert post(client, shapes_path(target), body, "k" * limit).status_code == 201


def test_another_organizations_identical_key_never_replays(
    client: Client, other_client: Client, images: list[Path]
) -> None:
    mine, theirs = annotated(client, images[0]), annotated(other_client, images[1])
    body_mine = {"shapes": rectangles(mine.label, 1)}
    body_theirs = {"shapes": rectangles(theirs.label, 1)}
    first = post(client, shapes_path(mine), body_mine, "shared-key")
    second = post(other_client, shapes_path(theirs), body_theirs, "shared-key")
    assert first.status_code == second.status_code == 201
    assert REPLAYED_HEADER not in second.headers
    assert second.json()[0]["annotation_id"] == str(theirs.annotation.id)
    # Nor can the other organization replay the first one's answer with that key: in its
    # scope the key names its own request (422), and the first one's annotation is not found.
    stolen = post(other_client, shapes_path(mine), body_mine, "shared-key")
    assert stolen.status_code == 422 and REPLAYED_HEADER not in stolen.headers
    assert post(other_client, shapes_path(mine), body_mine, "fresh").status_code == 404
    assert count_shapes(mine) == 1


def test_a_refused_keyed_request_frees_its_key(client: Client, target: Annotated) -> None:
    bad = {"shapes": [{**rectangles(target.label, 1)[0], "w": -1.0}]}
    assert post(client, shapes_path(target), bad, "fix-me").status_code == 400
    assert count_shapes(target) == 0
    # Nothing was stored, the key included: the corrected request runs under it.
    good = post(client, shapes_path(target), {"shapes": rectangles(target.label, 1)}, "fix-me")
    assert good.status_code == 201 and REPLAYED_HEADER not in good.headers
    assert count_shapes(target) == 1


def test_a_key_whose_first_request_still_runs_answers_409(
    client: Client, platform: AppContext, target: Annotated
) -> None:
    body = {"shapes": rectangles(target.label, 1)}
    content = httpx.Request("POST", "http://x", json=body).content
    actor = Actor(client.user_id, client.organization_id, client.username, client.role)
    # The first request: claimed, its work not yet committed.
    running = idempotency.claim(
        platform,
        actor,
        "busy",
        request_fingerprint("POST", shapes_path(target), "", client.user_id, content),
    )
    assert isinstance(running, Claim)
    answer = client._connection.http.post(
        shapes_path(target),
        content=content,
        headers={HEADER: "busy", "content-type": "application/json"},
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == RequestInProgressError.code
    client._connection.retries = Retries(attempts=3, backoff=0.0)
    with pytest.raises(RequestInProgressError):  # retried, then given up
        client._connection.request(
            "POST",
            shapes_path(target),
            content=content,
            headers={"content-type": "application/json"},
            idempotency_key="busy",
        )
    assert count_shapes(target) == 0
    idempotency.release(platform, running)  # the first one failed: the key is free again
    assert (
        client._connection.http.post(
            shapes_path(target),
            content=content,
            headers={HEADER: "busy", "content-type": "application/json"},
        ).status_code
        == 201
    )


# On SQLite and PostgreSQL, in process: leases, retention, a lost answer


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A workspace folder whose database is SQLite or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "ws"
        return
    with make_postgres_database(POSTGRES_SERVER) as url:
        monkeypatch.setenv("PIXLAKE_DATABASE_URL", url)
        yield tmp_path / "ws"


def actor_of(client: Client) -> Actor:
    return Actor(client.user_id, client.organization_id, client.username, client.role)


def shape_rows(ctx: AppContext, annotation_id: Any) -> int:
    with ctx.db.read() as conn:
        return conn.execute(
            select(func.count()).where(t.shapes.c.annotation_id == annotation_id)
        ).scalar_one()


def test_a_key_held_past_its_lease_is_taken_over_and_the_old_work_rolls_back(
    workspace: Path, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXLAKE_IDEMPOTENCY_LEASE_SECONDS", "0")
    with Client(workspace=workspace) as client:
        made = annotated(client, images[0])
        opened = open_workspace(Settings(workspace=workspace))
        try:
            ctx, actor = opened.context, actor_of(client)
            old = idempotency.claim(ctx, actor, "slow", "f" * 64)
            new = idempotency.claim(ctx, actor, "slow", "f" * 64)  # the lease is over
            assert isinstance(old, Claim) and isinstance(new, Claim)
            assert new.attempt != old.attempt
            shapes = [ShapeIn(kind="RECTANGLE", label_id=made.label.id, x=0, y=0, w=1, h=1)]

            def add(claimed: Claim) -> KeyedAnswer:
                answer = KeyedAnswer(claimed, 201, "application/json", lambda r: b"[%d]" % len(r))
                annotation_service.add_shapes(ctx, actor, made.annotation.id, shapes, answer=answer)
                return answer

            with pytest.raises(RequestInProgressError):
                add(old)  # the old attempt finishes late: its work is rolled back
            assert shape_rows(ctx, made.annotation.id) == 0
            assert add(new).stored == StoredAnswer(201, "application/json", b"[1]")
            assert shape_rows(ctx, made.annotation.id) == 1
            replay = idempotency.claim(ctx, actor, "slow", "f" * 64)
            assert replay == StoredAnswer(201, "application/json", b"[1]")
        finally:
            opened.close()


def test_keys_expire_after_the_retention_and_are_swept(
    workspace: Path, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXLAKE_IDEMPOTENCY_RETENTION_HOURS", "0")
    with Client(workspace=workspace) as client:
        made = annotated(client, images[0])
        body = {"shapes": rectangles(made.label, 1)}
        assert post(client, shapes_path(made), body, "short-lived").status_code == 201
        again = post(client, shapes_path(made), body, "short-lived")
        # Expired: the key was swept, so it names a new request.
        assert again.status_code == 201 and REPLAYED_HEADER not in again.headers
        assert count_shapes(made) == 2
        opened = open_workspace(Settings(workspace=workspace))
        try:
            with opened.context.db.read() as conn:
                kept = conn.execute(
                    select(func.count())
                    .select_from(t.idempotency_keys)
                    .where(t.idempotency_keys.c.organization_id == client.organization_id)
                ).scalar_one()
            assert kept == 1  # the second answer; the first one is gone
        finally:
            opened.close()


class LosingAnswers(httpx.BaseTransport):
    """Wraps the real in-process transport: the app runs the request to the end (and
    commits), then the answer of the ``lose``-th matching request is lost, as when a server
    dies or a connection drops after the commit."""

    def __init__(
        self, inner: httpx.BaseTransport, matches: Callable[[httpx.Request], bool], lose: set[int]
    ) -> None:
        self.inner, self.matches, self.lose = inner, matches, lose
        self.seen = 0
        self.replayed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self.matches(request):
            return response
        self.seen += 1
        response.read()
        self.replayed += response.headers.get(REPLAYED_HEADER) == "true"
        if self.seen in self.lose:
            raise httpx.ReadError("connection lost after the server answered", request=request)
        return response


def lose_answers(
    client: Client, matches: Callable[[httpx.Request], bool], lose: set[int]
) -> LosingAnswers:
    connection = client._connection
    # httpx keeps the transport of a client private; the test swaps in a wrapper of it.
    wrapper = LosingAnswers(connection.http._transport, matches, lose)
    connection.http._transport = wrapper
    connection.retries = NO_WAIT
    return wrapper


def test_a_retry_after_the_answer_was_lost_adds_the_shapes_once(
    workspace: Path, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 rectangles in four chunks; the answer of the second chunk is lost after the
    commit. The SDK retries that chunk with its key and gets the first answer: 2,000 shapes,
    not 2,500 (and not an error the caller would answer by sending all 2,000 again)."""
    monkeypatch.setattr(sdk_annotation, "SHAPE_CHUNK", 500)
    with Client(workspace=workspace) as client:
        made = annotated(client, images[0])
        transport = lose_answers(
            client, lambda r: r.url.path.endswith("/shapes") and r.method == "POST", lose={2}
        )
        created = made.annotation.create_multiple_rectangles(
            [(float(i % 200), 0.0, 1.0, 1.0, made.label) for i in range(2000)]
        )
        assert transport.seen == 5 and transport.replayed == 1
        assert len(created) == len({s.id for s in created}) == 2000
        assert count_shapes(made) == 2000
        assert sorted(s.id for s in made.annotation.list_shapes()) == sorted(s.id for s in created)


def test_lost_answers_of_add_data_tags_and_fork_are_retried_once(
    workspace: Path, images: list[Path]
) -> None:
    with Client(workspace=workspace) as client:
        made = annotated(client, images[0])
        more = client.get_datalake().upload_data(images[1:4])
        transport = lose_answers(
            client,
            lambda r: r.method == "POST" and r.url.path.endswith(("/assets", "/attach", "/fork")),
            lose={1, 3, 5},
        )
        assets = made.version.add_data(more, tags=["new"])
        tag = client.create_tag("seen", "ASSET")
        assets.add_tags(tag)
        fork = made.version.fork("v2")
        assert transport.seen == 6 and transport.replayed == 3
        assert len(assets) == 3 and len(fork.list_assets()) == 4
        assert [v.version for v in made.dataset.list_versions()] == ["v1", "v2"]
        assert len(made.version.list_assets(tags=tag)) == 3


# Against a real server: the connection drops after the server answered


class AnswerDroppingProxy:
    """A TCP proxy in front of a real server. For the first ``times`` requests whose
    request line contains ``marker``, it passes the request on, waits for the server's
    answer to begin (the work is committed by then) and closes the client's connection
    instead of passing the answer on."""

    def __init__(self, upstream: str, marker: bytes, times: int) -> None:
        host, port = httpx.URL(upstream).host, httpx.URL(upstream).port
        self.upstream = (host, port)
        self.marker, self.times, self.dropped = marker, times, 0
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            drop = threading.Event()
            threading.Thread(
                target=self._requests, args=(downstream, upstream, drop), daemon=True
            ).start()
            threading.Thread(
                target=self._answers, args=(upstream, downstream, drop), daemon=True
            ).start()

    def _requests(
        self, downstream: socket.socket, upstream: socket.socket, drop: threading.Event
    ) -> None:
        try:
            while data := downstream.recv(65536):
                # A request line starts a chunk (bodies of these tests never start with one).
                if (
                    data.split(b"\r\n", 1)[0].endswith(b" HTTP/1.1")
                    and self.marker in data.split(b"\r\n", 1)[0]
                ):
                    with self.lock:
                        if self.times > 0:
                            self.times -= 1
                            drop.set()
                upstream.sendall(data)
        except OSError:
            pass

    def _answers(
        self, upstream: socket.socket, downstream: socket.socket, drop: threading.Event
    ) -> None:
        try:
            while data := upstream.recv(65536):
                if drop.is_set():
                    with self.lock:
                        self.dropped += 1
                    break
                downstream.sendall(data)
        except OSError:
            pass
        for sock in (downstream, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def test_a_real_server_whose_answer_is_lost_adds_the_shapes_once(
    server: LiveServer, images: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sdk_annotation, "SHAPE_CHUNK", 500)
    _name, token = server.new_user()
    proxy = AnswerDroppingProxy(server.url, b"/shapes", times=1)
    try:
        with Client(api_token=token, host=proxy.url) as client:
            client._connection.retries = NO_WAIT
            made = annotated(client, images[0])
            created = made.annotation.create_multiple_rectangles(
                [(float(i % 200), 0.0, 1.0, 1.0, made.label) for i in range(2000)]
            )
            assert proxy.dropped == 1
            assert len({s.id for s in created}) == 2000
            assert count_shapes(made) == 2000
    finally:
        proxy.close()


def test_a_body_refused_by_validation_frees_its_key(
    client: Client, target: Annotated, images: list[Path]
) -> None:
    """FastAPI validates the body after the key was claimed: the key must be freed too."""
    path = f"/versions/{target.version.id}/assets"
    refused = post(client, path, {"data_ids": ["not-a-uuid"]}, "validated")
    assert refused.status_code == 400
    data = client.get_datalake().upload_data(images[1])
    accepted = post(client, path, {"data_ids": [str(data.id)]}, "validated")
    assert accepted.status_code == 200 and REPLAYED_HEADER not in accepted.headers


def test_two_requests_claiming_one_new_key_at_once_get_one_claim(
    workspace: Path, images: list[Path]
) -> None:
    with Client(workspace=workspace) as client:
        opened = open_workspace(Settings(workspace=workspace))
        try:
            ctx, actor = opened.context, actor_of(client)
            start = threading.Barrier(4)
            outcomes: list[object] = []

            def claim_it() -> None:
                start.wait()
                try:
                    outcomes.append(idempotency.claim(ctx, actor, "raced", "r" * 64))
                except RequestInProgressError as exc:
                    outcomes.append(exc)

            threads = [threading.Thread(target=claim_it) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sum(isinstance(o, Claim) for o in outcomes) == 1
            assert sum(isinstance(o, RequestInProgressError) for o in outcomes) == 3
        finally:
            opened.close()


# Annotation imports: a streamed bundle of files, keyed like the other bulk writes


def coco_document(target: Annotated, boxes: int) -> bytes:
    """A COCO document giving the target's image ``boxes`` boxes."""
    asset = target.version.list_assets()[0]
    document = {
        "images": [{"id": 1, "file_name": asset.filename, "width": 64, "height": 48}],
        "annotations": [
            {"id": i, "image_id": 1, "category_id": 1, "bbox": [1.0, 1.0, 2.0 + i, 3.0]}
            for i in range(1, boxes + 1)
        ],
        "categories": [{"id": 1, "name": "cat"}],
    }
    return json.dumps(document).encode()


def coco_bundle(target: Annotated, boxes: int) -> bytes:
    """That document as an import's bundle."""
    content = coco_document(target, boxes)
    return frame_header("instances.json", len(content)) + content


def post_import(client: Client, target: Annotated, body: bytes, key: str | None) -> httpx.Response:
    headers = {"content-type": BUNDLE_CONTENT_TYPE, **({HEADER: key} if key else {})}
    return client._connection.http.post(
        f"/versions/{target.version.id}/annotations/import",
        params={"format": "COCO", "mode": "CONCATENATE"},  # a second import would add again
        content=body,
        headers=headers,
    )


def objects_of(target: Annotated) -> int:
    return target.version.retrieve_stats().nb_objects


def test_a_replayed_import_gets_the_first_summary_and_imports_once(
    client: Client, target: Annotated
) -> None:
    body = coco_bundle(target, 3)
    first = post_import(client, target, body, "import-1")
    again = post_import(client, target, body, "import-1")
    assert first.status_code == again.status_code == 200, first.text
    assert again.content == first.content and first.json()["shapes_created"] == 3
    assert again.headers.get(REPLAYED_HEADER) == "true"
    assert REPLAYED_HEADER not in first.headers
    assert objects_of(target) == 3
    assert post_import(client, target, body, None).status_code == 200  # no key: done again
    assert objects_of(target) == 6


def test_an_import_key_reused_for_other_files_is_refused(client: Client, target: Annotated) -> None:
    assert post_import(client, target, coco_bundle(target, 1), "same").status_code == 200
    other = post_import(client, target, coco_bundle(target, 2), "same")
    assert other.status_code == 422
    assert other.json()["code"] == IdempotencyKeyReusedError.code
    assert other.json()["details"] == {"idempotency_key": "same"}
    assert objects_of(target) == 1


def test_a_refused_import_frees_its_key(client: Client, target: Annotated) -> None:
    broken = frame_header("instances.json", 5) + b"{nope"
    for _ in range(2):  # refused each time, not held as running (409)
        answer = post_import(client, target, broken, "retry-me")
        assert answer.status_code == 400 and answer.json()["details"]["file"] == "instances.json"
    assert post_import(client, target, coco_bundle(target, 1), "retry-me").status_code == 200
    assert objects_of(target) == 1
    too_long = "k" * (Settings().max_idempotency_key_length + 1)
    answer = post_import(client, target, coco_bundle(target, 1), too_long)
    assert answer.status_code == 400
    assert answer.json()["details"]["limit"] == "max_idempotency_key_length"
    assert objects_of(target) == 1


def test_a_lost_import_answer_is_retried_with_its_key_and_imports_once(
    workspace: Path, images: list[Path], tmp_path: Path
) -> None:
    """The SDK sends its file bundle again (read from the files anew) with the same key and
    gets the first summary: the boxes are there once."""
    with Client(workspace=workspace) as client:
        made = annotated(client, images[0])
        document = tmp_path / "instances.json"
        document.write_bytes(coco_document(made, 4))
        transport = lose_answers(
            client, lambda r: r.url.path.endswith("/annotations/import"), lose={1}
        )
        summary = made.version.import_annotations_coco_file(document, mode="CONCATENATE")
        assert transport.seen == 2 and transport.replayed == 1
        assert summary.shapes_created == 4
        assert objects_of(made) == 4


def test_lost_answers_of_import_dataset_are_retried_once(
    workspace: Path, images: list[Path], tmp_path: Path
) -> None:
    """Every write of ``import_dataset`` is safe to retry: the inspection only reads, the
    upload is content addressed, add_data and the import are keyed."""
    root = tmp_path / "yolo"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text("names: [cat]\n")
    for image in images[:2]:
        (root / "images" / "train" / image.name).write_bytes(image.read_bytes())
        (root / "labels" / "train" / f"{image.stem}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    with Client(workspace=workspace) as client:
        transport = lose_answers(
            client,
            lambda r: (
                r.method == "POST"
                and r.url.path.endswith(("/inspect", "/assets", "/annotations/import"))
            ),
            lose={1, 3, 5},
        )
        version = client.import_dataset(root, "YOLO", "lost")
        assert transport.seen == 6 and transport.replayed == 2  # inspect is read again
        stats = version.retrieve_stats()
        assert (stats.nb_assets, stats.nb_annotations, stats.nb_objects) == (2, 2, 2)
