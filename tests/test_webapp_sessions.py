"""Signing in to the web app: session cookies, their end, CSRF, and the pages' headers.

Each test runs on ``pixlake ui``'s app over an embedded workspace and on both servers."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user, hash_token, revoke_user
from pixlake.core.services.sessions import session_user
from pixlake.core.workspace import open_workspace
from pixlake.server.app import create_app
from pixlake.settings import Settings
from pixlake.web.headers import PAGE_POLICY
from pixlake.web.sessions import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    issue_session,
    open_session,
)
from tests.conftest import SERVER_FIXTURES
from tests.services import PIXLAKE, pixlake_environment, stop_process
from tests.webapp_site import Site, serve_workspace, site_of


@pytest.fixture(scope="module")
def ui_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_workspace(tmp_path_factory.mktemp("ui-workspace"))


@pytest.fixture
def site(mode: str, request: pytest.FixtureRequest) -> Site:
    if mode == "embedded":
        return request.getfixturevalue("ui_site")
    return site_of(request.getfixturevalue(SERVER_FIXTURES[mode]))


def _set_cookies(answer: httpx.Response) -> dict[str, str]:
    """Each cookie the answer sets, with its attributes as written (lower case)."""
    found = {}
    for header in answer.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        found[name] = header.lower()
    return found


def test_sign_in_gives_a_session_and_a_csrf_token(site: Site) -> None:
    username, token = site.new_user()
    with site.browser() as browser:
        answer = browser.post("/ui/session", json={"token": token})
        assert answer.status_code == 200, answer.text
        assert answer.json()["me"]["user"]["username"] == username
        cookies = _set_cookies(answer)
        session, csrf = cookies[SESSION_COOKIE], cookies[CSRF_COOKIE]
        assert "httponly" in session and "samesite=strict" in session and "path=/" in session
        assert "secure" not in session  # served over plain http here
        assert "httponly" not in csrf and "samesite=strict" in csrf
        assert browser.cookies[CSRF_COOKIE] == answer.json()["csrf_token"]
        # The API itself accepts the cookie, scoped to the user's organization.
        assert browser.get("/me").json()["user"]["username"] == username
        assert browser.get("/ui/session").json()["me"]["user"]["username"] == username
        shell = browser.get("/", follow_redirects=False)
        assert shell.status_code == 200 and shell.headers["content-type"].startswith("text/html")


def test_a_form_sign_in_goes_to_the_app(site: Site) -> None:
    with site.browser() as browser:
        answer = browser.post("/ui/session", data={"token": site.new_token()})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert browser.get("/", follow_redirects=False).status_code == 200


def test_session_cookie_is_secure_over_https(tmp_path: Path) -> None:
    opened = open_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        token = _token(opened.context)
        with TestClient(create_app(opened.context), base_url="https://pixlake.example") as http:
            answer = http.post("/ui/session", json={"token": token})
        assert answer.status_code == 200
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            assert "; secure" in _set_cookies(answer)[name]
    finally:
        opened.close()


def _token(context: AppContext) -> str:
    _user, token = create_user(context, "someone", "an-org")
    assert token is not None
    return token


def test_a_wrong_token_sets_no_cookie(site: Site) -> None:
    with site.browser() as browser:
        answer = browser.post("/ui/session", json={"token": "pxl_not-a-token"})
        assert answer.status_code == 401
        assert answer.json()["message"] == "the API token is not valid"
        assert "set-cookie" not in answer.headers and not browser.cookies


def test_a_revoked_token_sets_no_cookie(site: Site) -> None:
    username, token = site.new_user()
    revoke_user(site.context, username)
    with site.browser() as browser:
        answer = browser.post("/ui/session", json={"token": token})
        assert answer.status_code == 401
        assert answer.json()["message"] == "the API token has been revoked"
        assert "set-cookie" not in answer.headers


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"token": ""}',
        b'{"token": "' + b"x" * 300 + b'"}',
        b'{"password": "pxl_x"}',
        b'["pxl_x"]',
    ],
    ids=["not-json", "empty", "too-long", "no-token-field", "not-an-object"],
)
def test_a_malformed_sign_in_is_refused(site: Site, content: bytes) -> None:
    with site.browser() as browser:
        answer = browser.post(
            "/ui/session", content=content, headers={"content-type": "application/json"}
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["details"] == {"field": "token"}
    assert "set-cookie" not in answer.headers


def test_another_site_cannot_sign_a_visitor_in(site: Site) -> None:
    with site.browser() as browser:
        answer = browser.post(
            "/ui/session",
            data={"token": site.new_token()},
            headers={"origin": "https://evil.example"},
        )
    assert answer.status_code == 403 and answer.json()["code"] == "csrf_failed"
    assert "set-cookie" not in answer.headers


def test_revoking_the_token_ends_its_sessions(site: Site) -> None:
    username, token = site.new_user()
    with site.signed_in(token) as browser:
        assert browser.get("/me").status_code == 200
        revoke_user(site.context, username)
        answer = browser.get("/me")
        assert answer.status_code == 401 and answer.json()["code"] == "session_expired"
        assert browser.get("/", follow_redirects=False).headers["location"] == "/ui/signin"


def _forged(site: Site, token: str, how: str) -> str:
    """A session cookie that must not pass, made ``how``."""
    with site.browser() as browser:
        browser.post("/ui/session", json={"token": token})
        genuine = browser.cookies[SESSION_COOKIE]
    secret = site.context.settings.secret_key or ""
    session = open_session(secret, genuine)
    if how == "expired":
        user = session_user(site.context, session.user_id)
        assert user is not None
        return issue_session(secret, session.user_id, user.token_hash, lifetime=-60)
    if how == "wrong-key":
        return issue_session("another key", session.user_id, hash_token(token), lifetime=600)
    if how == "tampered-expiry":
        parts = genuine.split(".")
        parts[2] = str(int(parts[2]) + 10**6)
        return ".".join(parts)
    if how == "other-user":
        other_token = site.new_token()
        with site.browser() as browser:
            browser.post("/ui/session", json={"token": other_token})
            other = browser.cookies[SESSION_COOKIE].split(".")
        parts = genuine.split(".")
        return ".".join([parts[0], other[1], *parts[2:]])
    return {"garbage": "garbage", "empty": "", "non-ascii": "v1.é.1.2.3.4"}[how]


@pytest.mark.parametrize(
    "how",
    ["expired", "wrong-key", "tampered-expiry", "other-user", "garbage", "empty", "non-ascii"],
)
def test_an_expired_or_forged_session_is_refused(site: Site, how: str) -> None:
    cookie = _forged(site, site.new_token(), how)
    # As raw bytes: a forger's cookie need not be ASCII.
    headers = [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())]
    with site.browser() as browser:
        answer = browser.get("/me", headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] in ("session_expired", "unauthorized")
        assert browser.get("/", headers=headers, follow_redirects=False).status_code == 303
        assert browser.get("/datalakes", headers=headers).status_code == 401


def test_writes_with_the_cookie_need_the_csrf_token(site: Site) -> None:
    token = site.new_token()
    with site.signed_in(token) as browser:
        csrf = browser.headers.pop(CSRF_HEADER)
        refused = [
            browser.post("/datalakes", json={"name": "no-header"}),
            browser.post("/datalakes", json={"name": "wrong"}, headers={CSRF_HEADER: "0" * 64}),
            browser.post(
                "/datalakes",
                json={"name": "cross-origin"},
                headers={CSRF_HEADER: csrf, "origin": "http://evil.example"},
            ),
            browser.post(
                "/datalakes",
                json={"name": "cross-site"},
                headers={CSRF_HEADER: csrf, "sec-fetch-site": "cross-site"},
            ),
            browser.post("/tags", json={"name": "no-header", "target": "DATA"}),
        ]
        for answer in refused:
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "csrf_failed"
        assert [lake["name"] for lake in browser.get("/datalakes").json()] == ["default"]
        assert browser.get("/tags", params={"target": "DATA"}).json() == []
        accepted = browser.post("/datalakes", json={"name": "mine"}, headers={CSRF_HEADER: csrf})
        assert accepted.status_code == 201, accepted.text
    # A Bearer request carries no cookie a forger could ride: it needs no CSRF token.
    with httpx.Client(base_url=site.url, headers={"authorization": f"Bearer {token}"}) as api:
        assert api.post("/datalakes", json={"name": "by-token"}).status_code == 201


def test_sign_out_clears_the_session(site: Site) -> None:
    with site.signed_in(site.new_token()) as browser:
        answer = browser.delete("/ui/session")
        assert answer.status_code == 204
        assert SESSION_COOKIE not in browser.cookies and CSRF_COOKIE not in browser.cookies
        assert browser.get("/me").status_code == 401
        assert browser.get("/", follow_redirects=False).headers["location"] == "/ui/signin"


def test_pages_have_a_strict_policy_and_need_a_session(site: Site) -> None:
    with site.browser() as browser:
        assert browser.get("/", follow_redirects=False).headers["location"] == "/ui/signin"
        sign_in = browser.get("/ui/signin")
        assert sign_in.status_code == 200 and "<form" in sign_in.text
        assert sign_in.headers["content-security-policy"] == PAGE_POLICY
        assert "unsafe-inline" not in PAGE_POLICY and "script-src 'self'" in PAGE_POLICY
        assert browser.get("/me").status_code == 401  # the API still asks for sign-in
        assert browser.get("/health").status_code == 200


def test_docs_page_works_offline(site: Site) -> None:
    with site.browser() as browser:
        page = browser.get("/docs")
        assert page.status_code == 200 and page.headers["content-security-policy"] == PAGE_POLICY
        scripts = [part.split('"', 1)[0] for part in page.text.split('src="')[1:]] + [
            part.split('"', 1)[0] for part in page.text.split('href="')[1:]
        ]
        assert scripts and all(src.startswith("/ui/static/") for src in scripts), scripts
        for src in scripts:
            asset = browser.get(src)
            assert asset.status_code == 200 and asset.content, src
        bundle = browser.get("/ui/static/vendor/swagger-ui/swagger-ui-bundle.js")
        assert "SwaggerUIBundle" in bundle.text
        assert browser.get("/ui/static/vendor/swagger-ui/LICENSE").status_code == 200


def test_one_time_link_signs_the_owner_in_once(ui_site: Site) -> None:
    assert ui_site.owner_login is not None
    link = urlsplit(ui_site.owner_login())
    path = f"{link.path}?{link.query}"
    with ui_site.browser() as browser:
        answer = browser.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert browser.get("/me").json()["user"]["username"] == "owner"
    with ui_site.browser() as again:
        spent = again.get(path, follow_redirects=False)
        assert spent.headers["location"].startswith("/ui/signin")
        assert "set-cookie" not in spent.headers
        assert again.get("/me").status_code == 401


def test_pixlake_ui_serves_a_workspace_on_loopback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [PIXLAKE, "ui", "--workspace", str(tmp_path / "ws"), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=pixlake_environment(),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        link = urlsplit(line.split("open ", 1)[1].strip())
        assert link.hostname == "127.0.0.1" and link.port and link.path == "/ui/login"
        base = f"http://{link.netloc}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "pixlake ui did not answer"
                time.sleep(0.1)
        with httpx.Client(base_url=base) as browser:
            assert browser.get("/datalakes").status_code == 401  # no owner without the link
            browser.get(f"{link.path}?{link.query}")
            assert browser.get("/me").json()["user"]["username"] == "owner"
            assert browser.get("/", follow_redirects=False).status_code == 200
    finally:
        stop_process(process)
