"""Roles inside an organization (issue 9 item 10): admins and members, route by route.

Each test has an organization of its own: ``client`` is its admin (the first user of a new
organization, or the embedded workspace's owner); colleagues are made with
``accounts.create_user`` on the platform ``client`` talks to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pixlake import Client
from pixlake.core.context import AppContext
from pixlake.core.roles import AdminAction
from pixlake.core.services.accounts import create_user
from pixlake.enums import Role, Target
from pixlake.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    PixlakeError,
    UnauthorizedError,
)

MakeUser = Callable[..., Client]


@pytest.fixture
def make_user(client: Client, platform: AppContext) -> Iterator[MakeUser]:
    """Makes a user (a member of ``client``'s organization by default) and a client acting
    as it, reaching the platform the way ``client`` does."""
    made: list[Client] = []

    def make(role: Role | None = Role.MEMBER, organization: str | None = None) -> Client:
        username = f"user-{uuid.uuid4().hex[:10]}"
        _user, token = create_user(
            platform, username, organization or client.organization_name, role=role
        )
        if client.mode == "embedded":
            other = Client(workspace=client.workspace, api_token=token)
        else:
            other = Client(api_token=token, host=str(client._connection.http.base_url))
        made.append(other)
        return other

    yield make
    for other in made:
        other.close()


@dataclass
class Org:
    """An organization's content, made by its admin."""

    admin: Client
    member: Client
    bystander: str  # the username of a third user, for the revoke route
    dataset_id: uuid.UUID
    version_id: uuid.UUID
    asset_ids: list[uuid.UUID]
    loose_data_id: uuid.UUID  # uploaded but in no version: deletable
    trashed_version_id: uuid.UUID
    tag_id: uuid.UUID
    annotation_id: uuid.UUID  # the admin's, with one rectangle
    shape_id: uuid.UUID
    label_id: uuid.UUID
    model_id: uuid.UUID
    model_version_id: uuid.UUID


@pytest.fixture
def org(
    client: Client, platform: AppContext, make_user: MakeUser, sample_images: list[Path]
) -> Org:
    member = make_user()
    bystander, _token = create_user(
        platform, f"bystander-{uuid.uuid4().hex[:8]}", client.organization_name
    )
    lake = client.get_datalake()
    data = lake.upload_data(sample_images[:3])
    dataset = client.create_dataset("d")
    version = dataset.create_version("v1")
    assets = version.add_data(data[:2])
    old = dataset.create_version("old")
    old.delete()
    label = version.create_label("cat")
    annotation = assets[0].create_annotation(1.0)
    rectangle = annotation.create_rectangle(1, 2, 3, 4, label)
    tag = client.create_tag("shared", Target.DATA)
    model = client.create_model("detector")
    model_version = model.create_version(labels={"0": "cat"})
    return Org(
        admin=client,
        member=member,
        bystander=bystander.username,
        dataset_id=dataset.id,
        version_id=version.id,
        asset_ids=[asset.id for asset in assets],
        loose_data_id=data[2].id,
        trashed_version_id=old.id,
        tag_id=tag.id,
        annotation_id=annotation.id,
        shape_id=rectangle.id,
        label_id=label.id,
        model_id=model.id,
        model_version_id=model_version.id,
    )


def call(user: Client, method: str, path: str, json: Any = None) -> Any:
    return user._connection.request(method, path, json=json)


def organization_state(admin: Client, org: Org) -> dict[str, Any]:
    """What an admin sees of the organization: a refused request must change none of it."""

    def seen(method: str, path: str, body: Any = None) -> Any:
        try:
            found = call(admin, method, path, body)
        except NotFoundError:
            return "not found"  # the dataset or version has gone to the trash
        return found["items"] if isinstance(found, dict) and "items" in found else found

    return {
        "datalakes": seen("GET", "/datalakes"),
        "datasets": seen("GET", "/datasets"),
        "versions": seen("GET", f"/datasets/{org.dataset_id}/versions"),
        "trash": seen("GET", "/trash"),
        "users": seen("GET", "/users"),
        "tags": seen("GET", "/tags"),
        "data": seen("POST", f"/datalakes/{admin.get_datalake().id}/data/search", {}),
        "assets": seen("POST", f"/versions/{org.version_id}/assets/search", {}),
        "annotations": seen("POST", f"/versions/{org.version_id}/annotations/search", {}),
        "shapes": seen("GET", f"/annotations/{org.annotation_id}/shapes"),
        "models": seen("GET", "/models"),
        "model versions": seen("GET", f"/models/{org.model_id}/versions"),
    }


@dataclass(frozen=True)
class Route:
    """One route a member may not use: what it does ("only an admin may ..."), how to call
    it, and whether it names an object (which another organization must not see)."""

    action: str
    method: str
    path: Callable[[Org], str]
    body: Callable[[Org], Any] = lambda org: None
    prepare: Callable[[Org], None] = lambda org: None
    names_an_object: bool = True


def _lock(org: Org) -> None:
    call(org.admin, "POST", f"/versions/{org.version_id}/lock")


def _trash_an_asset(org: Org) -> None:
    call(org.admin, "POST", "/assets/delete", {"ids": [str(org.asset_ids[1])]})


ADMIN_ONLY_ROUTES = {
    "POST /trash/purge": Route(
        "purge the trash",
        "POST",
        lambda o: "/trash/purge",
        lambda o: {"everything": True},
        names_an_object=False,
    ),
    "POST /trash/restore": Route(
        "restore from the trash",
        "POST",
        lambda o: "/trash/restore",
        lambda o: {"ids": [str(o.trashed_version_id)]},
    ),
    "POST /users/{username}/revoke": Route(
        "revoke a user's token", "POST", lambda o: f"/users/{o.bystander}/revoke"
    ),
    "POST /datalakes": Route(
        "create a datalake",
        "POST",
        lambda o: "/datalakes",
        lambda o: {"name": "second"},
        names_an_object=False,
    ),
    "DELETE /data/{id}": Route(
        "delete data from a datalake", "DELETE", lambda o: f"/data/{o.loose_data_id}"
    ),
    "POST /data/delete": Route(
        "delete data from a datalake",
        "POST",
        lambda o: "/data/delete",
        lambda o: {"ids": [str(o.loose_data_id)]},
    ),
    "DELETE /datasets/{id}": Route(
        "delete a dataset", "DELETE", lambda o: f"/datasets/{o.dataset_id}"
    ),
    "DELETE /versions/{id}": Route(
        "delete a dataset version", "DELETE", lambda o: f"/versions/{o.version_id}"
    ),
    "POST /versions/{id}/lock": Route(
        "lock a dataset version", "POST", lambda o: f"/versions/{o.version_id}/lock"
    ),
    "POST /versions/{id}/unlock": Route(
        "unlock a dataset version",
        "POST",
        lambda o: f"/versions/{o.version_id}/unlock",
        prepare=_lock,
    ),
    "POST /assets/delete": Route(
        "delete assets",
        "POST",
        lambda o: "/assets/delete",
        lambda o: {"ids": [str(o.asset_ids[1])]},
    ),
    "POST /versions/{id}/assets/restore": Route(
        "restore assets",
        "POST",
        lambda o: f"/versions/{o.version_id}/assets/restore",
        lambda o: {"ids": [str(o.asset_ids[1])]},
        prepare=_trash_an_asset,
    ),
    "PATCH /tags/{id}": Route(
        "rename a tag", "PATCH", lambda o: f"/tags/{o.tag_id}", lambda o: {"name": "new"}
    ),
    "DELETE /tags/{id}": Route("delete a tag", "DELETE", lambda o: f"/tags/{o.tag_id}"),
    "DELETE /models/{id}": Route("delete a model", "DELETE", lambda o: f"/models/{o.model_id}"),
    "DELETE /model-versions/{id}": Route(
        "delete a model version", "DELETE", lambda o: f"/model-versions/{o.model_version_id}"
    ),
}

OTHERS_ANNOTATION_ROUTES = {
    "PATCH /annotations/{id}": Route(
        "change another worker's annotation",
        "PATCH",
        lambda o: f"/annotations/{o.annotation_id}",
        lambda o: {"duration": 9},
    ),
    "DELETE /annotations/{id}": Route(
        "change another worker's annotation", "DELETE", lambda o: f"/annotations/{o.annotation_id}"
    ),
    "POST /annotations/{id}/shapes": Route(
        "change another worker's annotation",
        "POST",
        lambda o: f"/annotations/{o.annotation_id}/shapes",
        lambda o: {
            "shapes": [
                {"kind": "RECTANGLE", "label_id": str(o.label_id), "x": 0, "y": 0, "w": 1, "h": 1}
            ]
        },
    ),
    "PATCH /shapes/{id}": Route(
        "change another worker's annotation",
        "PATCH",
        lambda o: f"/shapes/{o.shape_id}",
        lambda o: {"x": 5},
    ),
    "DELETE /shapes/{id}": Route(
        "change another worker's annotation", "DELETE", lambda o: f"/shapes/{o.shape_id}"
    ),
    "POST /annotations/delete": Route(
        "delete another worker's annotations",
        "POST",
        lambda o: "/annotations/delete",
        lambda o: {"asset_ids": [str(o.asset_ids[0])]},
    ),
}

REFUSED_TO_MEMBERS = {**ADMIN_ONLY_ROUTES, **OTHERS_ANNOTATION_ROUTES}


def test_every_admin_only_action_is_tested_and_in_the_roles_table() -> None:
    assert {route.action for route in ADMIN_ONLY_ROUTES.values()} == set(AdminAction)
    table = (Path(__file__).parents[1] / "docs" / "roles.md").read_text().lower()
    for action in AdminAction:
        assert action.value in table, action


@pytest.mark.parametrize("route", REFUSED_TO_MEMBERS.values(), ids=REFUSED_TO_MEMBERS.keys())
def test_a_member_is_refused_each_admin_only_route_and_an_admin_succeeds(
    org: Org, route: Route
) -> None:
    route.prepare(org)
    before = organization_state(org.admin, org)

    with pytest.raises(ForbiddenError) as refused:
        call(org.member, route.method, route.path(org), route.body(org))

    message = str(refused.value)
    assert f"only an admin may {route.action}" in message
    assert f"{org.member.username!r} is a member" in message
    assert refused.value.details == {"action": route.action, "role": "member", "required": "admin"}
    assert organization_state(org.admin, org) == before  # nothing of it was done
    call(org.admin, route.method, route.path(org), route.body(org))
    assert organization_state(org.admin, org) != before


def test_another_organizations_ids_answer_404_to_its_members_never_403(
    org: Org, make_user: MakeUser
) -> None:
    """The object a request names is looked up in the caller's organization before the
    caller's role is checked, so outsiders learn nothing, whatever their role."""
    _trash_an_asset(org)
    outsider_admin = make_user(role=None, organization=f"org-{uuid.uuid4().hex[:10]}")
    outsider = make_user(organization=outsider_admin.organization_name)
    assert (outsider.role, outsider_admin.role) == (Role.MEMBER, Role.ADMIN)
    before = organization_state(org.admin, org)
    naming = {name: route for name, route in REFUSED_TO_MEMBERS.items() if route.names_an_object}
    for user in (outsider, outsider_admin):
        answers = {}
        for name, route in naming.items():
            try:
                call(user, route.method, route.path(org), route.body(org))
                answers[name] = "done"
            except PixlakeError as exc:
                answers[name] = type(exc).__name__
        assert answers == dict.fromkeys(naming, "NotFoundError"), user.role
    # The organization-wide routes act on the caller's own organization only.
    assert outsider_admin.purge_trash(everything=True) == 0
    assert organization_state(org.admin, org) == before


# What members may do


def test_a_member_uploads_tags_annotates_and_deletes_its_own_annotations(
    org: Org, unique_image: Callable[..., Path]
) -> None:
    member = org.member
    assert member.role is Role.MEMBER
    uploaded = member.get_datalake().upload_data(unique_image())
    uploaded.update_custom_metadata({"camera": "left"})
    tag = member.create_tag("seen", Target.DATA)
    uploaded.add_tags(tag)
    uploaded.remove_tags(tag)
    dataset = member.get_dataset_by_id(org.dataset_id)
    version = dataset.get_version("v1")
    asset = version.add_data(uploaded)[0]
    asset.add_tags(member.create_tag("reviewed", Target.ASSET))
    label = version.create_label("dog")
    mine = asset.create_annotation(2.0)
    rectangle = mine.create_rectangle(1, 1, 2, 2, label)
    rectangle.update(x=3)
    mine.update(duration=3.0)
    mine.create_polygon([[0, 0], [4, 0], [4, 4]], label).delete()
    assert [r.x for r in mine.list_rectangles()] == [3]
    mine.delete()
    asset.create_annotation(1.0).create_rectangle(1, 1, 2, 2, label)
    asset.delete_annotations()  # only the member's own annotation is on it
    assert asset.list_annotations() == []
    spare = version.create_label("spare")
    spare.update("unused")
    spare.delete()  # no shape uses it
    dataset.update(description="described by a member")
    version.update(description="so is this version")
    dataset.add_worker(org.admin.username)
    member.create_dataset("members-own").create_version("v").fork("v-fork")
    assert {item.kind.value for item in member.list_trash()} >= {"ANNOTATION"}
    admin_view = org.admin.get_dataset_by_id(org.dataset_id).find_worker(member.username)
    assert admin_view.role is Role.MEMBER


def test_a_member_cannot_change_another_workers_annotations(org: Org) -> None:
    member, admin = org.member, org.admin
    version = member.get_dataset_by_id(org.dataset_id).get_version("v1")
    asset = version.find_asset(id=org.asset_ids[0])
    admin_worker = member.get_dataset_by_id(org.dataset_id).find_worker(admin.username)
    theirs = asset.get_annotation(worker=admin_worker)
    rectangle = theirs.list_rectangles()[0]
    label = version.get_label("cat")
    before = organization_state(admin, org)
    attempts: list[tuple[str, Callable[[], object]]] = [
        ("change another worker's annotation", lambda: theirs.update(duration=5.0)),
        ("change another worker's annotation", theirs.delete),
        ("change another worker's annotation", lambda: theirs.create_rectangle(0, 0, 1, 1, label)),
        ("change another worker's annotation", lambda: rectangle.update(x=9)),
        ("change another worker's annotation", rectangle.delete),
        ("delete another worker's annotations", asset.delete_annotations),
        ("delete another worker's annotations", lambda: asset.delete_annotations([admin_worker])),
        (
            "annotate as another worker",
            lambda: version.find_asset(id=org.asset_ids[1]).create_annotation(
                1.0, worker=admin_worker
            ),
        ),
    ]
    for action, attempt in attempts:
        with pytest.raises(ForbiddenError, match=f"only an admin may {action}"):
            attempt()
    assert organization_state(admin, org) == before
    # An admin changes anyone's annotations.
    members_annotation = version.find_asset(id=org.asset_ids[1]).create_annotation(1.0)
    members_annotation.create_rectangle(1, 1, 1, 1, label)
    admin_version = admin.get_dataset_by_id(org.dataset_id).get_version("v1")
    member_worker = admin.get_dataset_by_id(org.dataset_id).find_worker(member.username)
    admin_version.find_asset(id=org.asset_ids[1]).get_annotation(worker=member_worker).update(
        duration=7.0
    )
    admin_version.find_asset(id=org.asset_ids[1]).delete_annotations()
    assert admin_version.find_asset(id=org.asset_ids[1]).list_annotations() == []


def test_the_sdk_raises_forbidden_for_a_members_admin_only_calls(org: Org) -> None:
    member = org.member
    dataset = member.get_dataset_by_id(org.dataset_id)
    with pytest.raises(ForbiddenError, match="only an admin may delete a dataset"):
        dataset.delete()
    with pytest.raises(ForbiddenError, match="only an admin may lock a dataset version"):
        dataset.get_version("v1").lock()
    with pytest.raises(ForbiddenError, match="only an admin may purge the trash"):
        member.purge_trash(everything=True)
    with pytest.raises(ForbiddenError, match="only an admin may revoke"):
        member.revoke_user(org.bystander)
    assert member.get_dataset_by_id(org.dataset_id).get_version("v1").locked is False


# Who is an admin


def test_me_and_the_sdk_show_the_role(org: Org) -> None:
    assert org.admin.role is Role.ADMIN
    assert call(org.member, "GET", "/me")["user"]["role"] == "member"
    roles = {user.username: user.role for user in org.member.list_users()}
    assert roles[org.admin.username] is Role.ADMIN
    assert roles[org.member.username] is Role.MEMBER
    assert "role='member'" in repr(org.member)
    worker = org.admin.get_dataset_by_id(org.dataset_id).find_worker(org.admin.username)
    assert worker.role is Role.ADMIN


def test_the_first_user_of_an_organization_is_an_admin(platform: AppContext) -> None:
    organization = f"org-{uuid.uuid4().hex[:10]}"
    first, _ = create_user(platform, f"first-{uuid.uuid4().hex[:8]}", organization)
    second, _ = create_user(platform, f"second-{uuid.uuid4().hex[:8]}", organization)
    promoted, _ = create_user(
        platform, f"third-{uuid.uuid4().hex[:8]}", organization, role=Role.ADMIN
    )
    assert (first.role, second.role, promoted.role) == (Role.ADMIN, Role.MEMBER, Role.ADMIN)
    lonely = f"org-{uuid.uuid4().hex}"
    for _attempt in range(2):  # the refused organization was not kept: it is new again
        with pytest.raises(BadRequestError, match="first user of organization .* an admin"):
            create_user(platform, f"lonely-{uuid.uuid4().hex[:8]}", lonely, role=Role.MEMBER)


def test_the_embedded_workspace_owner_is_an_admin(tmp_path: Path) -> None:
    with Client(workspace=tmp_path / "ws") as owner:
        assert owner.role is Role.ADMIN
        owner.create_datalake("second")
        assert owner.purge_trash(everything=True) == 0


def test_an_admin_revokes_a_members_token(org: Org) -> None:
    victim_username = org.member.username
    org.admin.revoke_user(victim_username)
    with pytest.raises(UnauthorizedError):
        call(org.member, "GET", "/me")
    assert victim_username not in {user.username for user in org.admin.list_users()}
    with pytest.raises(NotFoundError):
        org.admin.revoke_user(f"nobody-{uuid.uuid4().hex[:8]}")


def test_an_admin_cannot_revoke_its_own_token(org: Org) -> None:
    """Over the API an organization always keeps an admin who can sign in."""
    with pytest.raises(BadRequestError, match="its own token"):
        org.admin.revoke_user(org.admin.username)
    assert call(org.admin, "GET", "/me")["user"]["username"] == org.admin.username
