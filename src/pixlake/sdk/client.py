"""The entry point of the SDK: a client of a server, or of a connection handed to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote
from uuid import UUID

from pixlake.enums import AnnotationFileType, Framework, InferenceType, Role, Target, TrashKind
from pixlake.errors import BadRequestError, NotFoundError, UnauthorizedError, WrongTargetError
from pixlake.schemas import (
    DatalakePublic,
    DatasetPublic,
    Me,
    ModelPublic,
    ModelVersionPublic,
    TagPublic,
    TrashItem,
    UserPublic,
)
from pixlake.sdk.base import coerce_enum, get_or_create
from pixlake.sdk.connection import Connection
from pixlake.sdk.datalake import Datalake
from pixlake.sdk.dataset import Dataset
from pixlake.sdk.model import Model
from pixlake.sdk.model_fields import given_fields
from pixlake.sdk.model_version import ModelVersion
from pixlake.sdk.page_args import check_page_args, page_of
from pixlake.sdk.tag import Tag

if TYPE_CHECKING:
    from pixlake.sdk.dataset_version import DatasetVersion
    from pixlake.sdk.worker import Worker

__all__ = ["Client", "resolve_host"]


def resolve_host(host: str | None) -> str | None:
    """The server to connect to: ``host``, else ``PIXLAKE_HOST``; None when neither names
    one."""
    return host or os.environ.get("PIXLAKE_HOST") or None


def _connect_to_server(api_token: str | None, host: str | None) -> Connection:
    if not host:
        raise BadRequestError(
            "no server to connect to: give host= (or set PIXLAKE_HOST); "
            "pixlake.Client opens an embedded workspace without one"
        )
    # The environment's token is for the server it names, never for a workspace.
    api_token = api_token or os.environ.get("PIXLAKE_API_TOKEN") or None
    if not api_token:
        raise UnauthorizedError(
            f"an api_token (or PIXLAKE_API_TOKEN) is required to connect to {host}"
        )
    return Connection.to_server(host, api_token)


class Client:
    """A client of a pixlake platform: a server, or the connection it is handed.

    ``Client(api_token=..., host="http://127.0.0.1:8080")``, or the ``PIXLAKE_API_TOKEN``
    and ``PIXLAKE_HOST`` environment variables, connects to a server. This class needs
    only the SDK's own packages; ``pixlake.Client``, the one to import, adds the embedded
    mode: without a host it opens a workspace in this process and hands its connection
    here.

    Args:
        api_token: the user's token (required to connect to a server).
        host: base URL of a pixlake server; PIXLAKE_HOST when not given.
        connection: an open connection to use instead of connecting to ``host``; the
            client owns it from then on (``close()`` closes it, and so does a failure
            here).

    Raises:
        BadRequestError: neither a host nor a connection is given.
        UnauthorizedError: a host is given without a token, or the token is refused.
    """

    def __init__(
        self,
        api_token: str | None = None,
        host: str | None = None,
        *,
        connection: Connection | None = None,
    ) -> None:
        self._connection = (
            connection
            if connection is not None
            else _connect_to_server(api_token, resolve_host(host))
        )
        try:
            self._me = Me.model_validate(self._connection.me())
        except BaseException:
            self._connection.close()
            raise

    @property
    def mode(self) -> str:
        """``"embedded"`` (a workspace opened in this process) or ``"server"``."""
        return "server" if self._connection.workspace is None else "embedded"

    @property
    def workspace(self) -> Path | None:
        """The embedded workspace folder (None in server mode)."""
        return self._connection.workspace

    @property
    def username(self) -> str:
        return self._me.user.username

    @property
    def user_id(self) -> UUID:
        return self._me.user.id

    @property
    def role(self) -> Role:
        """What this user may do in its organization (``admin`` or ``member``)."""
        return self._me.user.role

    @property
    def organization_id(self) -> UUID:
        return self._me.organization.id

    @property
    def organization_name(self) -> str:
        return self._me.organization.name

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Client(mode={self.mode!r}, user={self.username!r}, "
            f"role={self.role.value!r}, organization={self.organization_name!r})"
        )

    # Users

    def list_users(self) -> list[UserPublic]:
        """The users of this organization who can still sign in, with their roles."""
        rows = self._connection.request("GET", "/users")
        return [UserPublic.model_validate(r) for r in rows]

    def revoke_user(self, username: str) -> None:
        """Make a user's API token unusable from now on (admins only: ForbiddenError)."""
        self._connection.request("POST", f"/users/{quote(username, safe='')}/revoke")

    # Datalakes

    def get_datalake(
        self, name: str | UUID | None = None, id: UUID | str | None = None
    ) -> Datalake:
        """A datalake by name or id; the organization's default one when neither is given.

        A UUID given first is taken as the id: the Picsellia SDK's ``get_datalake`` takes
        ``id`` first, so ``get_datalake(lake.id)`` finds the lake in both SDKs.
        """
        if isinstance(name, UUID):
            if id is not None:
                raise TypeError("give the datalake's id once: first, or as id=")
            name, id = None, name
        if id is not None:
            row = self._connection.request("GET", f"/datalakes/{id}")
            return Datalake(self._connection, DatalakePublic.model_validate(row))
        wanted = name or "default"
        rows = self._connection.request("GET", "/datalakes", params={"name": wanted})
        if not rows:
            raise NotFoundError(f"no datalake named {wanted!r}", details={"name": wanted})
        return Datalake(self._connection, DatalakePublic.model_validate(rows[0]))

    def create_datalake(self, name: str) -> Datalake:
        """A new datalake; the name must be free in the organization (else ConflictError)."""
        row = self._connection.request("POST", "/datalakes", json={"name": name})
        return Datalake(self._connection, DatalakePublic.model_validate(row))

    def list_datalakes(self) -> list[Datalake]:
        rows = self._connection.request("GET", "/datalakes")
        return [Datalake(self._connection, DatalakePublic.model_validate(r)) for r in rows]

    # Datasets

    def create_dataset(self, name: str, description: str = "") -> Dataset:
        """A new dataset; the name must be free in the organization (else ConflictError)."""
        row = self._connection.request(
            "POST", "/datasets", json={"name": name, "description": description}
        )
        return Dataset(self._connection, DatasetPublic.model_validate(row))

    def get_or_create_dataset(self, name: str, description: str = "") -> Dataset:
        """The dataset called ``name``, created with ``description`` if there is none (so a
        script can run twice); an existing dataset is returned as it is."""
        return get_or_create(
            lambda: self.get_dataset(name), lambda: self.create_dataset(name, description)
        )

    def get_dataset(self, name: str) -> Dataset:
        rows = self._connection.request("GET", "/datasets", params={"name": name})
        if not rows:
            raise NotFoundError(f"no dataset named {name!r}", details={"name": name})
        return Dataset(self._connection, DatasetPublic.model_validate(rows[0]))

    def get_dataset_by_id(self, id: UUID | str) -> Dataset:
        row = self._connection.request("GET", f"/datasets/{id}")
        return Dataset(self._connection, DatasetPublic.model_validate(row))

    def list_datasets(self, limit: int | None = None, offset: int | None = None) -> list[Dataset]:
        """The organization's datasets in creation order; ``offset`` skips the first ones,
        ``limit`` keeps at most that many (the Picsellia SDK's arguments)."""
        check_page_args(limit, offset)
        rows = self._connection.request("GET", "/datasets")
        return [
            Dataset(self._connection, DatasetPublic.model_validate(r))
            for r in page_of(rows, limit, offset)
        ]

    # Models

    def create_model(
        self,
        name: str,
        description: str | None = None,
        type: InferenceType | str | None = None,
        framework: Framework | str | None = None,
    ) -> Model:
        """A new model; the name must be free in the organization (else ConflictError)."""
        body = given_fields(name=name, description=description, type=type, framework=framework)
        row = self._connection.request("POST", "/models", json=body)
        return Model(self._connection, ModelPublic.model_validate(row))

    def get_model(self, name: str) -> Model:
        rows = self._connection.request("GET", "/models", params={"name": name})
        if not rows:
            raise NotFoundError(f"no model named {name!r}", details={"name": name})
        return Model(self._connection, ModelPublic.model_validate(rows[0]))

    def get_model_by_id(self, id: UUID | str) -> Model:
        row = self._connection.request("GET", f"/models/{id}")
        return Model(self._connection, ModelPublic.model_validate(row))

    def get_model_version_by_id(self, id: UUID | str) -> ModelVersion:
        """A model version by id, whatever its model."""
        row = self._connection.request("GET", f"/model-versions/{id}")
        return ModelVersion(self._connection, ModelVersionPublic.model_validate(row))

    def list_models(
        self, limit: int | None = None, offset: int | None = None, tags: Any = None
    ) -> list[Model]:
        """The organization's models in creation order; ``tags`` (a Tag, a name or a list
        of them, of target MODEL) keeps those having any of them."""
        names = model_tag_names(tags)
        params: dict[str, Any] = {"tags": names} if names else {}
        if limit is not None:
            params["limit"] = limit
        if offset is not None:
            params["offset"] = offset
        rows = self._connection.request("GET", "/models", params=params)
        return [Model(self._connection, ModelPublic.model_validate(r)) for r in rows]

    # Whole datasets in one step (docs/import.md)

    def import_dataset(
        self,
        path: str | Path,
        annotation_file_type: AnnotationFileType | str,
        dataset_name: str,
        version_name: str = "initial",
        datalake: Datalake | str | None = None,
        worker: Worker | None = None,
    ) -> DatasetVersion:
        """Import a COCO, YOLO or Pascal VOC dataset folder (or a zip of one, or a COCO
        ``.json`` beside its images) as a new version.

        The images are uploaded into ``datalake`` (a Datalake or a name; the default one
        when None) at the speed of ``upload_data``; the dataset is created unless it exists;
        the version ``version_name`` is created with the type its shapes call for, its
        labels and annotations (by ``worker``; the caller when None) are imported, and
        each asset is tagged with its split's name. Everything that can be checked (the
        annotation files, the images they name, every image file) is checked before
        anything is stored.

        Raises:
            AnnotationFileError: an annotation file, or one of its items, is wrong.
            FileMissingError: an image the files name is not in the folder.
            InvalidFilenameError: a name would leave the folder (``..``, absolute).
            ConflictError: the dataset has a version ``version_name`` already.
        """
        from pixlake.sdk.dataset_import import import_dataset

        return import_dataset(
            self, path, annotation_file_type, dataset_name, version_name, datalake, worker
        )

    # Trash

    def list_trash(self, kind: TrashKind | str | None = None) -> list[TrashItem]:
        """What this organization deleted and can still restore."""
        params = {"kind": coerce_enum(TrashKind, kind).value} if kind is not None else {}
        rows = self._connection.request("GET", "/trash", params=params)
        return [TrashItem.model_validate(r) for r in rows]

    def restore_from_trash(self, ids: list[UUID | str]) -> int:
        """Restore items of the trash by id, all or none; returns how many."""
        answer = self._connection.request(
            "POST", "/trash/restore", json={"ids": [str(i) for i in ids]}
        )
        return int(answer["count"])

    def purge_trash(self, everything: bool = False) -> int:
        """Remove for good what has been in the trash longer than the retention period
        (everything with ``everything``); returns how many items. Admins only."""
        answer = self._connection.request("POST", "/trash/purge", json={"everything": everything})
        return int(answer["count"])

    # Tags

    def create_tag(self, name: str, target: Target | str) -> Tag:
        """A new tag for objects of kind ``target``; the name must be free for that target."""
        row = self._connection.request(
            "POST", "/tags", json={"name": name, "target": _target(target).value}
        )
        return Tag(self._connection, TagPublic.model_validate(row))

    def get_tag(self, name: str, target: Target | str) -> Tag:
        target = _target(target)
        rows = self._connection.request(
            "GET", "/tags", params={"name": name, "target": target.value}
        )
        if not rows:
            raise NotFoundError(
                f"no tag named {name!r} for target {target}",
                details={"name": name, "target": target.value},
            )
        return Tag(self._connection, TagPublic.model_validate(rows[0]))

    def get_or_create_tag(self, name: str, target: Target | str) -> Tag:
        """The tag called ``name`` for ``target``, created if there is none."""
        return get_or_create(
            lambda: self.get_tag(name, target), lambda: self.create_tag(name, target)
        )

    def get_tag_by_id(self, id: UUID | str) -> Tag:
        row = self._connection.request("GET", f"/tags/{id}")
        return Tag(self._connection, TagPublic.model_validate(row))

    def list_tags(self, target: Target | str | None = None) -> list[Tag]:
        params = {"target": _target(target).value} if target is not None else {}
        rows = self._connection.request("GET", "/tags", params=params)
        return [Tag(self._connection, TagPublic.model_validate(r)) for r in rows]


def model_tag_names(tags: Any) -> list[str]:
    """Tag names of a ``tags`` filter of models; a Tag of another target is refused."""
    from pixlake.sdk.base import tag_list
    from pixlake.sdk.tag import Tag

    names: list[str] = []
    for tag in tag_list(tags):
        if isinstance(tag, Tag):
            if tag.target != Target.MODEL:
                raise WrongTargetError(
                    f"tag {tag.name!r} targets {tag.target}, not {Target.MODEL}",
                    details={"tag_id": str(tag.id)},
                )
            names.append(tag.name)
        else:
            names.append(tag)
    return names


def _target(target: Target | str) -> Target:
    return coerce_enum(Target, target)
