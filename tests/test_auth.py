"""Tokens, revocation, organization isolation and signed URLs."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from pixlake import Client, ForbiddenError, UnauthorizedError
from pixlake.core.services.accounts import create_user, revoke_user
from pixlake.server.signing import sign_object_url, verify_object_signature
from tests.conftest import LiveServer


def test_health_needs_no_token(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/health").json()["status"] == "ok"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer wrong"},
        {"authorization": "Basic abc"},
        {"authorization": "Bearer"},
    ],
)
def test_requests_without_a_valid_token_are_refused(live_server: LiveServer, headers: dict) -> None:
    for path in ("/me", "/datalakes", "/tags"):
        answer = httpx.get(f"{live_server.url}{path}", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["code"] == "unauthorized"


def test_client_refuses_missing_or_wrong_token(live_server: LiveServer, monkeypatch) -> None:
    monkeypatch.delenv("PIXLAKE_API_TOKEN", raising=False)
    with pytest.raises(UnauthorizedError):
        Client(host=live_server.url)
    with pytest.raises(UnauthorizedError, match="not valid"):
        Client(api_token="pxl_wrong", host=live_server.url)


def test_environment_selects_server_mode(live_server: LiveServer, monkeypatch) -> None:
    name, token = live_server.new_user()
    monkeypatch.setenv("PIXLAKE_HOST", live_server.url)
    monkeypatch.setenv("PIXLAKE_API_TOKEN", token)
    with Client() as client:
        assert client.mode == "server" and client.username == name


def test_revoked_token_is_refused(live_server: LiveServer, images: list[Path]) -> None:
    name, token = live_server.new_user()
    client = Client(api_token=token, host=live_server.url)
    client.get_datalake().upload_data(images[0])
    revoke_user(live_server.workspace.context, name)
    with pytest.raises(UnauthorizedError, match="revoked"):
        client.get_datalake()
    client.close()


def test_only_the_token_hash_is_stored(live_server: LiveServer) -> None:
    _user, token = create_user(live_server.workspace.context, "hash-check", "hash-org")
    assert token
    database = (live_server.workspace.path / "pixlake.db").read_bytes()
    wal = live_server.workspace.path / "pixlake.db-wal"
    stored = database + (wal.read_bytes() if wal.exists() else b"")
    assert token.encode() not in stored
    assert hashlib.sha256(token.encode()).hexdigest().encode() in stored


def test_embedded_client_can_act_as_another_user(tmp_path: Path) -> None:
    with Client(workspace=tmp_path) as owner:
        assert owner.username == "owner"
    from pixlake.core.workspace import open_workspace
    from pixlake.settings import Settings

    opened = open_workspace(Settings(workspace=tmp_path))
    _user, token = create_user(opened.context, "bob", "bobs-org")
    opened.close()
    with Client(workspace=tmp_path, api_token=token) as bob:
        assert (bob.username, bob.organization_name) == ("bob", "bobs-org")
    with pytest.raises(UnauthorizedError):
        Client(workspace=tmp_path, api_token="pxl_nope")


def _tamper(url: str, **changes: str) -> str:
    parsed = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()} | changes
    return parsed._replace(query=urlencode(query)).geturl()


def test_signed_urls_are_checked(live_server: LiveServer, images: list[Path]) -> None:
    _name, token = live_server.new_user()
    with Client(api_token=token, host=live_server.url) as client:
        url = client.get_datalake().upload_data(images[0]).reset_url()
    assert httpx.get(url).content == images[0].read_bytes()
    forged = _tamper(url, signature="0" * 64)
    assert httpx.get(forged).status_code == 403
    longer = _tamper(url, expires=str(int(time.time()) + 10**6))
    assert httpx.get(longer).status_code == 403
    assert httpx.get(url.split("?")[0]).status_code == 400


def test_expired_signature_is_refused() -> None:
    url, _expires = sign_object_url("http://x", "secret", "a/b", "image/png", expiry_seconds=1)
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    verify_object_signature("secret", "a/b", int(query["expires"]), "image/png", query["signature"])
    with pytest.raises(ForbiddenError, match="expired"):
        verify_object_signature(
            "secret",
            "a/b",
            int(time.time()) - 5,
            "image/png",
            _sig("secret", "a/b", int(time.time()) - 5, "image/png"),
        )
    with pytest.raises(ForbiddenError):
        verify_object_signature(
            "other", "a/b", int(query["expires"]), "image/png", query["signature"]
        )


def _sig(secret: str, name: str, expires: int, content_type: str) -> str:
    from pixlake.server.signing import _signature

    return _signature(secret, name, expires, content_type)


def test_environment_token_is_not_used_for_a_workspace(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PIXLAKE_API_TOKEN", "pxl_meant_for_a_server")
    with Client(workspace=tmp_path) as client:
        assert client.username == "owner"


def test_owner_has_no_token_to_revoke(tmp_path: Path) -> None:
    from pixlake import BadRequestError
    from pixlake.core.workspace import open_workspace
    from pixlake.settings import Settings

    opened = open_workspace(Settings(workspace=tmp_path))
    try:
        with pytest.raises(BadRequestError, match="owner"):
            revoke_user(opened.context, "owner")
    finally:
        opened.close()
