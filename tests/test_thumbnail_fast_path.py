"""Warm thumbnails, answered before FastAPI's routing from the process's memory: the same
checks as the route's on every request, in each deployment (``pixlake ui``'s app over an
embedded workspace, and both servers)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from pixlake.core.services.accounts import hash_token, revoke_user
from pixlake.core.services.thumbnails import ThumbnailSource
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.enums import DataType
from pixlake.samples import make_image
from pixlake.settings import Settings
from pixlake.web.sessions import SESSION_COOKIE, issue_session
from tests.conftest import SERVER_FIXTURES
from tests.webapp_site import Site, serve_workspace, site_of


@pytest.fixture(scope="module")
def ui_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_workspace(tmp_path_factory.mktemp("ui-fast-path-workspace"))


@pytest.fixture
def site(mode: str, request: pytest.FixtureRequest) -> Site:
    if mode == "embedded":
        return request.getfixturevalue("ui_site")
    return site_of(request.getfixturevalue(SERVER_FIXTURES[mode]))


def _warm_thumbnail(site: Site, token: str, folder: Path) -> tuple[str, str, httpx.Response]:
    """A new picture's thumbnail URL, ETag and first answer (made by the route, so now in
    memory); then it is taken out of the store: only the process's memory can answer it
    afterwards."""
    path = make_image(folder / f"img-{uuid.uuid4().hex[:8]}.jpg", 320, 240, seed=7)
    with site.sdk(token) as sdk:
        (data,) = sdk.get_datalake().upload_data([path])
    url = f"/data/{data.id}/thumbnail"
    with site.browser() as http:
        first = http.get(url, headers={"authorization": f"Bearer {token}"})
    assert first.status_code == 200 and "x-pixlake-thumbnail" not in first.headers
    source = ThumbnailSource(data.id, data.checksum, data.object_name, DataType.IMAGE)
    site.context.storage.delete(source.thumbnail_name)
    return url, first.headers["etag"], first


def test_a_warm_thumbnail_is_answered_from_memory_with_the_routes_headers(
    site: Site, tmp_path: Path
) -> None:
    token = site.new_token()
    url, etag, first = _warm_thumbnail(site, token, tmp_path)
    content = first.content
    with site.signed_in(token) as browser:
        warm = browser.get(url)
    assert warm.status_code == 200 and warm.content == content  # not made again: it's gone
    for name in ("etag", "cache-control", "content-security-policy", "content-type"):
        assert warm.headers[name] == first.headers[name]
    assert warm.headers["x-content-type-options"] == "nosniff"
    assert warm.headers["etag"] == etag
    assert int(warm.headers["content-length"]) == len(content)


def test_if_none_match_answers_304_without_bytes(site: Site, tmp_path: Path) -> None:
    token = site.new_token()
    url, etag, first = _warm_thumbnail(site, token, tmp_path)
    content = first.content
    bearer = {"authorization": f"Bearer {token}"}
    with site.browser() as http:
        for held in (etag, f"W/{etag}", f'"other", {etag}'):
            answer = http.get(url, headers={**bearer, "if-none-match": held})
            assert answer.status_code == 304 and answer.content == b"", held
            assert answer.headers["etag"] == etag
            assert answer.headers["cache-control"] == "private, max-age=31536000, immutable"
        stale = http.get(url, headers={**bearer, "if-none-match": '"v0-something-else"'})
        assert stale.status_code == 200 and stale.content == content


def test_another_organizations_warm_thumbnail_answers_404_without_bytes(
    site: Site, tmp_path: Path
) -> None:
    url, etag, _first = _warm_thumbnail(site, site.new_token(), tmp_path)
    stranger = site.new_token()
    with site.browser() as http:
        for held in ({}, {"if-none-match": etag}):
            answer = http.get(url, headers={"authorization": f"Bearer {stranger}", **held})
            assert answer.status_code == 404, answer.text
            assert answer.headers["content-type"] == "application/json"
            assert answer.json()["code"] == "not_found"
    with site.signed_in(stranger) as browser:
        answer = browser.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_expired_and_forged_cookies_are_refused_on_a_warm_thumbnail(
    site: Site, tmp_path: Path
) -> None:
    token = site.new_token()
    url, etag, _first = _warm_thumbnail(site, token, tmp_path)
    with site.signed_in(token) as browser:
        assert browser.get(url).status_code == 200
        good = browser.cookies[SESSION_COOKIE]
        user_id = browser.get("/ui/session").json()["me"]["user"]["id"]
    secret = site.context.settings.secret_key or ""
    payload = good.rpartition(".")[0]
    refused = [
        "v1.garbage",
        f"{payload}.{'0' * 64}",  # the right payload, a forged signature
        issue_session("another-secret", uuid.UUID(user_id), hash_token(token), 3600),
        issue_session(secret, uuid.UUID(user_id), hash_token(token), -10),  # expired
    ]
    with site.browser() as http:
        for cookie in refused:
            for held in ({}, {"if-none-match": etag}):
                answer = http.get(url, headers={"cookie": f"{SESSION_COOKIE}={cookie}", **held})
                assert answer.status_code == 401, (cookie, answer.text)
                assert answer.headers["content-type"] == "application/json"


def test_a_token_revoked_after_its_thumbnails_were_cached_is_refused_at_once(
    site: Site, tmp_path: Path
) -> None:
    username, token = site.new_user()
    url, etag, _first = _warm_thumbnail(site, token, tmp_path)
    with site.signed_in(token) as browser:
        assert browser.get(url).status_code == 200
        cookie = browser.cookies[SESSION_COOKIE]
    revoke_user(site.context, username)
    with site.browser() as http:
        ways_in = [{"authorization": f"Bearer {token}"}, {"cookie": f"{SESSION_COOKIE}={cookie}"}]
        for way in ways_in:
            for held in ({}, {"if-none-match": etag}):
                answer = http.get(url, headers={**way, **held})
                assert answer.status_code == 401, (way, held, answer.text)
                assert not answer.content.startswith(b"RIFF")  # no WebP bytes


def test_requests_the_fast_path_leaves_to_the_route(site: Site, tmp_path: Path) -> None:
    token = site.new_token()
    url, _etag, first = _warm_thumbnail(site, token, tmp_path)
    content = first.content
    bearer = {"authorization": f"Bearer {token}"}
    with site.browser() as http:
        assert http.get(f"{url}?size=big", headers=bearer).content == content
        assert http.head(url, headers=bearer).status_code in (200, 405)
        malformed = http.get(url, headers={"authorization": "Bearer"})
        assert malformed.status_code == 401
        unknown = http.get(f"/data/{uuid.uuid4()}/thumbnail", headers=bearer)
        assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_thumbnail_cache_keeps_the_most_recently_used_within_its_bytes() -> None:
    cache = ThumbnailCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"5678")
    assert cache.get("a") == b"1234"  # now the most recent
    cache.put("c", b"90ab")  # over 10 bytes: "b", the least recent, goes
    assert cache.get("b") is None
    assert cache.get("a") == b"1234" and cache.get("c") == b"90ab"
    assert cache.size == 8 and len(cache) == 2
    cache.put("a", b"12")  # replaced, not counted twice
    assert cache.size == 6
    cache.put("huge", b"x" * 11)  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and len(cache) == 2


def test_a_cache_of_zero_bytes_keeps_nothing() -> None:
    cache = ThumbnailCache(max_bytes=0)
    cache.put("a", b"1")
    assert cache.get("a") is None and cache.size == 0


def test_the_thumbnail_cache_is_bounded_by_a_setting() -> None:
    field = Settings.model_fields["thumbnail_cache_bytes"]
    assert field.default > 0 and field.description
    with pytest.raises(ValueError):
        Settings(thumbnail_cache_bytes=-1)


def test_the_fast_path_reads_in_the_loop_only_while_the_pool_has_a_connection_to_spare(
    tmp_path: Path,
) -> None:
    """Waiting for a connection in the event loop would stall every other request: with
    the pool's connections all taken, the reads go to a worker thread instead."""
    from pixlake.core.workspace import open_workspace
    from pixlake.server.thumbnail_fast_path import ThumbnailFastPath

    opened = open_workspace(Settings(workspace=tmp_path / "workspace"))
    db = opened.context.db
    fast_path = ThumbnailFastPath(lambda *_: None, opened.context, ThumbnailCache(1024))
    assert fast_path._reads_in_loop()
    held = [db.engine.connect() for _ in range(db.engine.pool.size())]
    try:
        assert not fast_path._reads_in_loop()
    finally:
        for conn in held:
            conn.close()
    assert fast_path._reads_in_loop()
    db.dispose()


