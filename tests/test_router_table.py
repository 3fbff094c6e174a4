"""The router table is the truth about the routes, and an embedded application that builds
its routers on demand answers as one that built them all (pixlake.server.router_table)."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts

import pixlake.server.routers
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.server.app import create_app
from pixlake.server.router_table import ANY, ROUTER_SOURCES, first_segment, path_family
from pixlake.settings import Settings

SOME_ID = "01a21db0-0000-7000-8000-000000000000"


def _paths(router: APIRouter) -> list[str]:
    return [route.path for route in iter_route_contexts(router.routes)]


def _routes(app: FastAPI) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (route.path, tuple(sorted(route.methods or ())))
        for route in iter_route_contexts(app.routes)
    ]


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Workspace]:
    opened = open_workspace(Settings(workspace=tmp_path / "ws", compat_api=False))
    yield opened
    opened.close()


def _family_of_route(path: str) -> str:
    """The family a route's path declares: ``versions/*`` when its third segment is a
    parameter, or when a parameter that spans slashes (``:path``) may supply one."""
    parts = path.split("/")
    if any(":path}" in part for part in parts[2:4]) or (parts[3:4] and parts[3].startswith("{")):
        return f"{parts[1]}/{ANY}"
    return path_family(path)


def test_every_route_is_of_a_family_of_its_source() -> None:
    for source in ROUTER_SOURCES:
        paths = _paths(source.load())
        assert paths, source
        for path in paths:
            segment = first_segment(path)
            assert "{" not in segment, path  # a literal segment, matched before any parameter
            family = _family_of_route(path)
            assert family in source.families, (source.module, source.attribute, path, family)


def test_every_family_of_the_table_has_a_route() -> None:
    # A family no route has would fill a router for nothing.
    for source in ROUTER_SOURCES:
        declared = {_family_of_route(path) for path in _paths(source.load())}
        assert source.families == declared, (source.module, source.attribute)


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/versions", "versions"),
        ("/versions/", "versions"),
        (f"/versions/{SOME_ID}", "versions"),
        (f"/versions/{SOME_ID}/", "versions"),
        (f"/versions/{SOME_ID}/assets", "versions/assets"),
        (f"/versions/{SOME_ID}/assets/", "versions/assets"),
        (f"/versions/{SOME_ID}/assets/{SOME_ID}/tags", "versions/assets"),
        ("/", ""),
        ("", ""),
    ],
)
def test_the_family_of_a_path(path: str, family: str) -> None:
    assert path_family(path) == family


def test_a_concrete_path_of_a_route_is_of_a_family_its_source_answers() -> None:
    # What fill_for computes from a request's path, for a path each route matches.
    for source in ROUTER_SOURCES:
        for path in _paths(source.load()):
            concrete = re.sub(r"\{[^}]*\}", "x", path)
            assert source.answers(path_family(concrete)), (source.module, path, concrete)
            with_key = path.replace(":path}", "}").replace("{object_name}", "a/b/c/d")
            assert source.answers(path_family(re.sub(r"\{[^}]*\}", "x", with_key))), path


def test_every_router_of_the_package_is_in_the_table() -> None:
    tabled = {(source.module, source.attribute) for source in ROUTER_SOURCES}
    for info in pkgutil.iter_modules(pixlake.server.routers.__path__):
        module = importlib.import_module(f"pixlake.server.routers.{info.name}")
        for attribute, value in vars(module).items():
            if isinstance(value, APIRouter) and value.routes:
                assert (info.name, attribute) in tabled, (info.name, attribute)


def test_an_embedded_app_once_built_holds_the_served_routes_in_their_order(
    opened: Workspace,
) -> None:
    served = _routes(create_app(opened.context))
    embedded_app = create_app(opened.context, embedded_owner=opened.owner)
    embedded_app.openapi()  # builds every router
    embedded = _routes(embedded_app)
    local = {"/datalakes/{datalake_id:uuid}/data/ingest-local"}
    local |= {"/model-versions/{model_version_id:uuid}/files/local"}
    assert [route for route in embedded if route[0] not in local] == served
    assert {path for path, _ in embedded} - {path for path, _ in served} == local


def _ask(app: FastAPI, method: str, path: str, root_path: str = "") -> httpx.Response:
    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://e") as http:
            return await http.request(method, path)

    return asyncio.run(ask())


def test_a_request_builds_the_routers_of_its_path_only(opened: Workspace) -> None:
    app = create_app(opened.context, embedded_owner=opened.owner)
    assert not [path for path, _ in _routes(app) if first_segment(path) == "me"]
    assert _ask(app, "GET", "/me").status_code == 200
    web = {"", "ui", "docs", "openapi.json"}  # the web app's routes are always there
    assert {first_segment(path) for path, _ in _routes(app)} - web == {"me", "users"}
    assert _ask(app, "GET", "/datalakes").status_code == 200
    assert "datalakes" in {first_segment(path) for path, _ in _routes(app)}
    assert "datasets" not in {first_segment(path) for path, _ in _routes(app)}
    # The datalakes' family only: not the gallery's routes under the same first segment.
    assert not [path for path, _ in _routes(app) if path_family(path) == "datalakes/gallery"]


def test_a_request_under_versions_builds_the_routers_of_its_family_only(
    opened: Workspace,
) -> None:
    app = create_app(opened.context, embedded_owner=opened.owner)
    assert _ask(app, "GET", f"/versions/{SOME_ID}/assets/count").status_code == 404
    families = {_family_of_route(path) for path, _ in _routes(app)}
    assert "versions/assets" in families
    assert not families & {"versions/export", "versions/split", "versions/gallery", "versions"}
    assert _ask(app, "GET", f"/versions/{SOME_ID}").status_code == 404
    assert "versions" in {_family_of_route(path) for path, _ in _routes(app)}
    assert "versions/export" not in {_family_of_route(path) for path, _ in _routes(app)}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", f"/versions/{SOME_ID}/stats"),  # 405: Allow names every method of the path
        ("PUT", f"/datasets/{SOME_ID}"),
        ("GET", f"/datasets/{SOME_ID}"),  # 404 of a missing object
        ("GET", "/no-such-thing"),  # 404 of no route
        ("GET", f"/versions/{SOME_ID}/no-such-thing"),  # 404 of a family no route has
        ("GET", f"/versions/{SOME_ID}/assets/"),  # the redirect to the path without a slash
        ("POST", f"/versions/{SOME_ID}/split"),  # 422 of a missing body
        ("GET", f"/objects/{SOME_ID}/a/b"),  # a path parameter spanning slashes
        ("GET", f"/datalakes/{SOME_ID}/gallery"),
        ("GET", f"/versions/{SOME_ID}/assets?limit=-1"),  # 400 of a bad parameter
        ("POST", f"/datalakes/{SOME_ID}/data/bundle"),  # a file route's body limits
    ],
)
def test_a_first_request_answers_as_a_built_app_does(
    opened: Workspace, method: str, path: str
) -> None:
    built = create_app(opened.context, embedded_owner=opened.owner)
    built.openapi()
    expected = _ask(built, method, path)
    fresh = _ask(create_app(opened.context, embedded_owner=opened.owner), method, path)
    assert (fresh.status_code, fresh.headers.get("allow"), fresh.content) == (
        expected.status_code,
        expected.headers.get("allow"),
        expected.content,
    )


def test_the_document_of_a_fresh_embedded_app_lists_every_route(opened: Workspace) -> None:
    served = create_app(opened.context).openapi()["paths"]
    fresh = _ask(create_app(opened.context, embedded_owner=opened.owner), "GET", "/openapi.json")
    assert set(served) <= set(fresh.json()["paths"])


def test_an_app_mounted_under_a_prefix_builds_the_routers_of_the_path_below_it(
    opened: Workspace,
) -> None:
    # The prefix is a first segment of the table too: the family is read below it.
    path = f"/models/versions/{SOME_ID}/stats"
    built = create_app(opened.context, embedded_owner=opened.owner)
    built.openapi()
    expected = _ask(built, "GET", path, root_path="/models")
    fresh = _ask(
        create_app(opened.context, embedded_owner=opened.owner), "GET", path, root_path="/models"
    )
    assert expected.status_code == 404 and b"dataset version" in expected.content
    assert (fresh.status_code, fresh.content) == (expected.status_code, expected.content)
