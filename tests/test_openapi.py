"""The API's OpenAPI document tells the truth: the errors each route answers, the token it
needs, resolvable references, and routes that answer what their paths say."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from pixlake import Client
from pixlake.core.workspace import open_workspace
from pixlake.errors import BadRequestError, NotFoundError, error_class_for_code
from pixlake.server.app import create_app
from pixlake.settings import Settings
from tests.conftest import LiveServer

SOME_ID = "01a21db0-0000-7000-8000-000000000000"
PUBLIC = {("get", "/health"), ("get", "/objects/{object_name}")}
"""Operations that take no token: a health check, and signed URLs (the signature is the
credential)."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    opened = open_workspace(Settings(workspace=tmp_path_factory.mktemp("openapi")))
    yield create_app(opened.context)
    opened.close()


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_no_route_documents_422(document: dict[str, Any]) -> None:
    """pixlake answers invalid input with 400; FastAPI's 422 and its schemas are gone. The
    one 422 left is a reused Idempotency-Key, on the routes that take one."""
    for method, path, operation in operations(document):
        unprocessable = operation["responses"].get("422")
        if unprocessable is not None:
            assert unprocessable["x-error-codes"] == ["idempotency_key_reused"], (method, path)
            assert any(
                parameter["name"] == "Idempotency-Key" for parameter in operation["parameters"]
            ), (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_error_answers_have_the_error_body_and_their_codes(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
            codes = response["x-error-codes"]
            assert codes, (method, path, status)
            for code in codes:  # each code is one of pixlake's, of that very status
                assert error_class_for_code(code, 0).status_code == int(status), code
    body = document["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message"}
    assert set(body["properties"]) == {"code", "message", "details"}


def test_errors_of_each_kind_of_route(document: dict[str, Any]) -> None:
    """Input → 400, a body → 413, a token → 401, an id in the path → 404; and what a route
    itself declares (a name taken → 409, a locked version → 409 ``locked``)."""
    # Any request may be cut short by the server's limits: a head too large, a slow client.
    cut_short = {"408", "431"}
    responses = document["paths"]["/datasets/{dataset_id}"]["patch"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "409", "413"} | cut_short
    assert responses["409"]["x-error-codes"] == ["conflict"]
    assert set(document["paths"]["/me"]["get"]["responses"]) == {"200", "401"} | cut_short
    assert set(document["paths"]["/health"]["get"]["responses"]) == {"200"} | cut_short
    delete_shape = document["paths"]["/shapes/{shape_id}"]["delete"]["responses"]
    assert set(delete_shape) == {"204", "401", "403", "404", "409"} | cut_short
    assert delete_shape["409"]["x-error-codes"] == ["locked"]
    upload = document["paths"]["/datalakes/{datalake_id}/data"]["put"]["responses"]
    assert {"invalid_filename", "invalid_media"} <= set(upload["400"]["x-error-codes"])
    assert upload["507"]["x-error-codes"] == ["insufficient_storage"]
    objects = document["paths"]["/objects/{object_name}"]["get"]["responses"]
    assert set(objects) == {"200", "400", "403", "404"} | cut_short
    attach = document["paths"]["/tags/attach"]["post"]["responses"]
    assert set(attach["409"]["x-error-codes"]) == {"locked", "request_in_progress"}
    assert attach["422"]["x-error-codes"] == ["idempotency_key_reused"]


def test_every_route_but_health_and_signed_urls_needs_a_bearer_token(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
    (name,) = schemes
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
        else:
            assert operation["security"] == [{name: []}], (method, path)


def test_documented_token_is_really_needed(
    live_server: LiveServer, document: dict[str, Any]
) -> None:
    """Every operation the document says needs a token answers 401 without one."""
    checked = 0
    with httpx.Client(base_url=live_server.url) as http:
        for method, path, operation in operations(document):
            if "security" not in operation:
                continue
            checked += 1
            concrete = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    concrete = concrete.replace("{" + parameter["name"] + "}", SOME_ID)
            answer = http.request(method, concrete)
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["code"] == "unauthorized"
    assert checked == len(list(operations(document))) - len(PUBLIC)


def test_no_dangling_ref(document: dict[str, Any]) -> None:
    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            assert part in target, f"{ref} does not resolve"
            target = target[part]


def test_shape_geometry_is_in_the_document(document: dict[str, Any]) -> None:
    """What the API refuses of a shape, the document says: the body of the shape route
    names ShapesCreate, whose shapes say per kind what they need."""
    body = document["paths"]["/annotations/{annotation_id}/shapes"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    shape = document["components"]["schemas"]["ShapeIn"]
    assert schema["properties"]["shapes"]["items"] == {"$ref": "#/components/schemas/ShapeIn"}
    by_kind = {variant["properties"]["kind"]["const"]: variant for variant in shape["oneOf"]}
    assert by_kind["POLYGON"]["properties"]["coords"]["minItems"] == 3
    assert by_kind["LINE"]["properties"]["coords"]["minItems"] == 2
    assert by_kind["POINT"]["properties"]["coords"]["maxItems"] == 1
    assert by_kind["RECTANGLE"]["properties"]["w"]["exclusiveMinimum"] == 0


def test_uploads_document_their_bytes(document: dict[str, Any]) -> None:
    put = document["paths"]["/datalakes/{datalake_id}/data"]["put"]["requestBody"]
    assert put["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    bundle = document["paths"]["/datalakes/{datalake_id}/data/bundle"]["post"]["requestBody"]
    assert "application/x-pixlake-bundle" in bundle["content"]


# Routes: literal paths not shadowed by {id} paths, and a true Allow


def _routes(app: FastAPI) -> list[Any]:
    return [route for route in iter_route_contexts(app.routes) if route.methods]


def _concrete(path_format: str) -> str:
    """A path of the route with every parameter a UUID (ids) or a plain segment."""
    parts = []
    for part in path_format.split("/"):
        parts.append(
            str(uuid.uuid4())
            if part.startswith("{") and part.endswith("_id}")
            else "a/b"
            if part == "{object_name}"  # a path parameter, slashes and all
            else "a"
            if part.startswith("{")
            else part
        )
    return "/".join(parts)


def test_literal_routes_are_not_shadowed_by_id_routes(app: FastAPI) -> None:
    """No route's pattern matches a path of another route (``/data/{data_id}`` used to
    match ``/data/delete``, so ``GET /data/delete`` answered 400 "not a UUID")."""
    routes = _routes(app)
    for route in routes:
        path = _concrete(route.path_format)
        for other in routes:
            if other.path_format != route.path_format:
                assert not other.path_regex.match(path), (other.path_format, path)


def test_wrong_method_answers_405_with_a_true_allow(live_server: LiveServer, app: FastAPI) -> None:
    by_path: dict[str, set[str]] = {}
    for route in _routes(app):
        if route.path_format.startswith(("/docs", "/redoc", "/openapi")):
            continue
        by_path.setdefault(route.path_format, set()).update(route.methods)
    _name, token = live_server.new_user()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers) as http:
        for path_format, methods in by_path.items():
            path = _concrete(path_format)
            for wrong in {"GET", "POST", "PUT", "PATCH", "DELETE"} - methods:
                answer = http.request(wrong, path)
                assert answer.status_code == 405, (wrong, path_format, answer.text)
                allowed = {m.strip() for m in answer.headers["allow"].split(",")}
                assert allowed == methods, (wrong, path_format)


def test_an_id_that_is_not_a_uuid_names_nothing(live_server: LiveServer) -> None:
    _name, token = live_server.new_user()
    answer = httpx.get(
        f"{live_server.url}/datasets/not-a-uuid", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 404


# Strict types: bools are not numbers, numbers are not bools


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/datalakes/{lake}/data/search", {"limit": True}, id="limit-true"),
        pytest.param("/datalakes/{lake}/data/search", {"offset": "3"}, id="offset-string"),
        pytest.param("/datalakes/{lake}/data/search", {"limit": 2.5}, id="limit-fraction"),
        pytest.param("/trash/purge", {"everything": 0}, id="everything-0"),
        pytest.param("/trash/purge", {"everything": "true"}, id="everything-string"),
    ],
)
def test_strict_types_refuse_bools_as_numbers_and_numbers_as_bools(
    client: Client, path: str, body: dict[str, Any]
) -> None:
    lake = client.get_datalake()
    with pytest.raises(BadRequestError, match="invalid request"):
        client._connection.request("POST", path.format(lake=lake.id), json=body)


def test_strict_duration_refuses_false(client: Client, images: list[Path]) -> None:
    data = client.get_datalake().upload_data(images[0])
    version = client.create_dataset("strict").create_version("v1")
    asset = version.add_data(data)[0]
    with pytest.raises(BadRequestError, match="duration"):
        client._connection.request(
            "POST", f"/assets/{asset.id}/annotations", json={"duration": False}
        )
    assert asset.list_annotations() == []
    made = client._connection.request(
        "POST", f"/assets/{asset.id}/annotations", json={"duration": 3}
    )  # an int is a fine float
    assert made["duration"] == 3.0


def test_an_integer_written_as_a_float_is_an_integer(client: Client) -> None:
    """JSON Schema calls 3.0 an integer: what the document allows, the server accepts."""
    lake = client.get_datalake()
    page = client._connection.request(
        "POST", f"/datalakes/{lake.id}/data/search", json={"limit": 3.0}
    )
    assert page["items"] == []


def test_strict_query_integers(live_server: LiveServer) -> None:
    """``expires`` of a signed URL is decimal digits: ``1.0``, ``+5``, ``1_000`` refused."""
    for written in ("1.0", "+5", "1_000", " 12"):
        answer = httpx.get(
            f"{live_server.url}/objects/some/object", params={"expires": written, "signature": "0"}
        )
        assert answer.status_code == 400, written
    answer = httpx.get(
        f"{live_server.url}/objects/some/object", params={"expires": "12", "signature": "0"}
    )
    assert answer.status_code == 403  # well formed, but not signed


def test_tagging_a_kind_not_stored_yet_is_not_found(client: Client) -> None:
    """Models can't be tagged yet: their ids name nothing (404), as the schema's enum of
    targets allows the request (it used to answer 400)."""
    with pytest.raises(NotFoundError):
        client._connection.request(
            "POST", "/tags/of", json={"target": "MODEL_VERSION", "object_id": SOME_ID}
        )
