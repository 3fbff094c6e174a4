"""What every SDK object shares: its connection, its wire model, identity by id, and tags."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from pixlake.enums import Target
from pixlake.errors import BadRequestError
from pixlake.limits import MAX_TAGS_PER_REQUEST
from pixlake.schemas import TagPublic
from pixlake.sdk.connection import idempotency_keys

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection
    from pixlake.sdk.tag import Tag

__all__ = ["SchemaField", "SdkObject", "Taggable", "coerce_enum", "link_tags", "tag_ids_of"]

SchemaT = TypeVar("SchemaT", bound=BaseModel)


class SchemaField:
    """A read-only attribute that reads the field of the same name from the wire model."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(obj._schema, self.name)


class SdkObject(Generic[SchemaT]):
    """A platform object as last seen by the SDK; ``sync()`` refreshes it."""

    def __init__(self, connection: Connection, schema: SchemaT) -> None:
        self._connection = connection
        self._schema = schema

    @property
    def id(self) -> UUID:
        return self._schema.id  # type: ignore[attr-defined,no-any-return]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.id == self.id  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    def __repr__(self) -> str:
        name = getattr(self._schema, "name", None) or getattr(self._schema, "filename", None)
        return f"{type(self).__name__}(id={self.id}" + (f", name={name!r})" if name else ")")


EnumT = TypeVar("EnumT", bound=Enum)


def coerce_enum(enum: type[EnumT], value: Any) -> EnumT:
    """``enum(value)``, or a BadRequestError listing the accepted values."""
    try:
        return enum(value)
    except ValueError:
        accepted = ", ".join(member.value for member in enum)  # type: ignore[attr-defined]
        raise BadRequestError(f"unknown {enum.__name__} {value!r}; one of {accepted}",
                              details={"value": repr(value)}) from None


def tag_ids_of(tags: Any) -> list[UUID]:
    """Ids of a Tag or a list of Tag, refusing anything else with a clear error."""
    from pixlake.sdk.tag import Tag

    items: Iterable[Any] = [tags] if isinstance(tags, Tag) else tags
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise BadRequestError(f"expected a Tag or a list of Tag, got {tags!r}")
    ids = []
    for item in items:
        if not isinstance(item, Tag):
            raise BadRequestError(f"expected a Tag, got {item!r}", details={"item": repr(item)})
        ids.append(item.id)
    if not ids:
        raise BadRequestError("no tag given")
    return ids


class Taggable:
    """``add_tags`` / ``remove_tags`` / ``get_tags`` for one object, through one mechanism."""

    _tag_target: ClassVar[Target]
    _connection: Connection
    id: UUID

    def add_tags(self, tags: Tag | list[Tag]) -> None:
        """Attach a Tag or a list of Tag; each must target this kind of object."""
        link_tags(self._connection, "attach", self._tag_target, [self.id], tags)

    def remove_tags(self, tags: Tag | list[Tag]) -> None:
        """Detach a Tag or a list of Tag (those not attached are ignored)."""
        link_tags(self._connection, "detach", self._tag_target, [self.id], tags)

    def get_tags(self) -> list[Tag]:
        """The tags attached to this object, sorted by name."""
        from pixlake.sdk.tag import Tag

        body = {"target": self._tag_target.value, "object_id": str(self.id)}
        rows = self._connection.request("POST", "/tags/of", json=body)
        return [Tag(self._connection, TagPublic.model_validate(row)) for row in rows]


def _link(connection: Connection, action: str, target: Target, object_ids: list[UUID],
          tag_ids: list[UUID], idempotency_key: str) -> None:
    connection.request("POST", f"/tags/{action}", json={
        "target": target.value, "object_ids": [str(i) for i in object_ids],
        "tag_ids": [str(i) for i in tag_ids],
    }, idempotency_key=idempotency_key)


def link_tags(connection: Connection, action: str, target: Target, object_ids: list[UUID],
              tags: Any, chunk_size: int = 5000) -> None:
    """Attach or detach tags to many objects, in fixed-size chunks (of objects, and of
    tags beyond the most one request takes)."""
    tag_ids = tag_ids_of(tags)
    keys = idempotency_keys()
    for tag_start in range(0, max(len(tag_ids), 1), MAX_TAGS_PER_REQUEST):
        some_tags = tag_ids[tag_start : tag_start + MAX_TAGS_PER_REQUEST]
        for start in range(0, len(object_ids), chunk_size):
            _link(connection, action, target, object_ids[start : start + chunk_size],
                  some_tags, next(keys))