class _Route:
    """The application behind the fast path, recording what it was left to answer."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _ask(
    fast_path: object, path: str, headers: list[tuple[str, str]], query: bytes = b""
) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(fast_path(scope, receive, send))  # type: ignore[operator]
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def test_the_fast_path_itself_answers_only_what_the_route_would_allow(
    site: Site, tmp_path: Path
) -> None:
    """Called directly, in front of a stand-in route: a warm thumbnail of the caller's
    organization is answered without the route (by token and by session), and every
    request the route must judge reaches it."""
    from pixlake.core.services.accounts import authenticate
    from pixlake.server.thumbnail_fast_path import ThumbnailFastPath

    username, token = site.new_user()
    url, etag, first = _warm_thumbnail(site, token, tmp_path)
    checksum = etag.strip('"').rsplit("-", 1)[1]
    cache = ThumbnailCache(1024 * 1024)
    cache.put(checksum, first.content)
    route = _Route()
    fast_path = ThumbnailFastPath(route, site.context, cache)
    user_id = authenticate(site.context, token).user_id
    secret = site.context.settings.secret_key or ""
    session = issue_session(secret, user_id, hash_token(token), 3600)
    bearer = ("authorization", f"Bearer {token}")
    by_cookie = ("cookie", f"other=1; {SESSION_COOKIE}={session}")

    for way in (bearer, by_cookie):
        status, headers, body = _ask(fast_path, url, [way])
        assert (status, body) == (200, first.content), way
        assert headers[b"etag"] == etag.encode()
        assert headers[b"content-type"] == first.headers["content-type"].encode()
        assert headers[b"x-content-type-options"] == b"nosniff"
        status, headers, body = _ask(fast_path, url, [way, ("if-none-match", f"W/{etag}")])
        assert (status, body) == (304, b"") and headers[b"etag"] == etag.encode()
    assert route.calls == 0

    stranger = site.new_token()
    replaced = issue_session(secret, user_id, hash_token("pxl_an-older-token"), 3600)
    left_to_the_route: list[tuple[str, list[tuple[str, str]], bytes]] = [
        (url, [("authorization", f"Bearer {stranger}")], b""),  # another organization
        (url, [("authorization", f"Bearer {stranger}"), ("if-none-match", etag)], b""),
        (url, [("authorization", "Bearer pxl_unknown")], b""),
        (url, [("authorization", f"Basic {token}")], b""),
        (url, [("authorization", ""), by_cookie], b""),  # a header there but empty
        (url, [("cookie", f"{SESSION_COOKIE}={replaced}")], b""),  # its token replaced
        (url, [("cookie", f"{SESSION_COOKIE}={session[:-4]}0000")], b""),  # forged
        (url, [("cookie", "other=1")], b""),
        (url, [], b""),
        (url, [bearer], b"size=big"),
        (url, [bearer, ("content-length", "5")], b""),
        (url, [bearer, ("transfer-encoding", "chunked")], b""),
        (url, [bearer, ("x-pixlake-method", "XGET")], b""),
        (url, [bearer] + [("x-filler", "1")] * site.context.settings.max_header_count, b""),
        (f"/data/{uuid.uuid4()}/thumbnail", [bearer], b""),
        (f"{url}s", [bearer], b""),
    ]
    for index, (path, headers, query) in enumerate(left_to_the_route, 1):
        status, _headers, body = _ask(fast_path, path, headers, query)
        assert (status, body, route.calls) == (599, b"", index), (path, headers, query)

    broken = ThumbnailFastPath(route, site.context, cache)

    def failing_read(*_args: object) -> None:
        raise OSError("the database went away")

    broken.access.by_token = failing_read  # type: ignore[method-assign,assignment]
    assert _ask(broken, url, [bearer])[0] == 599  # the route gives its own typed answer
    cold = ThumbnailFastPath(route, site.context, ThumbnailCache(1024))
    assert _ask(cold, url, [bearer])[0] == 599  # not in memory: the route reads or makes it
    calls = route.calls
    revoke_user(site.context, username)
    for way in (bearer, by_cookie):
        assert _ask(fast_path, url, [way])[0] == 599
        assert _ask(fast_path, url, [way, ("if-none-match", etag)])[0] == 599
    assert route.calls == calls + 4
