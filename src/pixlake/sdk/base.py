"""What every SDK object shares: its connection, its wire model, identity by id, and tags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload
from uuid import UUID

from pydantic import BaseModel

from pixlake.enums import Target
from pixlake.errors import (
    BadRequestError,
    ConflictError,
    LockedError,
    NotFoundError,
    WrongTargetError,
)
from pixlake.limits import MAX_TAGS_PER_REQUEST
from pixlake.schemas import TagPublic
from pixlake.sdk.connection import idempotency_keys

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection
    from pixlake.sdk.tag import Tag

__all__ = [
    "SchemaField",
    "SdkObject",
    "Taggable",
    "coerce_enum",
    "get_or_create",
    "id_list",
    "link_tags",
    "split_tags",
    "tag_list",
]

SchemaT = TypeVar("SchemaT", bound=BaseModel)


FieldT = TypeVar("FieldT")


class SchemaField(Generic[FieldT]):
    """A read-only attribute that reads the field of the same name from the wire model.

    Declared as ``asset_id = SchemaField[UUID]()``: the parameter is the field's type, so a
    type checker knows what ``annotation.asset_id`` is.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> SchemaField[FieldT]: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> FieldT: ...

    def __get__(self, obj: object, objtype: type | None = None) -> SchemaField[FieldT] | FieldT:
        if obj is None:
            return self
        value: FieldT = getattr(obj._schema, self.name)  # type: ignore[attr-defined]
        return value


class SdkObject(Generic[SchemaT]):
    """A platform object as last seen by the SDK; ``sync()`` refreshes it."""

    _connection: Connection
    _schema: SchemaT

    def __init__(self, connection: Connection, schema: SchemaT) -> None:
        self._connection = connection
        self._schema = schema

    @property
    def id(self) -> UUID:
        return self._schema.id  # type: ignore[attr-defined,no-any-return]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.id == self.id

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    def __repr__(self) -> str:
        name = getattr(self._schema, "name", None) or getattr(self._schema, "filename", None)
        return f"{type(self).__name__}(id={self.id}" + (f", name={name!r})" if name else ")")


ObjectT = TypeVar("ObjectT")


def get_or_create(get: Callable[[], ObjectT], create: Callable[[], ObjectT]) -> ObjectT:
    """``get()``, or ``create()`` when that is a NotFoundError, so that a script can run
    twice. When another process creates the object between the two (a ConflictError), the
    one it created is returned."""
    try:
        return get()
    except NotFoundError:
        pass
    try:
        return create()
    except LockedError:
        raise
    except ConflictError:
        return get()


EnumT = TypeVar("EnumT", bound=Enum)


def coerce_enum(enum: type[EnumT], value: Any) -> EnumT:
    """A member of ``enum`` from itself, its value, or its value or name in any case
    (``"pytorch"`` is ``Framework.PYTORCH``, as the Picsellia SDK's ``validate`` takes
    it); else a BadRequestError listing the accepted values."""
    try:
        return enum(value)
    except ValueError:
        pass
    if isinstance(value, str):
        folded = value.upper()
        for member in enum:
            if folded in (str(member.value).upper(), member.name):
                return member
    accepted = ", ".join(str(member.value) for member in enum)
    raise BadRequestError(
        f"unknown {enum.__name__} {value!r}; one of {accepted}", details={"value": repr(value)}
    )


def id_list(ids: Any) -> list[str] | None:
    """Ids (UUIDs or their text, one or a list) as text for a query; None when not given.

    One id given alone is a list of one, never a sequence of one-letter ids.
    """
    if ids is None:
        return None
    if isinstance(ids, UUID | str):
        return [str(ids)]
    return [str(i) for i in ids]


def tag_list(tags: Any) -> list[Tag | str]:
    """A Tag, a tag name, or a list of them, as a list.

    A plain string is one tag name, never a sequence of one-letter names.
    """
    from pixlake.sdk.tag import Tag

    if tags is None:
        return []
    if isinstance(tags, Tag | str):
        return [tags]
    if isinstance(tags, bytes | bytearray) or not isinstance(tags, Iterable):
        raise BadRequestError(
            f"expected a tag name, a Tag or a list of them, got {tags!r}",
            details={"tags": repr(tags)},
        )
    items = list(tags)
    for item in items:
        if not isinstance(item, Tag | str):
            raise BadRequestError(
                f"expected a tag name or a Tag, got {item!r}", details={"item": repr(item)}
            )
    return items


def split_tags(tags: Any, target: Target) -> tuple[list[str], list[str]]:
    """Tag names and ids of Tags, checking that every Tag targets ``target``."""
    from pixlake.sdk.tag import Tag

    names: list[str] = []
    ids: list[str] = []
    for tag in tag_list(tags):
        if isinstance(tag, Tag):
            if tag.target != target:
                raise WrongTargetError(
                    f"tag {tag.name!r} targets {tag.target}, not {target}",
                    details={"tag_id": str(tag.id)},
                )
            ids.append(str(tag.id))
        else:
            names.append(tag)
    return names, ids


class Taggable:
    """``add_tags`` / ``remove_tags`` / ``get_tags`` for one object, through one mechanism."""

    _tag_target: ClassVar[Target]
    _connection: Connection
    id: UUID

    @property
    def target_type(self) -> Target:
        """The tag target of this kind of object (the Picsellia SDK's name for it)."""
        return self._tag_target

    def add_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Attach a Tag, a tag name, or a list of them; each must target this kind of object.

        A name not known yet for this kind of object is created (in the same request).
        """
        link_tags(self._connection, "attach", self._tag_target, [self.id], tags)

    def remove_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Detach a Tag, a tag name, or a list of them (those not attached are ignored).

        Raises:
            NotFoundError: a name is not a tag of this kind of object.
        """
        link_tags(self._connection, "detach", self._tag_target, [self.id], tags)

    def get_tags(self) -> list[Tag]:
        """The tags attached to this object, sorted by name."""
        from pixlake.sdk.tag import Tag

        body = {"target": self._tag_target.value, "object_id": str(self.id)}
        rows = self._connection.request("POST", "/tags/of", json=body)
        return [Tag(self._connection, TagPublic.model_validate(row)) for row in rows]


def _link(
    connection: Connection,
    action: str,
    target: Target,
    object_ids: list[UUID],
    tag_ids: list[str],
    tag_names: list[str],
    idempotency_key: str,
) -> None:
    connection.request(
        "POST",
        f"/tags/{action}",
        json={
            "target": target.value,
            "object_ids": [str(i) for i in object_ids],
            "tag_ids": tag_ids,
            "tags": tag_names,
        },
        idempotency_key=idempotency_key,
    )


def link_tags(
    connection: Connection,
    action: str,
    target: Target,
    object_ids: list[UUID],
    tags: Any,
    chunk_size: int = 5000,
) -> None:
    """Attach or detach tags (Tags or names) to many objects, in fixed-size chunks (of
    objects, and of tags beyond the most one request takes)."""
    names, ids = split_tags(tags, target)
    if not names and not ids:
        raise BadRequestError("no tag given")
    step = MAX_TAGS_PER_REQUEST
    tag_groups: list[tuple[list[str], list[str]]]
    tag_groups = [(ids[i : i + step], []) for i in range(0, len(ids), step)]
    tag_groups += [([], names[i : i + step]) for i in range(0, len(names), step)]
    keys = idempotency_keys()
    for some_ids, some_names in tag_groups:
        for start in range(0, len(object_ids), chunk_size):
            _link(
                connection,
                action,
                target,
                object_ids[start : start + chunk_size],
                some_ids,
                some_names,
                next(keys),
            )
