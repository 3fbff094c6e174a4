"""The SDK retries transport failures of the requests whose retry is safe (issue 9, item 4).

Most tests put an ``httpx.MockTransport`` in front of the real in-process application: for
the requests a test picks, it fails the first attempts (a refused connection before the
app sees the request, a connection lost after the app answered, a 502/503/504 from a
proxy) and then hands the request to the real app. The last test runs against a real
server behind a proxy that drops an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from pixlake import Client
from pixlake.errors import OutdatedSchemaError, TransportError
from pixlake.sdk.connection import Retries
from tests.conftest import LiveServer
from tests.test_idempotency import AnswerDroppingProxy

NO_WAIT = Retries(attempts=5, backoff=0.0)
LOST = "lost"  # the app runs the request, then the connection drops


class Flaky:
    """Fails the first attempts of matching requests, as ``plan`` says, then passes them
    on to the real app: an exception class is raised before the app sees the request,
    ``LOST`` lets the app answer and then raises ReadError, a status is answered instead
    of the app."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        matches: Callable[[httpx.Request], bool],
        plan: list[object],
    ) -> None:
        self.inner, self.matches, self.plan = inner, matches, list(plan)
        self.attempts = 0
        self.reached_app = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.matches(request):
            return self._app(request)
        self.attempts += 1
        step = self.plan.pop(0) if self.plan else None
        if isinstance(step, type):
            raise step("injected failure", request=request)
        if isinstance(step, int):
            code = "outdated_schema" if step == 599 else "service_error"
            status = 503 if step == 599 else step
            return httpx.Response(
                status, content=orjson.dumps({"code": code, "message": "injected", "details": {}})
            )
        response = self._app(request)
        self.reached_app += 1
        if step == LOST:
            raise httpx.ReadError("connection lost after the server answered", request=request)
        return response

    def _app(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content
        )


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Client]:
    client = Client(workspace=tmp_path / "ws")
    client._connection.retries = NO_WAIT
    yield client
    client.close()


def flaky(
    client: Client,
    matches: Callable[[httpx.Request], bool],
    plan: list[object],
) -> Flaky:
    http = client._connection.http
    # httpx keeps the transport of a client private; the test puts a wrapper of it in.
    wrapper = Flaky(http._transport, matches, plan)
    http._transport = httpx.MockTransport(wrapper)
    return wrapper


def is_(method: str, suffix: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.method == method and request.url.path.endswith(suffix)


def test_reads_are_retried_after_connection_failures(embedded: Client) -> None:
    failing = flaky(
        embedded,
        is_("GET", "/datalakes"),
        [httpx.ConnectError, LOST, httpx.ReadTimeout, httpx.RemoteProtocolError],
    )
    assert [d.name for d in embedded.list_datalakes()] == ["default"]
    assert failing.attempts == 5 and failing.reached_app == 2


def test_proxy_errors_are_retried_for_safe_requests(embedded: Client) -> None:
    failing = flaky(embedded, is_("GET", "/datalakes"), [502, 503, 504])
    assert len(embedded.list_datalakes()) == 1
    assert failing.attempts == 4


def test_posts_that_only_read_are_retried(embedded: Client, images: list[Path]) -> None:
    version = embedded.create_dataset("d").create_version("v1")
    version.add_data(embedded.get_datalake().upload_data(images[:2]))
    failing = flaky(embedded, is_("POST", "/assets/search"), [LOST, 503])
    assert len(version.list_assets()) == 2
    assert failing.attempts == 3


def test_a_refused_connection_is_retried_for_every_method(embedded: Client) -> None:
    failing = flaky(embedded, is_("POST", "/datasets"), [httpx.ConnectError])
    embedded.create_dataset("made-once")
    assert failing.attempts == 2 and failing.reached_app == 1
    assert [d.name for d in embedded.list_datasets()] == ["made-once"]


def test_a_write_without_a_key_is_not_retried_once_it_may_have_run(embedded: Client) -> None:
    failing = flaky(embedded, is_("POST", "/datasets"), [LOST, 503])
    with pytest.raises(TransportError, match="connection lost"):
        embedded.create_dataset("maybe")
    assert failing.attempts == 1
    # Retrying it blindly would have met a 409 (or, for shapes, added them twice).
    assert [d.name for d in embedded.list_datasets()] == ["maybe"]


def test_a_streamed_body_is_not_retried(embedded: Client) -> None:
    failing = flaky(embedded, is_("PUT", "/data"), [httpx.ReadError])
    lake = embedded.get_datalake()
    with pytest.raises(TransportError):
        embedded._connection.request(
            "PUT",
            f"/datalakes/{lake.id}/data",
            params={"filename": "x.jpg"},
            content=iter([b"not sent twice"]),
        )
    assert failing.attempts == 1


def test_retries_are_bounded(embedded: Client) -> None:
    embedded._connection.retries = Retries(attempts=3, backoff=0.0)
    failing = flaky(embedded, is_("GET", "/datalakes"), [httpx.ReadError] * 10)
    with pytest.raises(TransportError):
        embedded.list_datalakes()
    assert failing.attempts == 3


def test_an_outdated_schema_is_not_waited_for(embedded: Client) -> None:
    failing = flaky(embedded, is_("GET", "/datalakes"), [599])  # 503 outdated_schema
    with pytest.raises(OutdatedSchemaError):
        embedded.list_datalakes()
    assert failing.attempts == 1


def test_the_backoff_doubles_up_to_its_cap_and_honours_retry_after() -> None:
    retries = Retries(attempts=8, backoff=0.5, max_backoff=8.0)
    for retry, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (7, 8.0)]:
        delays = [retries.delay(retry) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert retries.delay(1, retry_after=3.0) == 3.0
    assert retries.delay(1, retry_after=60.0) == 8.0  # a server can't make a client hang


def test_a_real_server_read_whose_answer_is_lost_is_retried(server: LiveServer) -> None:
    _name, token = server.new_user()
    proxy = AnswerDroppingProxy(server.url, b"GET /datalakes", times=2)
    try:
        with Client(api_token=token, host=proxy.url) as client:
            client._connection.retries = NO_WAIT
            assert [d.name for d in client.list_datalakes()] == ["default"]
            assert proxy.dropped == 2
    finally:
        proxy.close()


def test_a_read_response_is_freed_without_the_cyclic_collector() -> None:
    """Bulk calls pause the collector: a page's response (and its body) must go as soon as
    it has been read, not wait for a collection."""
    import gc

    from pixlake.sdk.connection import Connection

    body = b'{"items": [], "next_after": null}'
    http = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
        base_url="http://pixlake.test",
    )
    connection = Connection(http)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            assert connection.request("POST", "/versions/x/assets/search", json={}) == {
                "items": [],
                "next_after": None,
            }
        alive = [o for o in gc.get_objects() if isinstance(o, httpx.Response)]
    finally:
        gc.enable()
        connection.close()
    assert alive == []
